/**
 * The offset, config and status stores: one suite run against every implementation (memory, file, Kafka
 * topics on a real broker), then the Kafka stores' records checked byte for byte against Kafka Connect's
 * formats (spec §5), and records written in the JVM worker's format read back by our stores.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ConfigBackingStore, FileConfigStore, MemoryConfigStore } from '../../../src/connect/storage/config-store.js';
import { createKafkaStores, KafkaConfigStore, KafkaOffsetStore, KafkaStatusStore, kafkaStoreOptions } from '../../../src/connect/storage/kafka/index.js';
import { FileOffsetStore, MemoryOffsetStore, type OffsetBackingStore, offsetKey } from '../../../src/connect/storage/offset-store.js';
import { MemoryStatusStore, type StatusBackingStore } from '../../../src/connect/storage/status-store.js';
import type { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { ConsumedRecord } from '../../../src/connect/topics/types.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { FAST_GROUP, javaPartitions, pollUntil, startBrokerWithBackend, stopBrokerWithBackend, uniqueName } from '../kafka/helpers.js';

interface Impl<S> {
  name: string;
  /** A store on the same underlying data each call (a "restart"), or a fresh one when `fresh`. */
  open(fresh: boolean): Promise<S>;
  close(s: S): Promise<void>;
  durable: boolean;
}

let cluster: KafkaCluster;
let backend: KafkaTopicBackend;
const dir = mkdtempSync(join(tmpdir(), 'tsconnect-stores-'));

function workerProps(suffix: string): Record<string, string> {
  return {
    'bootstrap.servers': cluster.bootstrapServers,
    'group.id': `g-${suffix}`,
    'offset.storage.topic': `offsets-${suffix}`,
    'config.storage.topic': `configs-${suffix}`,
    'status.storage.topic': `status-${suffix}`,
    'offset.storage.replication.factor': '1',
    'config.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
  };
}

interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A file-backed store: `fresh` moves on to a new file, otherwise the last file is reopened. */
function fileImpl<S extends Lifecycle>(kind: string, make: (path: string) => S): Impl<S> {
  let n = 0;
  return {
    name: 'file',
    durable: true,
    open: async (fresh) => {
      if (fresh) n++;
      const s = make(join(dir, `${kind}-${n}.json`));
      await s.start();
      return s;
    },
    close: (s) => s.stop(),
  };
}

/** A store on Kafka topics: `fresh` moves on to new topics, otherwise the last ones are read again. */
function kafkaImpl<S extends Lifecycle>(prefix: string, make: (props: Record<string, string>) => S): Impl<S> {
  let props: Record<string, string> = {};
  return {
    name: 'kafka',
    durable: true,
    open: async (fresh) => {
      if (fresh) props = workerProps(uniqueName(prefix));
      const s = make(props);
      await s.start();
      return s;
    },
    close: (s) => s.stop(),
  };
}

function offsetImpls(): Impl<OffsetBackingStore>[] {
  return [
    { name: 'memory', durable: false, open: async () => new MemoryOffsetStore(), close: async () => undefined },
    fileImpl('offsets', (path) => new FileOffsetStore(path)),
    kafkaImpl('o', (props) => new KafkaOffsetStore(kafkaStoreOptions(props, 'offset', backend))),
  ];
}

function configImpls(): Impl<ConfigBackingStore>[] {
  return [
    { name: 'memory', durable: false, open: async () => new MemoryConfigStore(), close: async () => undefined },
    fileImpl('configs', (path) => new FileConfigStore(path)),
    kafkaImpl('c', (props) => new KafkaConfigStore(kafkaStoreOptions(props, 'config', backend))),
  ];
}

function statusImpls(): Impl<StatusBackingStore>[] {
  return [
    { name: 'memory', durable: false, open: async () => new MemoryStatusStore(), close: async () => undefined },
    kafkaImpl('s', (props) => new KafkaStatusStore(kafkaStoreOptions(props, 'status', backend))),
  ];
}

before(async () => {
  ({ cluster, backend } = await startBrokerWithBackend());
});

after(async () => {
  await stopBrokerWithBackend({ cluster, backend });
  rmSync(dir, { recursive: true, force: true });
});

