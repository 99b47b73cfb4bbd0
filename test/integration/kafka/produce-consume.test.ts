import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { topicPartition } from '../../../src/connect/api/connector.js';
import { partitionForKey } from '../../../src/connect/topics/partitioner.js';
import type { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { FAST_GROUP, javaPartitions, KAFKA_VERSION, pollUntil, startBrokerWithBackend, stopBrokerWithBackend, uniqueName } from './helpers.js';

describe(`Kafka backend: produce and consume (Kafka ${KAFKA_VERSION})`, () => {
  let cluster: KafkaCluster;
  let backend: KafkaTopicBackend;

  before(async () => {
    ({ cluster, backend } = await startBrokerWithBackend());
  });

  after(() => stopBrokerWithBackend({ cluster, backend }));

  test('keys, values, headers and timestamps survive the round trip', async () => {
    const topic = uniqueName('roundtrip');
    assert.deepEqual(await backend.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]), [topic]);
    const producer = backend.producer({ clientId: 'connector-producer-rt-0' });
    const sent = [
      { topic, key: Buffer.from('k1'), value: Buffer.from('{"a":1}'), timestamp: 1_600_000_000_123, headers: [{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: Buffer.from([0, 1, 255]) }] },
      { topic, key: null, value: Buffer.from('no key'), timestamp: 1_600_000_000_456 },
      { topic, key: Buffer.from('tomb'), value: null, timestamp: 1_600_000_000_789, headers: [{ key: 'dup', value: Buffer.from('1') }, { key: 'dup', value: Buffer.from('2') }] },
    ];
    const meta = await producer.send(sent);
    assert.deepEqual(meta.map((m) => [m.topic, m.partition, m.offset, m.timestamp]), [
      [topic, 0, 0, 1_600_000_000_123],
      [topic, 0, 1, 1_600_000_000_456],
      [topic, 0, 2, 1_600_000_000_789],
    ]);
    await producer.close();

    const consumer = backend.consumer(uniqueName('g'), { clientId: 'c', properties: FAST_GROUP });
    await consumer.subscribe([topic]);
    const got = await pollUntil(consumer, 3);
    assert.equal(got.length, 3);
    assert.deepEqual(got.map((r) => r.offset), [0, 1, 2]);
    assert.deepEqual(got[0]!.key, Buffer.from('k1'));
    assert.deepEqual(got[0]!.value, Buffer.from('{"a":1}'));
    assert.equal(got[0]!.timestamp, 1_600_000_000_123);
    assert.equal(got[0]!.timestampType, 'CreateTime');
    assert.deepEqual(got[0]!.headers, [{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: Buffer.from([0, 1, 255]) }]);
    assert.equal(got[1]!.key, null);
    assert.deepEqual(got[1]!.headers, []);
    assert.equal(got[2]!.value, null, 'a tombstone stays null');
    assert.deepEqual(got[2]!.headers, [{ key: 'dup', value: Buffer.from('1') }, { key: 'dup', value: Buffer.from('2') }]);
    assert.deepEqual(consumer.assignment(), [topicPartition(topic, 0)]);
    await consumer.close();
  });

  test('keyed records land where the Java producer puts them (murmur2, 10 partitions)', async () => {
    const topic = uniqueName('murmur');
    await backend.createTopics([{ name: topic, partitions: 10, replicationFactor: 1 }]);
    const keys = ['21', 'foobar', 'abc', 'a-little-bit-long-string', 'lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', '{"id":1}', '{"id":2}', 'ключ', '€', ''];
    for (let i = 0; i < 40; i++) keys.push(`{"server":"dbserver1","id":${i}}`);
    const expected = javaPartitions(keys, 10);
    assert.deepEqual(keys.map((k) => partitionForKey(Buffer.from(k), 10)), expected, 'partitioner.ts agrees with BuiltInPartitioner');
    assert.ok(new Set(expected).size >= 8, 'the keys spread over the partitions');

    const producer = backend.producer({ clientId: 'p' });
    const meta = await producer.send(keys.map((k) => ({ topic, key: Buffer.from(k), value: Buffer.from(k) })));
    assert.deepEqual(meta.map((m) => m.partition), expected, 'send() reports the partitions the Java client would pick');
    // Offsets within each partition count up from 0 in send order.
    const seen = new Map<number, number>();
    for (const m of meta) {
      assert.equal(m.offset, seen.get(m.partition) ?? 0);
      seen.set(m.partition, m.offset + 1);
    }
    await producer.close();

    const consumer = backend.consumer(uniqueName('g'), { clientId: 'c', properties: FAST_GROUP });
    await consumer.subscribe([topic]);
    const got = await pollUntil(consumer, keys.length);
    const where = new Map(got.map((r) => [r.key!.toString(), r.partition]));
    assert.deepEqual(keys.map((k) => where.get(k)), expected, 'the broker holds each record on the Java partition');
    await consumer.close();
    const ends = await backend.offsets(topic);
    assert.equal(ends.length, 10);
    assert.equal(ends.reduce((s, p) => s + p.end - p.start, 0), keys.length);
  });

  test('many concurrent sends keep per-partition order and report exact offsets', async () => {
    const topic = uniqueName('order');
    await backend.createTopics([{ name: topic, partitions: 3 }]);
    const producer = backend.producer({ clientId: 'p', properties: { 'linger.ms': '5' } });
    const calls: Promise<{ offset: number; partition: number }[]>[] = [];
    let n = 0;
    for (let c = 0; c < 50; c++) {
      const batch = [];
      for (let i = 0; i < 100; i++, n++) batch.push({ topic, key: Buffer.from(`k${n % 7}`), value: Buffer.from(String(n)) });
      calls.push(producer.send(batch));
    }
    const metas = (await Promise.all(calls)).flat();
    assert.equal(metas.length, 5000);
    await producer.close();
    const consumer = backend.consumer(uniqueName('g'), { clientId: 'c', properties: { ...FAST_GROUP, 'max.poll.records': '700' } });
    await consumer.subscribe([topic]);
    const got = await pollUntil(consumer, 5000, 30_000);
    assert.ok(got.length === 5000);
    const byValue = new Map(got.map((r) => [Number(r.value!.toString()), r]));
    for (let i = 0; i < 5000; i++) {
      const r = byValue.get(i)!;
      assert.equal(r.partition, metas[i]!.partition);
      assert.equal(r.offset, metas[i]!.offset);
    }
    // Per key, values come back increasing (one partition per key, in order).
    const lastPerKey = new Map<string, number>();
    for (const r of got) {
      const v = Number(r.value!.toString());
      const k = r.key!.toString();
      assert.ok(v > (lastPerKey.get(k) ?? -1), `order kept for ${k}`);
      lastPerKey.set(k, v);
    }
    await consumer.close();
  });

  test('producing to a missing topic fails with a retriable Connect error after delivery.timeout.ms', async () => {
    const producer = backend.producer({ clientId: 'p', properties: { retries: '1', 'delivery.timeout.ms': '1500' } });
    const t0 = Date.now();
    await assert.rejects(producer.send([{ topic: uniqueName('missing'), key: null, value: Buffer.from('x') }]), (e: Error & { retriable?: boolean }) => {
      assert.match(e.message, /Producing to missing-/);
      assert.equal(e.retriable, true);
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000);
    await producer.close();
  });

  test('a broker restart mid-stream: send() waits and keeps order, the consumer carries on', async () => {
    const topic = uniqueName('restart');
    await backend.createTopics([{ name: topic, partitions: 1 }]);
    const producer = backend.producer({ clientId: 'p', properties: { 'retry.backoff.max.ms': '500' } });
    await producer.send([{ topic, key: null, value: Buffer.from('0') }]);
    // kafkajs may give up on the group during the outage; its replacement member then waits for the
    // old member id to expire (session.timeout.ms, 6 s = the broker's minimum) before it is assigned.
    const consumer = backend.consumer(uniqueName('g'), { clientId: 'c', properties: { ...FAST_GROUP, 'session.timeout.ms': '6000' } });
    await consumer.subscribe([topic]);
    const got = await pollUntil(consumer, 1);
    await consumer.commit(new Map([[topicPartition(topic, 0), 1]]));
    await cluster.kill();
    const pending = [1, 2, 3].map((i) => producer.send([{ topic, key: null, value: Buffer.from(String(i)) }]));
    // The consumer keeps polling through the outage without failing.
    // Like a sink task: commit what was consumed (commits fail while the broker is down).
    const tp = topicPartition(topic, 0);
    const pollAndCommit = async (): Promise<void> => {
      const batch = await consumer.poll(200);
      got.push(...batch);
      if (batch.length > 0) await consumer.commit(new Map([[tp, batch[batch.length - 1]!.offset + 1]])).catch(() => undefined);
    };
    const outageEnd = Date.now() + 3000;
    while (Date.now() < outageEnd) await pollAndCommit();
    await cluster.restart();
    const metas = (await Promise.all(pending)).flat();
    assert.deepEqual(metas.map((m) => m.offset), [1, 2, 3]);
    await producer.close();
    const deadline = Date.now() + 60_000;
    while (got.length < 4 && Date.now() < deadline) await pollAndCommit();
    assert.deepEqual(got.map((r) => r.value!.toString()), ['0', '1', '2', '3']);
    await consumer.close();
  });
});
