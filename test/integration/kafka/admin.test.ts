import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { KAFKA_VERSION, startBrokerWithBackend, stopBrokerWithBackend, uniqueName } from './helpers.js';

describe(`Kafka backend: topics and cluster (Kafka ${KAFKA_VERSION})`, () => {
  let cluster: KafkaCluster;
  let backend: KafkaTopicBackend;

  before(async () => {
    ({ cluster, backend } = await startBrokerWithBackend());
  });

  after(() => stopBrokerWithBackend({ cluster, backend }));

  test('clusterId is the id the cluster was formatted with', async () => {
    assert.equal(await backend.clusterId(), cluster.clusterId);
    assert.match(cluster.clusterId, /^[A-Za-z0-9_-]{22}$/);
  });

  test('createTopics applies partitions, replication and configs, visible in describe', async () => {
    const name = uniqueName('connect-offsets');
    const created = await backend.createTopics([
      { name, partitions: 25, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'retention.ms': '3600000', 'max.message.bytes': '2097152' } },
    ]);
    assert.deepEqual(created, [name]);
    const d = await backend.describeTopic(name);
    assert.ok(d);
    assert.equal(d.name, name);
    assert.equal(d.partitions, 25);
    assert.equal(d.configs['cleanup.policy'], 'compact');
    assert.equal(d.configs['retention.ms'], '3600000');
    assert.equal(d.configs['max.message.bytes'], '2097152');
    assert.equal(d.configs['segment.bytes'], '1073741824', 'defaults are listed too');
    assert.ok((await backend.listTopics()).includes(name));
  });

  test('createTopics skips existing topics and uses broker defaults when asked (-1 / absent)', async () => {
    const a = uniqueName('a');
    const b = uniqueName('b');
    assert.deepEqual(await backend.createTopics([{ name: a, partitions: 2 }]), [a]);
    assert.deepEqual(await backend.createTopics([{ name: a, partitions: 2 }, { name: b, partitions: -1, replicationFactor: -1 }]), [b]);
    assert.equal((await backend.describeTopic(a))!.partitions, 2);
    assert.equal((await backend.describeTopic(b))!.partitions, 1, 'num.partitions=1 on the test broker');
    assert.equal((await backend.describeTopic(b))!.configs['cleanup.policy'], 'delete');
    assert.deepEqual(await backend.createTopics([]), []);
  });

  test('a bad topic config is refused with a Connect error', async () => {
    await assert.rejects(backend.createTopics([{ name: uniqueName('bad'), configs: { 'cleanup.policy': 'sometimes' } }]), (e: Error) => {
      assert.equal(e.name, 'ConnectException');
      assert.match(e.message, /Creating topics bad-/);
      return true;
    });
  });

  test('describe of a missing topic is null; internal topics are not listed; delete removes', async () => {
    assert.equal(await backend.describeTopic(uniqueName('nope')), null);
    const t = uniqueName('del');
    await backend.createTopics([{ name: t, partitions: 3 }]);
    const p = backend.producer({ clientId: 'p' });
    await p.send([{ topic: t, partition: 2, key: null, value: Buffer.from('x') }]);
    await p.close();
    assert.deepEqual(await backend.offsets(t), [
      { partition: 0, start: 0, end: 0 },
      { partition: 1, start: 0, end: 0 },
      { partition: 2, start: 0, end: 1 },
    ]);
    assert.ok(!(await backend.listTopics()).some((x) => x.startsWith('__')));
    await backend.deleteTopic(t);
    assert.ok(!(await backend.listTopics()).includes(t));
    await backend.deleteTopic(t); // already gone: no error
  });

  test('worker properties map onto the clients; unsupported values fail clearly', async () => {
    const b = KafkaTopicBackend.fromWorkerConfig({
      'bootstrap.servers': cluster.bootstrapServers,
      'producer.compression.type': 'gzip',
      'producer.linger.ms': '10',
      'producer.acks': 'all',
      'producer.enable.idempotence': 'true',
      'consumer.max.poll.records': '7',
    });
    const t = uniqueName('props');
    await b.createTopics([{ name: t }]);
    const p = b.producer({ clientId: 'p' });
    const meta = await p.send(Array.from({ length: 20 }, (_, i) => ({ topic: t, key: null, value: Buffer.from(`gz${i}`) })));
    assert.deepEqual(meta.map((m) => m.offset).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
    await p.close();
    const c = b.consumer(uniqueName('g'), { clientId: 'c' });
    await c.subscribe([t]);
    let first: number | null = null;
    const deadline = Date.now() + 20_000;
    while (first === null && Date.now() < deadline) {
      const got = await c.poll(200);
      if (got.length > 0) first = got.length;
    }
    assert.ok(first !== null && first <= 7, 'max.poll.records honoured');
    await c.close();
    await b.close();

    assert.throws(() => backend.producer({ clientId: 'p', properties: { 'compression.type': 'zstd' } }), /compression.type/);
    assert.throws(() => backend.producer({ clientId: 'p', properties: { 'enable.idempotence': 'true', acks: '1' } }), /acks/);
    assert.throws(() => backend.consumer('g', { clientId: 'c', properties: { 'auto.offset.reset': 'none' } }), /auto.offset.reset/);
    assert.throws(() => KafkaTopicBackend.fromWorkerConfig({ 'bootstrap.servers': 'no-port' }), /bootstrap.servers/);
  });

  test('unreachable bootstrap servers give a retriable error naming the address', async () => {
    const b = new KafkaTopicBackend({ bootstrapServers: '127.0.0.1:1', admin: { retries: '0', 'socket.connection.setup.timeout.ms': '500' } });
    await assert.rejects(b.start(), (e: Error & { retriable?: boolean }) => {
      assert.match(e.message, /127\.0\.0\.1:1/);
      assert.equal(e.retriable, true);
      return true;
    });
    await b.close();
  });
});
