/**
 * `tsconnect demo mnist` end to end with a small training limit: mnist2sql.py's rows in a throwaway
 * PostgreSQL, the blog's mnist-connector (unwrap, MnistToCsv, StringConverter), the TensorFlow.js sink
 * trained 5 epochs, the test rows predicted as they stream in.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnistArrays } from '../../ml-sinks/datasets.js';
import { runMnistDemo } from '../../src/demo/mnist.js';
import { getJson, postJson, withDemoEnvironment } from '../../src/demo/support.js';

describe('tsconnect demo mnist', () => {
  test('2,000 training rows, 500 test rows: reasonable accuracy, epochs printed, digits drawn, the model over REST', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsconnect-e2e-mnist-'));
    const output: string[] = [];
    try {
      const { result, status, predicted, rows } = await withDemoEnvironment(
        { dataDir: dir, port: 0, keepRunning: false, out: (l) => output.push(l), tty: false },
        async (ctx) => {
          const result = await runMnistDemo(ctx, { epochs: 5, trainLimit: 2000, testLimit: 500, show: 2, streamTimeoutMs: 1000 });
          const status = await getJson<Record<string, unknown>>(`${ctx.url}/ml/mnist-classifier`);
          const test = loadMnistArrays('test', 1);
          const predicted = await postJson<{ prediction: number; probabilities: number[] }>(`${ctx.url}/ml/mnist-classifier/predict`, {
            features: Array.from(test.images),
          });
          const rows = await ctx.db.query<{ n: string; hex: string }>("SELECT count(*) AS n, min(encode(pixels, 'hex')) FILTER (WHERE id = 1) AS hex FROM mnist_train");
          return { result, status, predicted: { ...predicted, label: test.labels[0]! }, rows: rows.rows[0]! };
        },
      );
      assert.equal(result.total, 500);
      assert.ok(result.accuracy >= 0.82, `test accuracy ${result.accuracy}`);
      assert.equal(result.losses.length, 5);
      assert.ok(result.losses[4]! < result.losses[0]!, `loss went down: ${result.losses.join(', ')}`);
      // mnist2sql.py's rows: one per image, pixels as bytea.
      assert.equal(Number(rows.n), 2000);
      assert.equal(rows.hex, loadMnistArrays('train', 1).images.toString('hex'));
      // Printed: an epoch line per epoch, the accuracy, and the 28-row digit pictures with captions.
      assert.equal(output.filter((l) => /^ {2}Epoch \d\/5 - loss: \d+\.\d{4}/.test(l)).length, 5);
      assert.ok(output.some((l) => l.startsWith(`Test accuracy: ${result.accuracy.toFixed(4)} (${result.correct} of 500)`)));
      const caption = output.findIndex((l) => /^label 7, predicted \d \(p=0\.\d{3}\)/.test(l));
      assert.ok(caption >= 0, 'the first test digit (a 7) is drawn with its caption');
      assert.ok(output.slice(caption + 1, caption + 29).some((l) => /[#%@]/.test(l)), 'the digit has ink');

      const s = status as { kind: string; samplesSeen: number; modelVersion: number; predictions: number; metrics: { accuracy: number } };
      assert.equal(s.kind, 'tfjs');
      assert.equal(s.samplesSeen, 2000);
      assert.equal(s.modelVersion, 1);
      assert.equal(s.predictions, 500);
      assert.equal(s.metrics.accuracy, result.accuracy);
      assert.equal(predicted.probabilities.length, 10);
      assert.ok(Math.abs(predicted.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
      assert.equal(predicted.prediction, predicted.label, 'the first test image (a 7) is predicted right through POST /ml/.../predict');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
