/**
 * Bad input on Kafka.
 *
 * - Unreachable `bootstrap.servers`: like Kafka Connect's own `connect-standalone.sh` and
 *   `connect-distributed.sh` (which look up the cluster id before anything else and exit with "Failed to
 *   connect to and describe Kafka cluster"), the worker does not start: it exits with status 1 and an error
 *   that names the servers and the cause, within seconds rather than the JVM's minute.
 * - A topic whose config forbids the records: created by the connector (KIP-158 `topic.creation.default.*`)
 *   with a small `max.message.bytes`. A larger record is refused by the broker; under `errors.tolerance=none`
 *   the task fails with the broker's reason in its trace, the worker and its REST API stay up, and the records
 *   written before are on the topic.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { WorkerProcess, freePort, waitFor } from '../../helpers/worker-process.js';
import { DistributedWorkerProcess } from '../distributed/helpers.js';
import { backendFor, startBroker } from '../kafka/helpers.js';
import { kcat, kcatTopics, startStandaloneOnKafka } from './helpers.js';

interface Status {
  connector: { state: string };
  tasks: { id: number; state: string; trace?: string }[];
}

describe('bad input on Kafka', () => {
  let kafka: KafkaCluster;
  let dir: string;
  let worker: StandaloneWorker;

  before(async () => {
    kafka = await startBroker();
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-e2e-bad-'));
    worker = await startStandaloneOnKafka(kafka.bootstrapServers, dir);
  });

  after(async () => {
    await worker?.stop();
    await kafka?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('unreachable bootstrap servers: standalone and distributed workers exit at once with a clear error', { timeout: 60_000 }, async () => {
    const unreachable = `127.0.0.1:${await freePort()}`;
    const common = {
      'bootstrap.servers': unreachable,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    };
    const standalone = new WorkerProcess(dir, await freePort(), { ...common, 'offset.storage.file.filename': join(dir, 'unreachable.offsets') });
    const distributed = new DistributedWorkerProcess(dir, await freePort(), {
      ...common,
      'group.id': 'unreachable',
      'config.storage.topic': 'unreachable-configs',
      'offset.storage.topic': 'unreachable-offsets',
      'status.storage.topic': 'unreachable-status',
    });
    for (const w of [standalone, distributed]) {
      const t0 = Date.now();
      await assert.rejects(w.start(), (e: Error) => {
        assert.match(e.message, /worker exited with 1/);
        assert.ok(e.message.includes(`Connecting to Kafka at ${unreachable} failed`), e.message);
        assert.match(e.message, /ECONNREFUSED/);
        return true;
      });
      assert.ok(Date.now() - t0 < 30_000, 'the worker should give up quickly');
    }
  });

  test('a record larger than the topic\'s max.message.bytes fails the task under errors.tolerance=none; REST stays up', { timeout: 60_000 }, async () => {
    const input = join(dir, 'big.txt');
    writeFileSync(input, 'small-1\nsmall-2\n');
    const res = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'too-big',
        config: {
          'connector.class': 'FileStreamSource',
          file: input,
          topic: 'small-records',
          'topic.creation.default.replication.factor': '-1',
          'topic.creation.default.partitions': '-1',
          'topic.creation.default.max.message.bytes': '1024',
        },
      }),
    });
    assert.equal(res.status, 201, await res.text());
    await waitFor('the small records', async () => (await kcat(kafka.bootstrapServers, 'small-records').catch(() => [])).length === 2 || false, 30_000);

    appendFileSync(input, 'x'.repeat(4096) + '\n');
    const failed = await waitFor('the task FAILED', async () => {
      const s = (await (await fetch(`${worker.url}/connectors/too-big/status`)).json()) as Status;
      return s.tasks[0]?.state === 'FAILED' ? s : false;
    }, 30_000);
    assert.equal(failed.connector.state, 'RUNNING');
    const trace = failed.tasks[0]!.trace ?? '';
    assert.match(trace, /larger than the max message size/i, trace);
    assert.match(trace, /small-records/, trace);
    // The worker still answers, and what was acknowledged before stays on the topic.
    assert.equal((await fetch(`${worker.url}/connectors`)).status, 200);
    assert.deepEqual((await kcat(kafka.bootstrapServers, 'small-records')).map((r) => r.value), ['small-1', 'small-2']);
  });

  test('topics are created while other callers of the same admin look up topics that do not exist yet', { timeout: 60_000 }, async () => {
    // As when REST or the console asks for the offsets of a topic a task is about to create: kafkajs then
    // refreshes the metadata of that missing topic inside CreateTopics, and used to give up.
    const backend = backendFor(kafka);
    await backend.start();
    let looking = true;
    const lookups = (async () => {
      let i = 0;
      while (looking) {
        await Promise.all([backend.offsets(`not-yet-${i}`).catch(() => null), backend.describeTopic(`not-yet-either-${i}`).catch(() => null)]);
        await new Promise((r) => setTimeout(r, 20));
        i++;
      }
    })();
    try {
      for (let i = 0; i < 8; i++) await backend.createTopics([{ name: `created-meanwhile-${i}`, partitions: 1, replicationFactor: 1 }]);
    } finally {
      looking = false;
      await lookups;
      await backend.close();
    }
    const listed = await kcatTopics(kafka.bootstrapServers);
    for (let i = 0; i < 8; i++) assert.ok(listed.includes(`"created-meanwhile-${i}"`), `created-meanwhile-${i} missing`);
  });

  test('a burst of records with headers, more than message.max.bytes in all, is split into requests the broker takes', { timeout: 60_000 }, async () => {
    // What the PostgreSQL connector hands the producer after a large transaction: thousands of ~1.3 kB
    // records with Debezium's three context headers. kafkajs writes one record batch per partition and
    // request, and the broker refuses a batch above message.max.bytes (1 MB).
    const backend = backendFor(kafka);
    await backend.start();
    try {
      await backend.createTopics([{ name: 'wide-rows', partitions: 1, replicationFactor: 1 }]);
      const producer = backend.producer({ clientId: 'wide-rows' });
      const value = Buffer.alloc(1300, 'v');
      const headers = [
        { key: '__debezium.context.connectorLogicalName', value: Buffer.from('bench') },
        { key: '__debezium.context.taskId', value: Buffer.from('0') },
        { key: '__debezium.context.connectorName', value: Buffer.from('postgresql') },
      ];
      const records = Array.from({ length: 3000 }, (_, i) => ({ topic: 'wide-rows', key: Buffer.from(`{"id":${i}}`), value, headers }));
      const meta = await producer.send(records);
      assert.deepEqual(meta.map((m) => m.offset), records.map((_, i) => i));
      await producer.close();
      assert.deepEqual(await backend.offsets('wide-rows'), [{ partition: 0, start: 0, end: 3000 }]);
    } finally {
      await backend.close();
    }
  });

  // KIP-779 (Kafka Connect 3.2+): under tolerance=all a record the broker refuses is logged, its offset committed,
  // and the task goes on; the records around it in the same request still arrive.
  test('under errors.tolerance=all the refused record is skipped and the task goes on (KIP-779)', { timeout: 60_000 }, async () => {
    const input = join(dir, 'big-tolerated.txt');
    writeFileSync(input, 'before-1\nbefore-2\n');
    const res = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'too-big-tolerated',
        config: {
          'connector.class': 'FileStreamSource',
          file: input,
          topic: 'small-records-tolerated',
          'errors.tolerance': 'all',
          'errors.log.enable': 'true',
          'topic.creation.default.replication.factor': '-1',
          'topic.creation.default.partitions': '-1',
          'topic.creation.default.max.message.bytes': '1024',
        },
      }),
    });
    assert.equal(res.status, 201, await res.text());
    await waitFor('the first records', async () => (await kcat(kafka.bootstrapServers, 'small-records-tolerated').catch(() => [])).length === 2 || false, 30_000);
    appendFileSync(input, 'x'.repeat(4096) + '\n');
    await new Promise((r) => setTimeout(r, 500));
    appendFileSync(input, 'after-1\nafter-2\n');
    // Wait for the records after the refused one, or for the task to fail (then fail fast with its trace).
    const state = async () => ((await (await fetch(`${worker.url}/connectors/too-big-tolerated/status`)).json()) as Status).tasks[0];
    await waitFor('the records after the refused one, or a failed task', async () => (await kcat(kafka.bootstrapServers, 'small-records-tolerated')).length >= 4 || (await state())?.state === 'FAILED', 30_000);
    const task = await state();
    assert.equal(task?.state, 'RUNNING', task?.trace);
    assert.deepEqual((await kcat(kafka.bootstrapServers, 'small-records-tolerated')).map((r) => r.value), ['before-1', 'before-2', 'after-1', 'after-2']);
  });
});
