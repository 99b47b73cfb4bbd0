/**
 * MNIST through the whole pipeline against the same model trained from in-memory arrays, in one run.
 *
 *   node --import tsx bench/ml-mnist.bench.ts
 *   BENCH_TRAIN=60000 BENCH_TEST=10000 BENCH_EPOCHS=5 node --import tsx bench/ml-mnist.bench.ts
 *
 * pipeline: `tsconnect demo mnist` without the pictures: BENCH_TRAIN rows INSERTed into a throwaway
 *   PostgreSQL, the blog's mnist-connector (pgoutput → ExtractNewRecordState → MnistToCsv →
 *   StringConverter → embedded log), the TensorFlow.js sink (batch mode, BENCH_EPOCHS epochs of batch 64),
 *   then BENCH_TEST test rows streamed and predicted. Reports the test accuracy, the sink's training
 *   samples/s (sample-steps / seconds inside training), and the end-to-end rate (epochs × rows / seconds
 *   from registering the connectors to the trained model, which includes CDC, the topic, parsing and the
 *   2 s idle wait before training).
 * reference: the same Classifier (same shape, seed, batch size, epochs, per-epoch shuffle) trained on
 *   Float32Arrays already in memory, then evaluated on the same test images.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnistArrays } from '../ml-sinks/datasets.js';
import { initBackend } from '../ml-sinks/tfjs/backend.js';
import { Classifier } from '../ml-sinks/tfjs/model.js';
import { seededRandom } from '../ml-sinks/common/random.js';
import { runMnistDemo } from '../src/demo/mnist.js';
import { withDemoEnvironment } from '../src/demo/support.js';

const TRAIN = Number(process.env.BENCH_TRAIN ?? 60_000);
const TEST = Number(process.env.BENCH_TEST ?? 10_000);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 5);
const BATCH = 64;

function inMemoryReference(): { samplesPerSec: number; accuracy: number; seconds: number } {
  const train = loadMnistArrays('train', TRAIN);
  const test = loadMnistArrays('test', TEST);
  const w = 784;
  const x = new Float32Array(train.count * w);
  for (let i = 0; i < x.length; i++) x[i] = train.images[i]! / 255;
  const y = Int32Array.from(train.labels);
  const clf = Classifier.create({ inputs: w, hidden: [128], classes: 10, learningRate: 0.001, seed: 42 });
  const rnd = seededRandom(42);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const bx = new Float32Array(BATCH * w);
  const by = new Int32Array(BATCH);
  const t0 = performance.now();
  for (let e = 0; e < EPOCHS; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let s = 0; s < train.count; s += BATCH) {
      const m = Math.min(BATCH, train.count - s);
      for (let r = 0; r < m; r++) {
        const src = order[s + r]!;
        bx.set(x.subarray(src * w, (src + 1) * w), r * w);
        by[r] = y[src]!;
      }
      clf.trainStep(m === BATCH ? bx : bx.subarray(0, m * w), m === BATCH ? by : by.subarray(0, m), m);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const tx = new Float32Array(test.count * w);
  for (let i = 0; i < tx.length; i++) tx[i] = test.images[i]! / 255;
  const probs = clf.probabilities(tx, test.count);
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (probs[i * 10 + k]! > probs[i * 10 + best]!) best = k;
    if (best === test.labels[i]) correct++;
  }
  clf.dispose();
  return { samplesPerSec: (EPOCHS * train.count) / seconds, accuracy: correct / test.count, seconds };
}

const DATA_DIR = join(tmpdir(), `tsconnect-bench-mnist-${process.pid}`);

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  process.stdout.write(`MNIST bench: ${TRAIN} train rows, ${TEST} test rows, ${EPOCHS} epochs, batch ${BATCH}, tfjs backend ${backend}\n`);
  const lines: string[] = [];
  const pipeline = await withDemoEnvironment(
    { dataDir: DATA_DIR, port: 0, keepRunning: false, out: (l) => lines.push(l), tty: false },
    (ctx) => runMnistDemo(ctx, { epochs: EPOCHS, trainLimit: TRAIN, testLimit: TEST, show: 0 }),
  );
  const reference = inMemoryReference();
  const e2eRate = (EPOCHS * TRAIN) / pipeline.secondsToModel;
  const rows: [string, string, string, string][] = [
    ['test accuracy', pipeline.accuracy.toFixed(4), reference.accuracy.toFixed(4), 'goal >= 0.97'],
    ['training samples/s (inside the sink)', Math.round(pipeline.trainSamplesPerSec ?? 0).toLocaleString('en-US'), Math.round(reference.samplesPerSec).toLocaleString('en-US'),
      `ratio ${((pipeline.trainSamplesPerSec ?? 0) / reference.samplesPerSec).toFixed(2)} (goal >= 0.8)`],
    ['samples/s end to end (register -> model)', Math.round(e2eRate).toLocaleString('en-US'), Math.round(reference.samplesPerSec).toLocaleString('en-US'),
      `ratio ${(e2eRate / reference.samplesPerSec).toFixed(2)} (${pipeline.secondsToModel.toFixed(1)} s vs ${reference.seconds.toFixed(1)} s)`],
    ['loss per epoch (pipeline)', pipeline.losses.map((l) => l.toFixed(3)).join(' '), '', ''],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['measure', 'pipeline', 'in-memory', 'note'][c]!.length));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n${fmt(['measure', 'pipeline', 'in-memory', 'note'])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) process.stdout.write(fmt(r) + '\n');
  await rm(DATA_DIR, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