describe('OffsetBackingStore (every implementation)', () => {
  for (const impl of offsetImpls()) {
    test(`${impl.name}: set, get, delete, entries${impl.durable ? ', kept across a restart' : ''}`, async () => {
      const s = await impl.open(true);
      const k1 = offsetKey('src', { filename: '/a' });
      const k2 = offsetKey('src', { filename: '/b' });
      const big = offsetKey('src', { id: 9007199254740993n });
      await s.set(new Map([[k1, '{"position":1}'], [k2, '{"position":2}'], [big, '{"lsn":18446744073709551615}']]));
      assert.deepEqual(await s.get([k1, 'missing']), new Map([[k1, '{"position":1}'], ['missing', null]]));
      await s.set(new Map([[k1, '{"position":10}'], [k2, null]]));
      assert.deepEqual(await s.entries(), new Map([[k1, '{"position":10}'], [big, '{"lsn":18446744073709551615}']]));
      await impl.close(s);
      if (!impl.durable) return;
      const again = await impl.open(false);
      assert.deepEqual(await again.entries(), new Map([[k1, '{"position":10}'], [big, '{"lsn":18446744073709551615}']]));
      await impl.close(again);
    });
  }
});

describe('ConfigBackingStore (every implementation)', () => {
  for (const impl of configImpls()) {
    test(`${impl.name}: connector configs, target states, task configs, removal${impl.durable ? ', kept across a restart' : ''}`, async () => {
      const s = await impl.open(true);
      await s.putConnectorConfig('a', { name: 'a', 'connector.class': 'X' });
      await s.putConnectorConfig('b', { name: 'b', 'connector.class': 'Y' }, 'PAUSED');
      assert.deepEqual(s.get('a'), { config: { name: 'a', 'connector.class': 'X' }, targetState: 'STARTED', taskConfigs: null });
      assert.equal(s.get('b')?.targetState, 'PAUSED');
      await s.putTaskConfigs('a', [{ t: '0' }, { t: '1' }]);
      await s.putTargetState('a', 'STOPPED');
      await s.putConnectorConfig('a', { name: 'a', 'connector.class': 'X', extra: 'y' });
      assert.deepEqual(s.get('a'), { config: { name: 'a', 'connector.class': 'X', extra: 'y' }, targetState: 'STOPPED', taskConfigs: [{ t: '0' }, { t: '1' }] });
      await s.removeConnector('b');
      assert.equal(s.get('b'), undefined);
      assert.deepEqual(s.connectors(), ['a']);
      await impl.close(s);
      if (!impl.durable) return;
      const again = await impl.open(false);
      assert.deepEqual(again.connectors(), ['a']);
      assert.deepEqual(again.get('a'), { config: { name: 'a', 'connector.class': 'X', extra: 'y' }, targetState: 'STOPPED', taskConfigs: [{ t: '0' }, { t: '1' }] });
      await impl.close(again);
    });
  }
});

describe('StatusBackingStore (every implementation)', () => {
  for (const impl of statusImpls()) {
    test(`${impl.name}: connector, task and topic statuses${impl.durable ? ', kept across a restart' : ''}`, async () => {
      const s = await impl.open(true);
      const running = { state: 'RUNNING' as const, trace: null, workerId: 'w1:8083', generation: 3 };
      s.putConnector('c', running);
      s.putTask('c', 0, running);
      s.putTask('c', 1, { ...running, state: 'FAILED', trace: 'boom' });
      s.addActiveTopic('c', 't1');
      s.addActiveTopic('c', 't2');
      s.removeTask('c', 0);
      assert.deepEqual(s.connector('c'), running);
      assert.deepEqual([...s.tasks('c').keys()], [1]);
      assert.deepEqual(s.activeTopics('c'), ['t1', 't2']);
      s.resetActiveTopics('c');
      s.addActiveTopic('c', 't3');
      assert.deepEqual(s.activeTopics('c'), ['t3']);
      await impl.close(s);
      if (!impl.durable) return;
      const again = await impl.open(false);
      assert.deepEqual(again.connector('c'), running);
      assert.deepEqual(again.task('c', 1), { ...running, state: 'FAILED', trace: 'boom' });
      assert.equal(again.task('c', 0), undefined);
      assert.deepEqual(again.activeTopics('c'), ['t3']);
      await impl.close(again);
    });
  }
});

