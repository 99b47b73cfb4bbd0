/**
 * A sink's consumer subscribed to a topic that does not exist yet waits for it (as Kafka Connect's sinks do)
 * instead of failing with UNKNOWN_TOPIC_OR_PARTITION, and reads it once it is created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { topicPartition } from '../../../src/connect/api/connector.js';
import type { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { FAST_GROUP, KAFKA_VERSION, pollUntil, startBrokerWithBackend, stopBrokerWithBackend, uniqueName } from './helpers.js';

describe(`Kafka backend: subscribing to missing topics (Kafka ${KAFKA_VERSION})`, () => {
  let cluster: KafkaCluster;
  let backend: KafkaTopicBackend;

  before(async () => {
    ({ cluster, backend } = await startBrokerWithBackend());
  });

  after(() => stopBrokerWithBackend({ cluster, backend }));

  test('subscribe() to a missing topic succeeds, polls return nothing, and records appear once the topic is created', async () => {
    const present = uniqueName('present');
    const missing = uniqueName('later');
    await backend.createTopics([{ name: present, partitions: 1 }]);
    const consumer = backend.consumer(uniqueName('connect-sink'), { clientId: 'c', properties: FAST_GROUP });
    await consumer.subscribe([missing, present]);
    assert.deepEqual(await consumer.poll(300), []);

    const producer = backend.producer({ clientId: 'p' });
    await producer.send([{ topic: present, key: null, value: Buffer.from('a') }]);
    const first = await pollUntil(consumer, 1);
    assert.deepEqual(first.map((r) => [r.topic, r.value?.toString()]), [[present, 'a']]);
    // Commit as a sink would: the rebalance when the missing topic appears resumes from committed offsets.
    await consumer.commit(new Map([[topicPartition(present, 0), 1]]));

    await backend.createTopics([{ name: missing, partitions: 1 }]);
    await producer.send([{ topic: missing, key: null, value: Buffer.from('b') }]);
    const second = await pollUntil(consumer, 1, 30_000);
    assert.deepEqual(second.map((r) => [r.topic, r.value?.toString()]), [[missing, 'b']]);
    assert.ok(consumer.assignment().some((tp) => tp.topic === missing));
    await producer.close();
    await consumer.close();
  });

  test('a subscription whose only topic is missing waits without failing', async () => {
    const missing = uniqueName('only-later');
    const consumer = backend.consumer(uniqueName('connect-sink'), { clientId: 'c2', properties: FAST_GROUP });
    await consumer.subscribe([missing]);
    assert.deepEqual(await consumer.poll(1500), []);
    await backend.createTopics([{ name: missing, partitions: 2 }]);
    const producer = backend.producer({ clientId: 'p2' });
    await producer.send([{ topic: missing, key: Buffer.from('k'), value: Buffer.from('v') }]);
    const got = await pollUntil(consumer, 1, 30_000);
    assert.equal(got[0]!.value?.toString(), 'v');
    await producer.close();
    await consumer.close();
  });
});
