/**
 * Model checkpoints of the k-means and TensorFlow.js sinks on a compacted Kafka topic of a real broker
 * (`model.checkpoint.topic`): a restarted task (a new instance, same config) continues from the learned
 * model, a big model is chunked into several records, and a half-written checkpoint (parts without their
 * manifest) is never read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SinkTaskContext, TopicPartition } from '../../../src/connect/api/index.js';
import { topicPartition } from '../../../src/connect/api/index.js';
import { Schema, SinkRecord, type SourceRecord } from '../../../src/connect/data/index.js';
import { ConfigException, ConnectException } from '../../../src/connect/errors.js';
import { KafkaBasedLog, kafkaClientFor } from '../../../src/connect/storage/kafka/index.js';
import { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import type { CheckpointManifest } from '../../../ml-sinks/common/kafka-checkpoint-store.js';
import { seededShuffle } from '../../../ml-sinks/common/random.js';
import { loadIris, loadMnist } from '../../../ml-sinks/datasets.js';
import { KMeansSinkTask } from '../../../ml-sinks/kmeans/task.js';
import { parseKMeansConfig } from '../../../ml-sinks/kmeans/config.js';
import { TfjsClassifierSinkTask } from '../../../ml-sinks/tfjs/task.js';
import { startBroker, uniqueName } from '../kafka/helpers.js';

let cluster: KafkaCluster;
let backend: KafkaTopicBackend;
/** Tasks started and not stopped yet: a failed test's tasks are stopped before the broker. */
const live = new Set<{ stop(): Promise<void> }>();

async function stop(task: { stop(): Promise<void> }): Promise<void> {
  live.delete(task);
  await task.stop();
}

before(async () => {
  cluster = await startBroker();
  backend = KafkaTopicBackend.fromWorkerConfig({ 'bootstrap.servers': cluster.bootstrapServers });
  await backend.start();
});

after(async () => {
  for (const t of live) await t.stop().catch(() => undefined);
  await backend?.close();
  await cluster?.stop();
});

function context(name: string, produced: SourceRecord[] = []): SinkTaskContext {
  return {
    taskId: { connector: name, task: 0 }, configs: {}, offset() {}, timeout() {}, assignment: () => [], pause() {}, resume() {}, requestCommit() {},
    errantRecordReporter: () => null,
    async produce(records) { produced.push(...records); },
  };
}

function checkpointProps(topic: string): Record<string, string> {
  return { 'model.checkpoint.topic': topic, 'model.checkpoint.bootstrap.servers': cluster.bootstrapServers };
}

/** The latest value of every key of the topic (null = tombstone), read to the end. */
async function readTopic(topic: string): Promise<Map<string, Buffer | null>> {
  const latest = new Map<string, Buffer | null>();
  const props = { 'bootstrap.servers': cluster.bootstrapServers };
  const log = new KafkaBasedLog({
    backend, kafka: kafkaClientFor(props, 'checkpoint-reader'), topic: { name: topic, partitions: 1 }, topicKey: 'model.checkpoint.topic',
    clientId: 'checkpoint-reader', onRecord: (r) => latest.set(r.key!.toString('utf8'), r.value),
  });
  await log.start();
  await log.stop();
  return latest;
}

function manifestOf(records: Map<string, Buffer | null>, key: string): CheckpointManifest {
  const v = records.get(key);
  assert.ok(v, `no manifest under ${key}`);
  return JSON.parse(v.toString('utf8')) as CheckpointManifest;
}

/** Keys of parts that are live (not deleted by a tombstone). */
function liveParts(records: Map<string, Buffer | null>, key: string): string[] {
  return [...records].filter(([k, v]) => k.startsWith(`${key}/`) && v !== null).map(([k]) => k).sort();
}

// --- k-means ------------------------------------------------------------------------------------------

const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
const IRIS = seededShuffle(loadIris(), 3);
const KMEANS = {
  'connector.class': 'io.tsconnect.ml.KMeansSinkConnector',
  algorithm: 'flink',
  'initial.centroids': '6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0',
  'train.topics': 'iris_train',
  'predict.topics': 'iris_test',
  'global.batch.size': '16',
  'decay.factor': '0.9',
};

/** Iris rows as the schemaless JsonConverter gives them (Map values), on `topic` from offset `first`. */
function irisFieldRecords(topic: string, from: number, to: number): SinkRecord[] {
  return IRIS.slice(from, to).map((r, i) => new SinkRecord({
    topic, kafkaPartition: 0, kafkaOffset: from + i, keySchema: null, key: null, valueSchema: null,
    value: new Map<string, unknown>([...FIELDS.map((f) => [f, r[f]] as [string, unknown]), ['iris_class', r.iris_class]]), timestamp: null,
  }));
}

