/**
 * Online k-means: update speed against a plain typed-array loop measured in the same run, and the
 * prediction latency from the commit of an iris_test row to its line on `iris_predictions`.
 *
 *   node --import tsx bench/ml-kmeans.bench.ts
 *   BENCH_POINTS=1000000 BENCH_LATENCY_ROWS=200 BENCH_REPEAT=3 node --import tsx bench/ml-kmeans.bench.ts
 *
 * update: BENCH_POINTS 4-d points (iris rows plus noise), k = 3, euclidean.
 *   - flink rule: FlinkOnlineKMeans.train point by point (global batches of 32);
 *   - spark rule: SparkStreamingKMeans.update on micro-batches of 500;
 *   - sink put: KMeansSinkTask.put of SinkRecords whose values are Structs (what JsonConverter +
 *     ExtractNewRecordState hand the sink), flink rule, 500 records per put;
 *   reference: the same rule written as one plain loop over a Float64Array (no classes, no records).
 *   Best of BENCH_REPEAT runs each.
 * latency: the iris demo's pipeline in flink mode (throwaway PostgreSQL, the blog's connector JSON,
 *   the embedded log, the k-means sink); one iris_test row INSERTed (autocommit) at a time, timed from
 *   the INSERT's return (the commit) until its line is read from iris_predictions.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { irisBlogSplit, loadIris } from '../ml-sinks/datasets.js';
import { seededRandom } from '../ml-sinks/common/random.js';
import { distanceMeasure } from '../ml-sinks/kmeans/distance.js';
import { FlinkOnlineKMeans } from '../ml-sinks/kmeans/flink.js';
import { KMeansModel } from '../ml-sinks/kmeans/model.js';
import { SparkStreamingKMeans } from '../ml-sinks/kmeans/spark.js';
import { KMeansSinkTask } from '../ml-sinks/kmeans/task.js';
import type { SinkTaskContext } from '../src/connect/api/index.js';
import { Schema, SchemaBuilder, SinkRecord, Struct } from '../src/connect/data/index.js';
import { irisConnector, irisInsert, irisKMeansConnector } from '../src/demo/iris.js';
import { TopicTail, postConnector, getJson, withDemoEnvironment } from '../src/demo/support.js';

const N = Number(process.env.BENCH_POINTS ?? 1_000_000);
const LATENCY_ROWS = Number(process.env.BENCH_LATENCY_ROWS ?? 200);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const K = 3;
const DIM = 4;
const INIT = [[6, 3, 1, 0], [6, 3, 2, 1], [6, 3, 3, 2]];

function points(): Float64Array {
  const iris = loadIris();
  const rnd = seededRandom(1);
  const out = new Float64Array(N * DIM);
  for (let p = 0; p < N; p++) {
    const r = iris[p % iris.length]!;
    const v = [r.sepal_length, r.sepal_width, r.petal_length, r.petal_width];
    for (let j = 0; j < DIM; j++) out[p * DIM + j] = v[j]! + (rnd() - 0.5) * 0.2;
  }
  return out;
}

/** The mini-batch rule (n' = a·n + m, c' = (a·n·c + Σx)/(a·n + m)) as one plain loop. */
function plainLoop(data: Float64Array, batch: number, decay: number): Float64Array {
  const c = Float64Array.from(INIT.flat());
  const w = new Float64Array(K);
  const sums = new Float64Array(K * DIM);
  const counts = new Float64Array(K);
  for (let start = 0; start + batch <= N; start += batch) {
    sums.fill(0);
    counts.fill(0);
    for (let p = start; p < start + batch; p++) {
      let best = 0;
      let bestD = Infinity;
      for (let i = 0; i < K; i++) {
        let d = 0;
        for (let j = 0; j < DIM; j++) {
          const x = data[p * DIM + j]! - c[i * DIM + j]!;
          d += x * x;
        }
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      counts[best]!++;
      for (let j = 0; j < DIM; j++) sums[best * DIM + j] += data[p * DIM + j]!;
    }
    for (let i = 0; i < K; i++) {
      w[i] *= decay;
      const m = counts[i]!;
      if (m === 0) continue;
      w[i] += m;
      const lambda = m / w[i]!;
      for (let j = 0; j < DIM; j++) c[i * DIM + j] = (1 - lambda) * c[i * DIM + j]! + (lambda / m) * sums[i * DIM + j]!;
    }
  }
  return c;
}

function best(fn: () => void): number {
  let b = Infinity;
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, (performance.now() - t0) / 1000);
  }
  return b;
}

const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

function structRecords(data: Float64Array, count: number): SinkRecord[] {
  const b = SchemaBuilder.struct().name('flink.public.iris_train.Value').field('id', SchemaBuilder.int32().defaultValue(0).build());
  for (const f of FIELDS) b.field(f, Schema.OPTIONAL_FLOAT64_SCHEMA);
  const schema = b.field('iris_class', Schema.OPTIONAL_INT32_SCHEMA).build();
  return Array.from({ length: count }, (_, p) => {
    const s = new Struct(schema).put('id', p + 1);
    FIELDS.forEach((f, j) => s.put(f, data[p * DIM + j]));
    s.put('iris_class', 0);
    return new SinkRecord({ topic: 'flink.public.iris_train', kafkaPartition: 0, kafkaOffset: p, keySchema: null, key: null, valueSchema: schema, value: s, timestamp: null });
  });
}