/** Every record of `topic`, through a plain consumer group (not our log reader). */
async function rawRecords(topic: string, count: number): Promise<ConsumedRecord[]> {
  const c = backend.consumer(uniqueName('raw'), { clientId: 'raw', properties: FAST_GROUP });
  await c.subscribe([topic]);
  const out = await pollUntil(c, count, 30_000);
  await c.close();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

describe('Kafka stores write Kafka Connect formats', () => {
  test('topics are compacted with 25 / 1 / 5 partitions; records have the JVM keys, values and partitions', async () => {
    const props = workerProps(uniqueName('fmt'));
    const stores = createKafkaStores(props, backend);
    await Promise.all([stores.offsets.start(), stores.configs.start(), stores.statuses.start()]);
    for (const [key, partitions] of [['offset', 25], ['config', 1], ['status', 5]] as const) {
      const d = await backend.describeTopic(props[`${key}.storage.topic`]!);
      assert.equal(d?.partitions, partitions, key);
      assert.equal(d?.configs['cleanup.policy'], 'compact', key);
    }

    const keys = [offsetKey('local-file-source', { filename: '/data/test.txt' }), offsetKey('pg', { server: 'flink' })];
    await stores.offsets.set(new Map([[keys[0]!, '{"position":1234}'], [keys[1]!, null]]));
    const offsets = await rawRecords(props['offset.storage.topic']!, 2);
    assert.deepEqual(offsets.map((r) => [text(r.key), text(r.value)]).sort(), [
      ['["local-file-source",{"filename":"/data/test.txt"}]', '{"position":1234}'],
      ['["pg",{"server":"flink"}]', null],
    ]);
    const java = javaPartitions(keys, 25);
    for (const r of offsets) assert.equal(r.partition, java[keys.indexOf(text(r.key)!)], `partition of ${text(r.key)}`);

    await stores.configs.putConnectorConfig('c', { name: 'c', 'connector.class': 'FileStreamSource' }, 'PAUSED');
    await stores.configs.putTaskConfigs('c', [{ 'task.class': 'T', file: '/x' }]);
    await stores.configs.putTargetState('c', 'STOPPED');
    await stores.configs.putRestartRequest('c', { includeTasks: true, onlyFailed: false });
    await stores.configs.removeConnector('c');
    const configs = await rawRecords(props['config.storage.topic']!, 8);
    assert.deepEqual(
      configs.map((r) => [r.partition, text(r.key), text(r.value)]),
      [
        [0, 'target-state-c', '{"state":"PAUSED","state.v2":"PAUSED"}'],
        [0, 'connector-c', '{"properties":{"name":"c","connector.class":"FileStreamSource"}}'],
        [0, 'task-c-0', '{"properties":{"task.class":"T","file":"/x"}}'],
        [0, 'commit-c', '{"tasks":1}'],
        [0, 'target-state-c', '{"state":"PAUSED","state.v2":"STOPPED"}'],
        [0, 'restart-connector-c', '{"include-tasks":true,"only-failed":false}'],
        [0, 'connector-c', null],
        [0, 'target-state-c', null],
      ],
    );

    stores.statuses.putConnector('c', { state: 'RUNNING', trace: null, workerId: '10.0.0.5:8083', generation: 3 });
    stores.statuses.putTask('c', 0, { state: 'FAILED', trace: 'java.lang.Exception: x\n\tat y', workerId: '10.0.0.5:8083', generation: 3 });
    stores.statuses.addActiveTopic('c', 'topic-a');
    stores.statuses.removeTask('c', 0);
    await stores.statuses.flush();
    const statuses = await rawRecords(props['status.storage.topic']!, 4);
    const byKey = statuses.map((r) => [text(r.key), text(r.value)]);
    assert.deepEqual(byKey.find(([k]) => k === 'status-connector-c'), ['status-connector-c', '{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":3}']);
    assert.deepEqual(
      byKey.filter(([k]) => k === 'status-task-c-0'),
      [
        ['status-task-c-0', '{"state":"FAILED","trace":"java.lang.Exception: x\\n\\tat y","worker_id":"10.0.0.5:8083","generation":3}'],
        ['status-task-c-0', null],
      ],
    );
    const topicRecord = byKey.find(([k]) => k === 'status-topic-topic-a:connector-c');
    assert.match(topicRecord![1]!, /^\{"topic":\{"name":"topic-a","connector":"c","task":0,"discoverTimestamp":\d+\}\}$/);
    const statusKeys = ['status-connector-c', 'status-task-c-0', 'status-topic-topic-a:connector-c'];
    const javaStatus = javaPartitions(statusKeys, 5);
    for (const r of statuses) assert.equal(r.partition, javaStatus[statusKeys.indexOf(text(r.key)!)], `partition of ${text(r.key)}`);

    await Promise.all([stores.offsets.stop(), stores.configs.stop(), stores.statuses.stop()]);
  });

  test('records a JVM worker wrote are read by our stores', async () => {
    const props = workerProps(uniqueName('jvm'));
    // Topics as a JVM worker would have created them, then its records (exact JVM bytes).
    await backend.createTopics([
      { name: props['config.storage.topic']!, partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
      { name: props['offset.storage.topic']!, partitions: 25, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
      { name: props['status.storage.topic']!, partitions: 5, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    const p = backend.producer({ clientId: 'jvm' });
    const rec = (topic: string, key: string, value: string | null) => ({ topic, key: Buffer.from(key), value: value === null ? null : Buffer.from(value) });
    const ct = props['config.storage.topic']!;
    await p.send([
      rec(ct, 'session-key', '{"key":"c2VjcmV0","algorithm":"HmacSHA256","creation-timestamp":1700000000000}'),
      rec(ct, 'connector-jdbc', '{"properties":{"connector.class":"io.confluent.connect.jdbc.JdbcSourceConnector","tasks.max":"2","name":"jdbc"}}'),
      rec(ct, 'task-jdbc-0', '{"properties":{"table":"a"}}'),
      rec(ct, 'task-jdbc-1', '{"properties":{"table":"b"}}'),
      rec(ct, 'commit-jdbc', '{"tasks":2}'),
      // An old (pre-KIP-875) worker writes only "state".
      rec(ct, 'target-state-jdbc', '{"state":"PAUSED"}'),
      rec(ct, 'connector-gone', '{"properties":{"connector.class":"X","name":"gone"}}'),
      rec(ct, 'connector-gone', null),
      // Task records without a commit are not applied.
      rec(ct, 'connector-half', '{"properties":{"connector.class":"X","name":"half"}}'),
      rec(ct, 'task-half-0', '{"properties":{"x":"1"}}'),
      rec(ct, 'logger-cluster-org.apache.kafka', '{"level":"DEBUG"}'),
    ]);
    const ot = props['offset.storage.topic']!;
    await p.send([
      rec(ot, '["jdbc",{"table":"a"}]', '{"incrementing":42}'),
      rec(ot, '["pg",{"server":"flink"}]', '{"lsn_proc":23456789,"lsn":23456789,"txId":771,"ts_usec":1700000000000000}'),
      rec(ot, 'not-a-key', '{"x":1}'),
    ]);
    const st = props['status.storage.topic']!;
    await p.send([
      rec(st, 'status-connector-jdbc', '{"state":"PAUSED","trace":null,"worker_id":"10.1.1.1:8083","generation":7}'),
      rec(st, 'status-task-jdbc-0', '{"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: x","worker_id":"10.1.1.2:8083","generation":7}'),
      rec(st, 'status-topic-orders:connector-jdbc', '{"topic":{"name":"orders","connector":"jdbc","task":1,"discoverTimestamp":1700000000000}}'),
    ]);
    await p.close();

    const stores = createKafkaStores(props, backend);
    await Promise.all([stores.offsets.start(), stores.configs.start(), stores.statuses.start()]);
    assert.deepEqual(stores.configs.connectors(), ['half', 'jdbc']);
    assert.deepEqual(stores.configs.get('jdbc'), {
      config: { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'tasks.max': '2', name: 'jdbc' },
      targetState: 'PAUSED',
      taskConfigs: [{ table: 'a' }, { table: 'b' }],
    });
    assert.equal(stores.configs.get('half')?.taskConfigs, null);
    assert.equal(stores.configs.offset, 11);
    assert.deepEqual(await stores.offsets.entries(), new Map([
      ['["jdbc",{"table":"a"}]', '{"incrementing":42}'],
      ['["pg",{"server":"flink"}]', '{"lsn_proc":23456789,"lsn":23456789,"txId":771,"ts_usec":1700000000000000}'],
    ]));
    assert.deepEqual(stores.statuses.connector('jdbc'), { state: 'PAUSED', trace: null, workerId: '10.1.1.1:8083', generation: 7 });
    assert.equal(stores.statuses.task('jdbc', 0)?.state, 'FAILED');
    assert.deepEqual(stores.statuses.activeTopics('jdbc'), ['orders']);
    await Promise.all([stores.offsets.stop(), stores.configs.stop(), stores.statuses.stop()]);
  });

  test('a config topic with more than one partition is refused, with Kafka\'s message', async () => {
    const props = workerProps(uniqueName('bad'));
    await backend.createTopics([{ name: props['config.storage.topic']!, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }]);
    const s = new KafkaConfigStore(kafkaStoreOptions(props, 'config', backend));
    await assert.rejects(s.start(), /supplied via the 'config.storage.topic' property is required to have a single partition .* but found 2 partitions/);
    await s.stop();
  });
});
