/**
 * Error handling in a real worker: a poison record (a transform that throws for one row) with
 * errors.tolerance=all reaches the dead-letter queue with Kafka Connect's context headers and the rows after
 * it flow on; with tolerance none the task goes FAILED with the trace in /status. Run on the embedded log and
 * on a real Kafka broker.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type KafkaCluster, startKafka } from '../../../src/testing/kafka-cluster.js';
import { type StandaloneWorker, startStandalone } from '../../../src/connect/connect-standalone.js';
import { Logging } from '../../../src/connect/logging.js';
import type { ConsumedRecord } from '../../../src/connect/topics/types.js';
import { waitFor } from '../../helpers/worker-process.js';

interface Status {
  connector: { state: string };
  tasks: { state: string; trace?: string }[];
}

async function status(name: string): Promise<Status> {
  return (await (await fetch(`${worker.url}/connectors/${name}/status`)).json()) as Status;
}

let dir: string;
let worker: StandaloneWorker;

for (const backend of ['embedded', 'kafka'] as const) {
describe(`on the ${backend === 'embedded' ? 'embedded log' : 'Kafka backend'}`, () => {
let kafka: KafkaCluster | null = null;

before(async () => {
  if (backend === 'kafka') kafka = await startKafka();
  dir = await mkdtemp(join(tmpdir(), 'tsconnect-errors-'));
  await writeFile(join(dir, 'numbers.txt'), '1\n2\nnot a number\n4\n');
  worker = await startStandalone(
    {
      listeners: 'http://127.0.0.1:0',
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '100',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      ...(kafka ? { 'bootstrap.servers': kafka.bootstrapServers } : {}),
    },
    [],
    new Logging({ level: 'FATAL' }),
  );
  const created = await post({ name: 'numbers', config: { 'connector.class': 'FileStreamSource', file: join(dir, 'numbers.txt'), topic: 'numbers' } });
  assert.equal(created.status, 201);
});

after(async () => {
  await worker?.stop();
  await kafka?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function post(body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${worker.url}/connectors`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function readAll(topic: string, count: number): Promise<ConsumedRecord[]> {
  const consumer = worker.backend.consumer(`test-${Math.random()}`, { clientId: 'test' });
  await consumer.subscribe([topic]);
  const out: ConsumedRecord[] = [];
  try {
    await waitFor(`${count} records on ${topic}`, async () => {
      out.push(...(await consumer.poll(200)));
      return out.length >= count;
    });
  } finally {
    await consumer.close();
  }
  return out;
}

const castSink = (name: string, file: string, extra: Record<string, string>) => ({
  name,
  config: {
    'connector.class': 'FileStreamSink',
    file,
    topics: 'numbers',
    transforms: 'cast',
    'transforms.cast.type': 'org.apache.kafka.connect.transforms.Cast$Value',
    'transforms.cast.spec': 'int32',
    ...extra,
  },
});

test('errors.tolerance=all: the poison record goes to the DLQ with context headers, the rest flows on', async () => {
  const out = join(dir, 'tolerant.txt');
  const created = await post(
    castSink('tolerant', out, {
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'numbers-dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
      'errors.log.enable': 'true',
    }),
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await waitFor('the good rows in the sink file', async () => (await readFile(out, 'utf8').catch(() => '')) === '1\n2\n4\n');
  const [dead] = await readAll('numbers-dlq', 1);
  assert.equal(dead!.value!.toString(), 'not a number', 'the original raw value');
  const headers = Object.fromEntries(dead!.headers.map((h) => [h.key, h.value?.toString()]));
  assert.equal(headers['__connect.errors.topic'], 'numbers');
  assert.equal(headers['__connect.errors.partition'], '0');
  assert.equal(headers['__connect.errors.offset'], '2');
  assert.equal(headers['__connect.errors.connector.name'], 'tolerant');
  assert.equal(headers['__connect.errors.task.id'], '0');
  assert.equal(headers['__connect.errors.stage'], 'TRANSFORMATION');
  assert.equal(headers['__connect.errors.class.name'], 'org.apache.kafka.connect.transforms.Cast$Value');
  assert.equal(headers['__connect.errors.exception.class.name'], 'org.apache.kafka.connect.errors.DataException');
  assert.ok(headers['__connect.errors.exception.stacktrace']!.startsWith('org.apache.kafka.connect.errors.DataException'));
  assert.equal((await status('tolerant')).tasks[0]!.state, 'RUNNING');
});

test('errors.tolerance=none: the task fails with the trace in /status', async () => {
  const created = await post(castSink('strict', join(dir, 'strict.txt'), {}));
  assert.equal(created.status, 201);
  const failed = await waitFor('FAILED', async () => {
    const s = await status('strict');
    return s.tasks[0]?.state === 'FAILED' ? s : undefined;
  });
  assert.match(failed.tasks[0]!.trace!, /^org\.apache\.kafka\.connect\.errors\.ConnectException: Tolerance exceeded in error handler/);
  assert.match(failed.tasks[0]!.trace!, /Caused by: org\.apache\.kafka\.connect\.errors\.DataException/);
  assert.equal(failed.connector.state, 'RUNNING', 'the connector itself keeps running');
  // Restarting the failed task only: it fails again on the same record (nothing was skipped).
  const restarted = await fetch(`${worker.url}/connectors/strict/restart?includeTasks=true&onlyFailed=true`, { method: 'POST' });
  assert.equal(restarted.status, 202);
  const plan = (await restarted.json()) as Status;
  assert.equal(plan.connector.state, 'RUNNING');
  assert.equal(plan.tasks[0]!.state, 'RESTARTING');
  await waitFor('FAILED again', async () => (await status('strict')).tasks[0]?.state === 'FAILED');
  const written = await readFile(join(dir, 'strict.txt'), 'utf8').catch(() => '');
  assert.ok(['', '1\n', '1\n2\n'].includes(written), `nothing at or after the poison record was written (got ${JSON.stringify(written)})`);
});
});
}
