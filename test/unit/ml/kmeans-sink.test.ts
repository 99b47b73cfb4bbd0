/** The k-means sink task driven directly with SinkRecords and a context whose `produce` collects records. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrantRecordReporter, SinkTaskContext, TopicPartition } from '../../../src/connect/api/index.js';
import { Schema, SchemaBuilder, SinkRecord, type SourceRecord, Struct } from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';
import { KMeansSinkConnector } from '../../../ml-sinks/kmeans/connector.js';
import { KMeansSinkTask } from '../../../ml-sinks/kmeans/task.js';
import { mlTasks } from '../../../ml-sinks/common/registry.js';
import { type IrisRow, irisBlogSplit } from '../../../ml-sinks/datasets.js';

const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
type Row = [number, number, number, number, number];

/** The 11 test points of the blog, in its order, with their labels. */
const BLOG_TEST: Row[] = [
  [5.4, 3.7, 1.5, 0.2, 0], [4.8, 3.4, 1.6, 0.2, 0], [7.6, 3.0, 6.6, 2.1, 2], [6.4, 2.8, 5.6, 2.2, 2],
  [6.0, 2.7, 5.1, 1.6, 1], [5.4, 3.0, 4.5, 1.5, 1], [6.7, 3.1, 4.7, 1.5, 1], [5.5, 2.4, 3.8, 1.1, 1],
  [6.1, 2.8, 4.7, 1.2, 1], [4.3, 3.0, 1.1, 0.1, 0], [5.8, 2.7, 3.9, 1.2, 1],
];
const BLOG_FIRST_TABLE = [
  '[5.4, 3.7, 1.5, 0.2] is classified as 0', '[4.8, 3.4, 1.6, 0.2] is classified as 0', '[7.6, 3.0, 6.6, 2.1] is classified as 2',
  '[6.4, 2.8, 5.6, 2.2] is classified as 2', '[6.0, 2.7, 5.1, 1.6] is classified as 2', '[5.4, 3.0, 4.5, 1.5] is classified as 2',
  '[6.7, 3.1, 4.7, 1.5] is classified as 2', '[5.5, 2.4, 3.8, 1.1] is classified as 2', '[6.1, 2.8, 4.7, 1.2] is classified as 2',
  '[4.3, 3.0, 1.1, 0.1] is classified as 0', '[5.8, 2.7, 3.9, 1.2] is classified as 2',
];
const CENTROIDS = '6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0';

function valueSchema(topic: string): Schema {
  const b = SchemaBuilder.struct().name(`${topic}.Value`).field('id', SchemaBuilder.int32().defaultValue(0).build());
  for (const f of FIELDS) b.field(f, Schema.OPTIONAL_FLOAT64_SCHEMA);
  return b.field('iris_class', Schema.OPTIONAL_INT32_SCHEMA).build();
}

const offsets = new Map<string, number>();
function nextOffset(topic: string): number {
  const o = offsets.get(topic) ?? 0;
  offsets.set(topic, o + 1);
  return o;
}

/** A record as JsonConverter(schemas.enable=true) + ExtractNewRecordState give it: a Struct. */
function structRecord(topic: string, row: Row, id: number, offset = nextOffset(topic)): SinkRecord {
  const schema = valueSchema(topic);
  const s = new Struct(schema).put('id', id);
  FIELDS.forEach((f, i) => s.put(f, row[i]));
  s.put('iris_class', row[4]);
  return new SinkRecord({ topic, kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema: schema, value: s, timestamp: null });
}

/** A record as JsonConverter(schemas.enable=false) gives it: a Map. */
function mapRecord(topic: string, row: Row, id: number, offset = nextOffset(topic)): SinkRecord {
  const m = new Map<string, unknown>([['id', id]]);
  FIELDS.forEach((f, i) => m.set(f, row[i]));
  m.set('iris_class', row[4]);
  return new SinkRecord({ topic, kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema: null, value: m, timestamp: null });
}

function context(name: string, produced: SourceRecord[], reporter: ErrantRecordReporter | null = null): SinkTaskContext {
  return {
    taskId: { connector: name, task: 0 },
    configs: {},
    offset() {},
    timeout() {},
    assignment: () => [],
    pause() {},
    resume() {},
    requestCommit() {},
    errantRecordReporter: () => reporter,
    async produce(records) {
      produced.push(...records);
    },
  };
}

async function startTask(name: string, props: Record<string, string>, produced: SourceRecord[], reporter: ErrantRecordReporter | null = null) {
  const task = new KMeansSinkTask();
  task.initialize(context(name, produced, reporter));
  await task.start({ name, ...props });
  return task;
}

const FLINK_PROPS = {
  'connector.class': 'io.tsconnect.ml.KMeansSinkConnector',
  algorithm: 'flink',
  'initial.centroids': CENTROIDS,
  'train.topics': 'flink.public.iris_train',
  'predict.topics': 'flink.public.iris_test',
};

