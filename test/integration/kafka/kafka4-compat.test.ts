/**
 * kafkajs 2.2.4 (2023) against an Apache Kafka 4.x broker, which removed old protocol versions (KIP-896).
 * Pins what works: every request kafkajs sends has a version the broker still accepts, and a produce /
 * group-consume / commit / admin round trip succeeds. (The whole Kafka suite also runs against 4.x with
 * TSCONNECT_KAFKA_VERSION=4.1.2.)
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { topicPartition } from '../../../src/connect/api/connector.js';
import type { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { backendFor, FAST_GROUP, pollUntil, startBroker, uniqueName } from './helpers.js';

const KAFKA4_VERSION = process.env.TSCONNECT_KAFKA4_VERSION ?? '4.1.2';

/** The API keys kafkajs implements, by its request directory names. */
const API_KEYS: Record<string, number> = {
  produce: 0, fetch: 1, listOffsets: 2, metadata: 3, offsetCommit: 8, offsetFetch: 9, findCoordinator: 10,
  joinGroup: 11, heartbeat: 12, leaveGroup: 13, syncGroup: 14, describeGroups: 15, listGroups: 16,
  saslHandshake: 17, apiVersions: 18, createTopics: 19, deleteTopics: 20, deleteRecords: 21,
  initProducerId: 22, addPartitionsToTxn: 24, addOffsetsToTxn: 25, endTxn: 26, txnOffsetCommit: 28,
  describeAcls: 29, createAcls: 30, deleteAcls: 31, describeConfigs: 32, alterConfigs: 33,
  saslAuthenticate: 36, createPartitions: 37, deleteGroups: 42, alterPartitionReassignments: 45,
  listPartitionReassignments: 46,
};

/** ApiVersions v0 by hand: [apiKey] -> [min, max] the broker accepts. */
async function brokerApiVersions(bootstrap: string): Promise<Map<number, [number, number]>> {
  const [host, port] = bootstrap.split(':') as [string, string];
  const resp = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(Number(port), host, () => {
      const clientId = Buffer.from('tsconnect-test');
      const body = Buffer.alloc(10 + clientId.length);
      body.writeInt16BE(18, 0); // ApiVersions
      body.writeInt16BE(0, 2); // v0
      body.writeInt32BE(1, 4); // correlation id
      body.writeInt16BE(clientId.length, 8);
      clientId.copy(body, 10);
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length);
      socket.write(Buffer.concat([size, body]));
    });
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        socket.end();
        resolve(buf);
      }
    });
    socket.on('error', reject);
  });
  assert.equal(resp.readInt16BE(8), 0, 'ApiVersions error code');
  const out = new Map<number, [number, number]>();
  const n = resp.readInt32BE(10);
  for (let i = 0; i < n; i++) {
    const o = 14 + i * 6;
    out.set(resp.readInt16BE(o), [resp.readInt16BE(o + 2), resp.readInt16BE(o + 4)]);
  }
  return out;
}

function kafkajsVersions(api: string): number[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('kafkajs/package.json')), 'src/protocol/requests', api);
  return readdirSync(dir)
    .filter((f) => /^v\d+$/.test(f))
    .map((f) => Number(f.slice(1)));
}

describe(`kafkajs 2.2.4 against Kafka ${KAFKA4_VERSION}`, () => {
  let cluster: KafkaCluster;
  let backend: KafkaTopicBackend;

  before(async () => {
    cluster = await startBroker(KAFKA4_VERSION);
    backend = backendFor(cluster);
    await backend.start();
  });

  after(async () => {
    await backend?.close();
    await cluster?.stop();
  });

  test('every API kafkajs implements still has a version both sides speak', async () => {
    const broker = await brokerApiVersions(cluster.bootstrapServers);
    const unusable: string[] = [];
    for (const [api, key] of Object.entries(API_KEYS)) {
      const range = broker.get(key);
      const mine = kafkajsVersions(api);
      if (!range || Math.max(...mine) < range[0]) unusable.push(`${api} (broker ${range?.join('-') ?? 'none'}, kafkajs ${mine.join(',')})`);
    }
    assert.deepEqual(unusable, []);
    // KIP-896 at work: Fetch v0-3 and OffsetCommit v0-1 are gone, kafkajs negotiates Fetch v11 / OffsetCommit v5.
    assert.ok(broker.get(1)![0] >= 4);
    assert.ok(broker.get(8)![0] >= 2);
  });

  test('produce, group consume, commit, describe and group admin work', async () => {
    const topic = uniqueName('k4');
    await backend.createTopics([{ name: topic, partitions: 3, configs: { 'cleanup.policy': 'compact' } }]);
    assert.equal((await backend.describeTopic(topic))!.configs['cleanup.policy'], 'compact');
    const p = backend.producer({ clientId: 'p' });
    const meta = await p.send(
      Array.from({ length: 30 }, (_, i) => ({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: [{ key: 'h', value: Buffer.from('1') }], timestamp: 1000 + i })),
    );
    assert.equal(meta.length, 30);
    await p.close();
    const group = uniqueName('connect-k4');
    const c = backend.consumer(group, { clientId: 'c', properties: FAST_GROUP });
    await c.subscribe([topic]);
    const got = await pollUntil(c, 30);
    assert.equal(new Set(got.map((r) => r.value!.toString())).size, 30);
    assert.ok(got.every((r) => r.headers[0]?.value?.toString() === '1' && r.timestamp >= 1000));
    const ends = await backend.offsets(topic);
    await c.commit(new Map(ends.map((e) => [topicPartition(topic, e.partition), e.end])));
    assert.equal(await backend.groupHasMembers(group), true);
    await c.close();
    const committed = await backend.groupOffsets(group);
    assert.deepEqual([...committed.values()].reduce((a, b) => a + b, 0), 30);
    await backend.alterGroupOffsets(group, new Map([[topicPartition(topic, 0), 0]]));
    assert.equal((await backend.groupOffsets(group)).get(topicPartition(topic, 0)), 0);
    await backend.deleteGroup(group);
    assert.equal((await backend.groupOffsets(group)).size, 0);
  });
});