async function startKMeans(name: string, props: Record<string, string>): Promise<KMeansSinkTask> {
  const task = new KMeansSinkTask();
  task.initialize(context(name));
  await task.start({ name, ...KMEANS, ...props });
  live.add(task);
  return task;
}

describe('k-means sink checkpoints on a compacted topic', () => {
  test('a restarted task continues from the learned model (same centroids, weights and version)', async () => {
    const topic = uniqueName('model-checkpoints');
    const recs = irisFieldRecords('iris_train', 0, 64);
    const reference = await startKMeans('km-ref', {});
    await reference.put(recs);

    const first = await startKMeans('km', checkpointProps(topic));
    await first.put(recs.slice(0, 40));
    await first.preCommit(new Map());
    const learned = first.status();
    assert.equal(learned.modelVersion, 2);

    // The checkpoint is on the topic before preCommit returned: compacted, keyed <connector>-<task>.
    const desc = await backend.describeTopic(topic);
    assert.equal(desc?.configs['cleanup.policy'], 'compact');
    const records = await readTopic(topic);
    const m = manifestOf(records, 'km-0');
    assert.equal(m.kind, 'kmeans');
    assert.equal(m.version, 2);
    assert.deepEqual(liveParts(records, 'km-0'), [`km-0/${m.id}/0`]);
    assert.equal(learned['checkpoint'], `${topic}/km-0`);
    await stop(first);

    const second = await startKMeans('km', checkpointProps(topic));
    const st = second.status();
    assert.equal(st.modelVersion, 2);
    assert.equal(st.samplesSeen, 40);
    assert.equal(st.pendingBatch, 8);
    assert.deepEqual(st.centroids, learned.centroids);
    assert.deepEqual(st.weights, learned.weights);
    // Redelivered from an older offset: the first 40 are in the model already and are skipped.
    await second.put(recs.slice(30));
    assert.equal(second.status().samplesSeen, 64);
    assert.equal(second.status().modelVersion, 4);
    assert.deepEqual(second.status().centroids, reference.status().centroids);
    assert.deepEqual(second.status().weights, reference.status().weights);
    await stop(second);
    await stop(reference);

    // stop() wrote the final model; a third start sees version 4.
    const third = await startKMeans('km', checkpointProps(topic));
    assert.equal(third.status().modelVersion, 4);
    assert.deepEqual(third.status().centroids, reference.status().centroids);
    await stop(third);
  });

  test('a half-written checkpoint is ignored, then cleaned up; a manifest whose parts are gone fails the task', async () => {
    const topic = uniqueName('model-checkpoints');
    const recs = irisFieldRecords('iris_train', 0, 64);
    const first = await startKMeans('half', checkpointProps(topic));
    await first.put(recs.slice(0, 32));
    await first.preCommit(new Map());
    const learned = first.status();
    await stop(first);

    // A writer that died after two parts of a newer checkpoint, before its manifest.
    const producer = backend.producer({ clientId: 'crashed-writer' });
    const orphans = ['half-0/3-deadbeef/0', 'half-0/3-deadbeef/1'];
    await producer.send(orphans.map((k, i) => ({ topic, key: Buffer.from(k), value: Buffer.from(i === 0 ? '{"format":"tsconnect.kmeans/1","mode' : 'l":null}') })));

    const second = await startKMeans('half', checkpointProps(topic));
    assert.equal(second.status().modelVersion, learned.modelVersion);
    assert.equal(second.status().samplesSeen, 32);
    assert.deepEqual(second.status().centroids, learned.centroids);
    await second.put(recs.slice(32));
    await second.preCommit(new Map());
    assert.equal(second.status().modelVersion, 4);

    // After the save only the new checkpoint's part is live: replaced and orphaned parts got tombstones.
    const records = await readTopic(topic);
    const m = manifestOf(records, 'half-0');
    assert.equal(m.version, 4);
    assert.deepEqual(liveParts(records, 'half-0'), [`half-0/${m.id}/0`]);
    for (const k of orphans) assert.equal(records.get(k), null);
    await stop(second);

    // A manifest naming parts the topic does not have: the model cannot be restored, and the task says so.
    const broken: CheckpointManifest = { ...m, id: '9-gone', parts: 1 };
    await producer.send([{ topic, key: Buffer.from('half-0'), value: Buffer.from(JSON.stringify(broken)) }]);
    await producer.close();
    await assert.rejects(startKMeans('half', checkpointProps(topic)), (e: unknown) => e instanceof ConnectException && /misses its record half-0\/9-gone\/0/.test(e.message));
  });

  test('an existing checkpoint topic that is not compacted is refused', async () => {
    const topic = uniqueName('not-compacted');
    await backend.createTopics([{ name: topic, partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete' } }]);
    await assert.rejects(startKMeans('del', checkpointProps(topic)), (e: unknown) => e instanceof ConfigException && /cleanup\.policy=compact/.test(e.message));
  });

  test('configuration: the topic needs bootstrap servers and excludes the file keys', () => {
    assert.throws(() => parseKMeansConfig({ ...KMEANS, 'model.checkpoint.topic': 't' }), ConfigException);
    assert.throws(() => parseKMeansConfig({ ...KMEANS, ...checkpointProps('t'), 'model.checkpoint.dir': '/tmp/x' }), ConfigException);
    const c = parseKMeansConfig({ ...KMEANS, ...checkpointProps('t'), 'model.checkpoint.security.protocol': 'PLAINTEXT' });
    assert.equal(c.checkpoint.topic, 't');
    assert.deepEqual(c.checkpoint.clientProps, { 'security.protocol': 'PLAINTEXT' });
  });
});

// --- TensorFlow.js ------------------------------------------------------------------------------------

const TINY = {
  'train.topics': 'tiny_train',
  'predict.topics': 'tiny_test',
  'input.format': 'fields',
  features: FIELDS.join(','),
  'label.field': 'iris_class',
  'hidden.layers': '8',
  'num.classes': '3',
  scale: '1',
  'training.mode': 'online',
  'batch.size': '8',
  'stream.timeout.ms': '600000',
  backend: 'cpu',
};

function csvRecords(topic: string, rows: { label: number; csv: string }[], first = 0): SinkRecord[] {
  return rows.map((r, i) => new SinkRecord({
    topic, kafkaPartition: 0, kafkaOffset: first + i, keySchema: Schema.STRING_SCHEMA, key: String(r.label),
    valueSchema: Schema.STRING_SCHEMA, value: r.csv, timestamp: null,
  }));
}

async function startTfjs(name: string, props: Record<string, string>): Promise<TfjsClassifierSinkTask> {
  const task = new TfjsClassifierSinkTask();
  task.initialize(context(name));
  await task.start({ name, ...props });
  live.add(task);
  return task;
}

describe('TensorFlow.js sink checkpoints on a compacted topic', () => {
  test('a tiny model, chunked into 1 KiB records, continues after a restart with the same weights and version', async () => {
    const topic = uniqueName('model-checkpoints');
    const props = { ...TINY, ...checkpointProps(topic), 'model.checkpoint.part.bytes': '1024' };
    const probe = [5.9, 3.0, 4.2, 1.5];
    const first = await startTfjs('tiny', props);
    await first.put(irisFieldRecords('tiny_train', 0, 64));
    assert.equal(first.status().modelVersion, 8); // a step per mini-batch of 8
    const tp = topicPartition('tiny_train', 0);
    const safe = await first.preCommit(new Map<TopicPartition, number>([[tp, 64]]));
    assert.equal(safe.get(tp), 64);
    const before = await first.predict(probe);
    await stop(first);

    const records = await readTopic(topic);
    const m = manifestOf(records, 'tiny-0');
    assert.equal(m.kind, 'tfjs');
    assert.equal(m.version, 8);
    assert.deepEqual(m.files.map((f) => f.name), ['model.json', 'weights.bin', 'state.json']);
    assert.equal(m.parts, Math.ceil(m.bytes / 1024));
    assert.ok(m.parts > 1, `${m.parts} parts`);
    assert.equal(liveParts(records, 'tiny-0').length, m.parts);

    const second = await startTfjs('tiny', props);
    assert.equal(second.status().modelVersion, 8);
    assert.equal(second.status().samplesSeen, 64);
    assert.deepEqual(await second.predict(probe), before);
    // Redelivery from offset 56 plus 16 new records: 8 skipped, 16 trained (two more steps).
    await second.put(irisFieldRecords('tiny_train', 56, 80));
    assert.equal(second.status().samplesSeen, 80);
    assert.equal(second.status().modelVersion, 10);
    await stop(second);
  });

  test("the blog's model (784-128-10, ~400 KB of weights) round-trips in two records of the default size", async () => {
    const topic = uniqueName('model-checkpoints');
    const props = {
      'train.topics': 'mnist_train', 'predict.topics': 'mnist_test', 'training.mode': 'online', 'stream.timeout.ms': '600000',
      ...checkpointProps(topic),
    };
    const images = loadMnist('train', 64);
    const rows = images.map((im) => ({ label: im.label, csv: Array.from(im.pixels).join(',') }));
    const first = await startTfjs('mnist', props);
    await first.put(csvRecords('mnist_train', rows));
    assert.equal(first.status().modelVersion, 1);
    await first.flush();
    const probe = { csv: rows[0]!.csv };
    const before = await first.predict(probe);
    await stop(first);

    const m = manifestOf(await readTopic(topic), 'mnist-0');
    assert.ok(m.files.find((f) => f.name === 'weights.bin')!.bytes > 400_000);
    assert.equal(m.parts, 2);

    const second = await startTfjs('mnist', props);
    assert.equal(second.status().modelVersion, 1);
    assert.deepEqual(await second.predict(probe), before);
    await stop(second);
  });
});
