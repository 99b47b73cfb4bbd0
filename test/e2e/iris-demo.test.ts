/**
 * `tsconnect demo iris` end to end: a throwaway PostgreSQL, a standalone worker on the embedded log, the
 * blog's connector JSON over REST, the k-means sink, and the blog's load order. Checks the tables the
 * demo prints against the blog's, and the model's REST resources through the worker.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_BLOG_TEST } from '../../ml-sinks/datasets.js';
import { type IrisMode, type IrisResult, runIrisDemo } from '../../src/demo/iris.js';
import { type DemoContext, getJson, withDemoEnvironment } from '../../src/demo/support.js';

/** The blog's first Flink table (identical in the blog and the README). */
const BLOG_FIRST_FLINK_TABLE = [
  '[5.4, 3.7, 1.5, 0.2] is classified as 0',
  '[4.8, 3.4, 1.6, 0.2] is classified as 0',
  '[7.6, 3.0, 6.6, 2.1] is classified as 2',
  '[6.4, 2.8, 5.6, 2.2] is classified as 2',
  '[6.0, 2.7, 5.1, 1.6] is classified as 2',
  '[5.4, 3.0, 4.5, 1.5] is classified as 2',
  '[6.7, 3.1, 4.7, 1.5] is classified as 2',
  '[5.5, 2.4, 3.8, 1.1] is classified as 2',
  '[6.1, 2.8, 4.7, 1.2] is classified as 2',
  '[4.3, 3.0, 1.1, 0.1] is classified as 0',
  '[5.8, 2.7, 3.9, 1.2] is classified as 2',
];

async function runDemo<T>(mode: IrisMode, after: (ctx: DemoContext, result: IrisResult) => Promise<T>): Promise<{ result: IrisResult; output: string[]; extra: T }> {
  const dir = await mkdtemp(join(tmpdir(), `tsconnect-e2e-iris-${mode}-`));
  const output: string[] = [];
  try {
    let extra!: T;
    const result = await withDemoEnvironment({ dataDir: dir, port: 0, keepRunning: false, out: (l) => output.push(l), tty: false }, async (ctx) => {
      const r = await runIrisDemo(ctx, mode);
      extra = await after(ctx, r);
      return r;
    });
    return { result, output, extra };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertImproves(correct: number[]): void {
  assert.equal(correct.length, 3);
  for (let i = 1; i < correct.length; i++) assert.ok(correct[i]! >= correct[i - 1]!, `round ${i + 1} (${correct[i]}) is worse than round ${i} (${correct[i - 1]})`);
  assert.ok(correct[2]! >= 9, `the last round has ${correct[2]} of 11 right, expected at least 9`);
}

describe('tsconnect demo iris', () => {
  test('flink mode: the blog first table exactly, then 7 and 9 of 11 or better; GET /ml and POST /ml/.../predict through the worker', async () => {
    const { result, output, extra } = await runDemo('flink', async (ctx) => {
      const status = await getJson<Record<string, unknown>>(`${ctx.url}/ml/iris-kmeans-flink`);
      const all = await getJson<{ connector: string }[]>(`${ctx.url}/ml`);
      const predict = async (body: unknown) =>
        fetch(`${ctx.url}/ml/iris-kmeans-flink/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const byArray = await (await predict({ features: [4.3, 3.0, 1.1, 0.1] })).json();
      const byName = await (await predict({ features: { sepal_length: 7.6, sepal_width: 3.0, petal_length: 6.6, petal_width: 2.1 } })).json();
      const bad = await predict({ features: [1, 2] });
      const unknown = await fetch(`${ctx.url}/ml/no-such-connector`);
      return { status, all, byArray, byName, bad: { status: bad.status, body: await bad.json() }, unknownStatus: unknown.status };
    });
    assert.deepEqual(result.rounds[0]!.lines, BLOG_FIRST_FLINK_TABLE);
    assert.equal(result.correct[0], 5, 'the blog counts 5 of 11 in its first Flink table');
    assert.ok(result.correct[1]! >= 7, `second round: ${result.correct[1]}`);
    assertImproves(result.correct);
    // What the user sees: the table lines as printed, and the count after each table.
    for (const line of BLOG_FIRST_FLINK_TABLE) assert.ok(output.includes(line), `printed: ${line}`);
    assert.deepEqual(output.filter((l) => / of 11 correct$/.test(l)), result.correct.map((n) => `${n} of 11 correct`));

    const s = extra.status as { samplesSeen: number; modelVersion: number; predictions: number; kind: string; centroids: number[][] };
    assert.equal(s.kind, 'kmeans');
    assert.equal(s.samplesSeen, 1 + 138 + 138);
    assert.equal(s.modelVersion, Math.floor(277 / 32), 'one model version per full global batch of 32');
    assert.equal(s.predictions, 33);
    assert.equal(s.centroids.length, 3);
    assert.ok(s.centroids.flat().every(Number.isFinite));
    assert.ok(extra.all.some((m) => m.connector === 'iris-kmeans-flink'));
    assert.equal((extra.byArray as { prediction: number }).prediction, 0);
    assert.equal((extra.byArray as { modelVersion: number }).modelVersion, s.modelVersion);
    assert.equal((extra.byName as { prediction: number }).prediction, 2);
    assert.equal(extra.bad.status, 400);
    assert.match((extra.bad.body as { message: string }).message, /Expected 4 finite numbers/);
    assert.equal(extra.unknownStatus, 404);
  });

  test('spark mode: schemaless JSON, (label,cluster) tuples, every round at least as good, the last at least 9 of 11', async () => {
    const { result, output } = await runDemo('spark', async () => null);
    assertImproves(result.correct);
    for (const round of result.rounds) {
      assert.equal(round.lines.length, 11);
      // The label Spark printed is the row's iris_class as a double; the test rows arrive in the blog's order.
      round.lines.forEach((line, i) => assert.match(line, new RegExp(`^\\(${IRIS_BLOG_TEST[i]!.iris_class}\\.0,[012]\\)$`)));
      assert.equal(new Set(round.mapping).size, 3, 'the cluster → class matching is one-to-one');
    }
    assert.equal(output.filter((l) => l.startsWith('Time: ') && l.endsWith(' ms')).length, 3, 'one DStream.print header per round');
  });
});