/** Deterministic pseudo-iris training rows around the three class means. */
function trainingRows(n: number): Row[] {
  const means: Row[] = [[5.0, 3.4, 1.5, 0.2, 0], [5.9, 2.8, 4.3, 1.3, 1], [6.6, 3.0, 5.6, 2.0, 2]];
  return Array.from({ length: n }, (_, i) => {
    const m = means[i % 3]!;
    const jitter = ((i * 37) % 11) / 50 - 0.1;
    return [m[0] + jitter, m[1] - jitter / 2, m[2] + jitter, m[3] + jitter / 4, m[4]];
  });
}

describe('KMeansSinkTask', () => {
  test("flink mode: the blog's first table, exactly, after train1's single row", async () => {
    const produced: SourceRecord[] = [];
    const task = await startTask('iris-flink-1', FLINK_PROPS, produced);
    await task.put([structRecord('flink.public.iris_train', [5.1, 3.5, 1.4, 0.2, 0], 1)]);
    assert.equal(produced.length, 0);
    await task.put(BLOG_TEST.map((r, i) => structRecord('flink.public.iris_test', r, i + 1)));
    assert.deepEqual(produced.map((r) => r.value), BLOG_FIRST_TABLE);
    assert.equal(produced[0]!.topic, 'iris_predictions');
    assert.equal(produced[0]!.valueSchema, Schema.STRING_SCHEMA);
    assert.equal(produced[0]!.key, null);
    const st = task.status();
    assert.equal(st.modelVersion, 0);
    assert.equal(st.samplesSeen, 1);
    assert.equal(st.pendingBatch, 1);
    assert.equal(st.predictions, 11);
    // 5 of 11 correct, as the blog says (cluster ids equal labels with these initial centroids).
    assert.equal(st.metrics['predictionAccuracy'], 5 / 11);
    assert.equal(mlTasks.get('iris-flink-1'), task);
    const p = await task.predict([5.4, 3.7, 1.5, 0.2]);
    assert.equal(p.prediction, 0);
    const q = await task.predict({ sepal_length: 7.6, sepal_width: 3.0, petal_length: 6.6, petal_width: 2.1 });
    assert.equal(q.prediction, 2);
    await task.stop();
    assert.equal(mlTasks.has('iris-flink-1'), false);
  });

  test("flink mode on the real iris rows (seeded split): the blog's 5, 7, then 9 of 11", async () => {
    const { test: testRows, train1, train2 } = irisBlogSplit(8);
    const toRow = (r: IrisRow): Row => [r.sepal_length, r.sepal_width, r.petal_length, r.petal_width, r.iris_class];
    const produced: SourceRecord[] = [];
    const task = await startTask('iris-flink-2', FLINK_PROPS, produced);
    let id = 0;
    const loadTest = async () => {
      produced.length = 0;
      await task.put(testRows.map((r) => structRecord('flink.public.iris_test', toRow(r), ++id)));
      return produced.filter((rec, i) => String(rec.value).endsWith(`classified as ${testRows[i]!.iris_class}`)).length;
    };
    await task.put(train1.map((r) => structRecord('flink.public.iris_train', toRow(r), ++id)));
    assert.equal(await loadTest(), 5);
    await task.put(train2.map((r) => structRecord('flink.public.iris_train', toRow(r), ++id)));
    assert.equal(task.status().modelVersion, 4); // 139 rows = 4 global batches of 32, 11 waiting
    assert.equal(await loadTest(), 7);
    await task.put(train2.map((r) => structRecord('flink.public.iris_train', toRow(r), ++id)));
    assert.equal(await loadTest(), 9);
    assert.ok((task.status().metrics['prequentialAccuracy'] ?? 0) > 0.6);
    await task.stop();
  });

  test("spark mode reads schemaless maps and prints (label,cluster) pairs; train before predict in one batch", async () => {
    const produced: SourceRecord[] = [];
    const task = await startTask('iris-spark', {
      algorithm: 'spark', 'initial.centroids': CENTROIDS, 'train.topics': 'spark.public.iris_train', 'predict.topics': 'spark.public.iris_test',
    }, produced);
    // train1's single row and the test rows in one delivery: the model is updated first (all weights 0:
    // the nearest centroid jumps onto the point; then the dying-cluster split copies it).
    await task.put([mapRecord('spark.public.iris_train', [5.1, 3.5, 1.4, 0.2, 0], 1), mapRecord('spark.public.iris_test', BLOG_TEST[0]!, 1)]);
    assert.equal(produced.length, 1);
    assert.match(String(produced[0]!.value), /^\(0\.0,[0-2]\)$/);
    const st = task.status();
    assert.equal(st.modelVersion, 1);
    assert.deepEqual(st.weights, [0.5, 0.5, 0]);
    await task.put(BLOG_TEST.map((r, i) => mapRecord('spark.public.iris_test', r, i + 2)));
    assert.deepEqual(produced.slice(1).map((r) => String(r.value).slice(0, 5)), BLOG_TEST.map((r) => `(${r[4]}.0,`));
    await task.stop();
  });

  test('checkpoint: a restarted task continues the model (and skips redelivered records)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmeans-ckpt-'));
    try {
      const props = { ...FLINK_PROPS, 'model.checkpoint.dir': dir, 'global.batch.size': '16', 'decay.factor': '0.9' };
      const rows = trainingRows(64);
      const recs = rows.map((r, i) => structRecord('flink.public.iris_train', r, i + 1, 1000 + i));

      const reference = await startTask('ref', { ...FLINK_PROPS, 'global.batch.size': '16', 'decay.factor': '0.9' }, []);
      await reference.put(recs);

      const first = await startTask('ckpt', props, []);
      await first.put(recs.slice(0, 40));
      const offsets = new Map<TopicPartition, number>();
      await first.preCommit(offsets);
      assert.equal(first.status().modelVersion, 2);
      await first.stop();

      const second = await startTask('ckpt', props, []);
      const st = second.status();
      assert.equal(st.modelVersion, 2);
      assert.equal(st.pendingBatch, 8);
      assert.equal(st.samplesSeen, 40);
      // The worker redelivers from its last committed offset: the first 40 are already in the model.
      await second.put(recs.slice(30));
      assert.equal(second.status().samplesSeen, 64);
      assert.equal(second.status().modelVersion, 4);
      assert.deepEqual(second.status().centroids, reference.status().centroids);
      assert.deepEqual(second.status().weights, reference.status().weights);
      await second.stop();
      await reference.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad records go to the errant record reporter and never reach the model; without one the task fails', async () => {
    const reported: Error[] = [];
    const reporter: ErrantRecordReporter = { async report(_r, e) { reported.push(e); } };
    const produced: SourceRecord[] = [];
    const task = await startTask('bad', FLINK_PROPS, produced, reporter);
    const missing = new SinkRecord({ topic: 'flink.public.iris_test', kafkaPartition: 1, kafkaOffset: 90, keySchema: null, key: null, valueSchema: null,
      value: new Map([['sepal_length', 1]]), timestamp: null });
    const nonNumeric = new SinkRecord({ topic: 'flink.public.iris_train', kafkaPartition: 1, kafkaOffset: 91, keySchema: null, key: null, valueSchema: null,
      value: new Map<string, unknown>([['sepal_length', 'abc'], ['sepal_width', 1], ['petal_length', 1], ['petal_width', 1]]), timestamp: null });
    const nan = new SinkRecord({ topic: 'flink.public.iris_train', kafkaPartition: 1, kafkaOffset: 92, keySchema: null, key: null, valueSchema: null,
      value: new Map<string, unknown>([['sepal_length', NaN], ['sepal_width', 1], ['petal_length', 1], ['petal_width', 1]]), timestamp: null });
    const unknownTopic = mapRecord('other.topic', BLOG_TEST[0]!, 1);
    await task.put([missing, nonNumeric, nan, unknownTopic, structRecord('flink.public.iris_test', BLOG_TEST[0]!, 1)]);
    assert.equal(reported.length, 4);
    assert.ok(reported.every((e) => e instanceof DataException));
    assert.equal(produced.length, 1);
    assert.equal(task.status().samplesSeen, 0);
    await task.stop();

    const strict = await startTask('strict', FLINK_PROPS, []);
    await assert.rejects(strict.put([missing]), DataException);
    await strict.stop();
  });

  test('first-points: predictions wait for a model, then come out', async () => {
    const produced: SourceRecord[] = [];
    const task = await startTask('held', { ...FLINK_PROPS, 'initial.centroids': '', k: '3', 'initial.model': 'first-points', 'output.format': 'json' }, produced);
    await task.put([structRecord('flink.public.iris_test', BLOG_TEST[0]!, 1)]);
    assert.equal(produced.length, 0);
    assert.equal(task.status().heldPredictions, 1);
    await task.put(trainingRows(3).map((r, i) => structRecord('flink.public.iris_train', r, i + 1)));
    assert.equal(produced.length, 1);
    const v = JSON.parse(String(produced[0]!.value));
    assert.deepEqual(v.features, [5.4, 3.7, 1.5, 0.2]);
    assert.equal(v.prediction, 0);
    assert.equal(v.label, 0);
    await task.stop();
  });
});

describe('KMeansSinkConnector', () => {
  test('one task, and cross-key validation errors', () => {
    const c = new KMeansSinkConnector();
    c.start(FLINK_PROPS);
    assert.equal(c.taskConfigs(4).length, 1);
    const bad = c.validate({ ...FLINK_PROPS, 'initial.centroids': '1,2;3' });
    assert.ok([...bad.values()].some((v) => v.errorMessages.some((m) => m.includes('differ in length'))));
    const width = c.validate({ ...FLINK_PROPS, 'initial.centroids': '1,2;3,4' });
    assert.ok([...width.values()].some((v) => v.errorMessages.some((m) => m.includes('features lists 4'))));
    const ok = c.validate(FLINK_PROPS);
    assert.ok([...ok.values()].every((v) => v.errorMessages.length === 0));
  });
});
