/**
 * The blog's `mnist-connector` end to end (issue 4, "Tested"): a real throwaway Postgres, a real standalone
 * worker in-process, the connector JSON of the TensorFlow demo POSTed over REST. Rows of `mnist_train` must
 * arrive on `tf.public.mnist_train` as key = the label as text and value = the 784 pixel bytes as unsigned
 * decimals joined by `,` (ExtractNewRecordState + MnistToCsv + StringConverter), for the snapshot and for rows
 * inserted while streaming.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { type StandaloneWorker, startStandalone } from '../../../src/connect/connect-standalone.js';
import { Logging } from '../../../src/connect/logging.js';
import type { ConsumedRecord, TopicConsumer } from '../../../src/connect/topics/types.js';
import { mnistConnector } from '../../../src/demo/mnist.js';
import { type PostgresCluster, startPostgres } from '../../../src/testing/postgres-cluster.js';
import { waitFor } from '../../helpers/worker-process.js';

const TOPIC = 'tf.public.mnist_train';

let dir: string;
let pgc: PostgresCluster;
let db: pg.Client;
let worker: StandaloneWorker;
let consumer: TopicConsumer;

/** 784 pixel bytes, distinct per image, covering 0 and 255 and every value in between. */
function image(seed: number): Buffer {
  const b = Buffer.alloc(784);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + seed * 31) % 256;
  b[0] = 0;
  b[783] = 255;
  return b;
}

const ROWS = {
  snapshot: [
    { label: 7, pixels: image(1) },
    { label: 0, pixels: Buffer.alloc(784) },
    { label: 3, pixels: image(2) },
  ],
  streamed: [
    { label: 9, pixels: image(3) },
    { label: 7, pixels: image(4) },
  ],
};

async function insert(rows: { label: number; pixels: Buffer }[]): Promise<void> {
  for (const r of rows) {
    // Hex bytea literal, as the demo's SQL files write the images.
    await db.query(`INSERT INTO mnist_train(label, pixels) VALUES(${r.label}, '\\x${r.pixels.toString('hex')}')`);
  }
}

/** The next `count` records of the topic (the consumer keeps its position between calls). */
async function next(count: number): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  await waitFor(`${count} records on ${TOPIC}`, async () => {
    out.push(...(await consumer.poll(200)));
    return out.length >= count;
  });
  assert.equal(out.length, count, 'no records beyond the expected ones');
  return out;
}

function assertRows(records: ConsumedRecord[], rows: { label: number; pixels: Buffer }[]): void {
  assert.equal(records.length, rows.length);
  records.forEach((r, i) => {
    const expected = rows[i]!;
    assert.equal(r.topic, TOPIC);
    assert.deepEqual(r.key, Buffer.from(String(expected.label), 'utf8'), `key of row ${i}`);
    const csv = [...expected.pixels].join(',');
    assert.deepEqual(r.value, Buffer.from(csv, 'utf8'), `value of row ${i}`);
    // Spelled out too: 784 unsigned decimals, nothing else.
    const numbers = r.value!.toString('utf8').split(',');
    assert.equal(numbers.length, 784);
    assert.ok(numbers.every((n) => /^(0|[1-9]\d{0,2})$/.test(n) && Number(n) <= 255));
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsconnect-mnist-'));
  pgc = await startPostgres();
  db = new pg.Client({ connectionString: pgc.connectionString });
  await db.connect();
  await db.query('CREATE TABLE mnist_train(id SERIAL NOT NULL PRIMARY KEY, label SMALLINT, pixels BYTEA)');
  await insert(ROWS.snapshot);
  worker = await startStandalone(
    {
      listeners: 'http://127.0.0.1:0',
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '200',
      // connect-standalone.properties' converters; the connector JSON overrides both with StringConverter.
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    },
    [],
    new Logging({ level: 'ERROR' }),
  );
  consumer = worker.backend.consumer('g', { clientId: 'c', properties: { 'auto.offset.reset': 'earliest' } });
});

after(async () => {
  await consumer?.close();
  await worker?.stop();
  await db?.end();
  await pgc?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the blog connector JSON is accepted over REST', async () => {
  const res = await fetch(`${worker.url}/connectors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(mnistConnector({ host: pgc.host, port: pgc.port })),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const body = (await res.json()) as { name: string; config: Record<string, string> };
  assert.equal(body.name, 'mnist-connector');
  assert.equal(body.config.transforms, 'unwrap, mnist');
  await consumer.subscribe([TOPIC]);
});

test('snapshot rows arrive as key "<label>" and value "<784 pixels joined by ,>"', async () => {
  assertRows(await next(ROWS.snapshot.length), ROWS.snapshot);
});

test('rows inserted while streaming arrive the same way', async () => {
  // The task must be streaming (snapshot done) before the inserts count as streamed changes.
  await waitFor('connector task RUNNING', async () => {
    const s = (await (await fetch(`${worker.url}/connectors/mnist-connector/status`)).json()) as { tasks: { state: string }[] };
    return s.tasks[0]?.state === 'RUNNING';
  });
  await insert(ROWS.streamed);
  assertRows(await next(ROWS.streamed.length), ROWS.streamed);
});