async function sinkPut(records: SinkRecord[]): Promise<number> {
  const ctx: SinkTaskContext = {
    taskId: { connector: 'bench', task: 0 }, configs: {}, offset() {}, timeout() {}, assignment: () => [], pause() {}, resume() {}, requestCommit() {},
    errantRecordReporter: () => null,
    async produce() {},
  };
  let bestS = Infinity;
  for (let r = 0; r < REPEAT; r++) {
    const task = new KMeansSinkTask();
    task.initialize(ctx);
    await task.start({ name: 'bench', 'train.topics': 'flink.public.iris_train', 'initial.centroids': INIT.map((c) => c.join(',')).join(';'), 'label.field': '' });
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += 500) await task.put(records.slice(i, i + 500));
    bestS = Math.min(bestS, (performance.now() - t0) / 1000);
    await task.stop();
  }
  return bestS;
}

async function latency(): Promise<number[]> {
  const ms: number[] = [];
  await withDemoEnvironment({ dataDir: DATA_DIR, port: 0, keepRunning: false, out: () => undefined, tty: false }, async (ctx) => {
    const split = irisBlogSplit();
    await ctx.db.query('CREATE TABLE iris_train(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int);');
    await ctx.db.query('CREATE TABLE iris_test(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int);');
    for (const r of split.train2) await ctx.db.query(irisInsert('iris_train', r));
    const tail = await TopicTail.open(ctx, 'iris_predictions');
    await postConnector(ctx.url, irisConnector('flink', ctx.pg));
    await postConnector(ctx.url, irisKMeansConnector('flink'));
    for (;;) {
      const s = await getJson<{ samplesSeen: number }>(`${ctx.url}/ml/iris-kmeans-flink`).catch(() => null);
      if (s && s.samplesSeen >= split.train2.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 0; i < LATENCY_ROWS + 5; i++) {
      const row = split.test[i % split.test.length]!;
      await ctx.db.query(irisInsert('iris_test', row));
      const t0 = performance.now();
      await tail.read(1, { timeoutMs: 30_000 });
      if (i >= 5) ms.push(performance.now() - t0); // the first rows warm the path up
    }
    await tail.close();
  });
  return ms;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const DATA_DIR = join(tmpdir(), `tsconnect-bench-kmeans-${process.pid}`);

async function main(): Promise<void> {
  const data = points();
  const euclid = distanceMeasure('euclidean');
  process.stdout.write(`k-means bench: ${N.toLocaleString('en-US')} points, k=${K}, dim=${DIM}, best of ${REPEAT}\n`);

  const refFlink = best(() => plainLoop(data, 32, 0));
  const flink = best(() => {
    const km = new FlinkOnlineKMeans({ globalBatchSize: 32, decayFactor: 0, distance: euclid }, KMeansModel.of(INIT));
    for (let p = 0; p < N; p++) km.train(data.subarray(p * DIM, (p + 1) * DIM));
  });
  const refSpark = best(() => plainLoop(data, 500, 1));
  const spark = best(() => {
    const km = new SparkStreamingKMeans({ decayFactor: 1, timeUnit: 'batches', distance: euclid }, KMeansModel.of(INIT));
    for (let p = 0; p + 500 <= N; p += 500) km.update(data.subarray(p * DIM, (p + 500) * DIM), 500);
  });
  const sinkN = Math.min(N, 200_000);
  const records = structRecords(data, sinkN);
  const sink = await sinkPut(records);
  const refSink = (refFlink * sinkN) / N;

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
  const rows = [
    ['flink rule (train per point, batch 32)', rate(N, flink), rate(N, refFlink), (refFlink / flink).toFixed(2)],
    ['spark rule (update per batch of 500)', rate(N, spark), rate(N, refSpark), (refSpark / spark).toFixed(2)],
    [`sink put, Struct records (${sinkN.toLocaleString('en-US')})`, rate(sinkN, sink), rate(sinkN, refSink), (refSink / sink).toFixed(2)],
  ];
  const head = ['update', 'points/s', 'plain loop points/s', 'ratio (goal >= 0.5)'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n${fmt(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(fmt).join('\n')}\n`);

  const ms = (await latency()).sort((a, b) => a - b);
  process.stdout.write(`\nprediction latency, commit of an iris_test row -> its line on iris_predictions (${ms.length} rows)\n`);
  process.stdout.write(`p50 ${pct(ms, 50).toFixed(1)} ms   p90 ${pct(ms, 90).toFixed(1)} ms   p99 ${pct(ms, 99).toFixed(1)} ms   max ${ms.at(-1)!.toFixed(1)} ms\n`);
  await rm(DATA_DIR, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
