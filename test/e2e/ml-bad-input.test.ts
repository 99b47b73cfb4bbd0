/**
 * Bad input to the model sinks through a real standalone worker (embedded log, REST): records without
 * the configured fields, non-numeric values, a wrong CSV width, a label out of range. With
 * errors.tolerance=all they land on the dead letter queue as the raw bytes with Kafka Connect's
 * `__connect.errors.*` headers, the model learns from the good records only and the worker keeps running;
 * with errors.tolerance=none the task FAILS with a trace that names the problem.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandaloneWorker } from '../../src/connect/connect-standalone.js';
import type { ConsumedRecord } from '../../src/connect/topics/types.js';
import { startEmbeddedWorker } from '../helpers/embedded-worker.js';

let worker: StandaloneWorker;
let dir: string;

async function put(name: string, config: Record<string, string>): Promise<void> {
  const res = await fetch(`${worker.url}/connectors/${name}/config`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(config) });
  assert.ok(res.status === 201 || res.status === 200, `PUT ${name}: ${res.status} ${await res.text()}`);
}

async function produce(topic: string, records: { key?: string | null; value: string }[]): Promise<void> {
  const p = worker.backend.producer({ clientId: 'e2e-bad-input' });
  await p.send(records.map((r) => ({ topic, key: r.key == null ? null : Buffer.from(r.key), value: Buffer.from(r.value) })));
  await p.close();
}

async function readAll(topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const c = worker.backend.consumer(`e2e-reader-${topic}-${Date.now()}`, { clientId: 'e2e-reader' });
  await c.subscribe([topic]);
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < count && Date.now() < deadline) out.push(...(await c.poll(200)));
  } finally {
    await c.close();
  }
  return out;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mlStatus = async (name: string) => {
  const res = await fetch(`${worker.url}/ml/${name}`);
  return res.ok ? ((await res.json()) as Record<string, unknown> & { samplesSeen: number; modelVersion: number }) : undefined;
};

const connectorStatus = async (name: string) =>
  (await (await fetch(`${worker.url}/connectors/${name}/status`)).json()) as { connector: { state: string }; tasks: { state: string; trace?: string }[] };

const header = (r: ConsumedRecord, key: string) => r.headers.find((h) => h.key === key)?.value?.toString('utf8');

const dlqSettings = (topic: string) => ({
  'errors.tolerance': 'all',
  'errors.deadletterqueue.topic.name': topic,
  'errors.deadletterqueue.topic.replication.factor': '1',
  'errors.deadletterqueue.context.headers.enable': 'true',
});

const iris = (a: unknown, b: unknown, c: unknown, d: unknown) => JSON.stringify({ sepal_length: a, sepal_width: b, petal_length: c, petal_width: d, iris_class: 0 });

describe('model sinks and bad input, through a worker', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsconnect-e2e-bad-'));
    worker = await startEmbeddedWorker(dir);
  });
  after(async () => {
    await worker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('k-means, errors.tolerance=all: bad records go raw to the DLQ with __connect.errors.* headers, the model stays finite', async () => {
    await put('kmeans-dlq', {
      'connector.class': 'io.tsconnect.ml.KMeansSinkConnector',
      topics: 'bad.iris_train,bad.iris_test',
      'train.topics': 'bad.iris_train',
      'predict.topics': 'bad.iris_test',
      'global.batch.size': '2',
      'initial.centroids': '6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0',
      'predictions.topic': 'bad_predictions',
      'output.format': 'json',
      'output.value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      ...dlqSettings('dlq-kmeans'),
    });
    const bad = [
      JSON.stringify({ sepal_length: 5.1, iris_class: 0 }), // fields missing
      iris('abc', 3.5, 1.4, 0.2), // not a number
      iris('NaN', 3.5, 1.4, 0.2), // NaN never reaches the weights
      '{"sepal_length": 5.1,', // not JSON at all: the converter fails
    ];
    await produce('bad.iris_train', [
      { value: iris(5.1, 3.5, 1.4, 0.2) },
      { value: bad[0]! },
      { value: bad[1]! },
      { value: iris(7.0, 3.2, 4.7, 1.4) },
      { value: bad[2]! },
      { value: bad[3]! },
      { value: iris(6.3, 3.3, 6.0, 2.5) },
    ]);
    const s = await until('3 good training records', async () => {
      const st = await mlStatus('kmeans-dlq');
      return st && st.samplesSeen >= 3 ? st : undefined;
    });
    const dlq = await readAll('dlq-kmeans', 4);
    // Converter failures are reported as the batch is converted, the sink's own as it reads the records.
    const raw = (r: ConsumedRecord) => r.value?.toString('utf8');
    assert.deepEqual(dlq.map(raw).sort(), [...bad].sort(), 'the DLQ holds the raw records');
    const dlqOf = (value: string) => dlq.find((r) => raw(r) === value)!;
    for (const r of dlq) {
      assert.equal(header(r, '__connect.errors.topic'), 'bad.iris_train');
      assert.equal(header(r, '__connect.errors.connector.name'), 'kmeans-dlq');
      assert.ok(header(r, '__connect.errors.exception.class.name'), 'exception class header');
      assert.ok(header(r, '__connect.errors.exception.message'), 'exception message header');
    }
    assert.match(header(dlqOf(bad[0]!), '__connect.errors.exception.message')!, /no field 'sepal_width'/);
    assert.match(header(dlqOf(bad[1]!), '__connect.errors.exception.message')!, /sepal_length.*not a finite number/);
    assert.match(header(dlqOf(bad[2]!), '__connect.errors.exception.message')!, /sepal_length.*not a finite number/);
    assert.equal(header(dlqOf(bad[0]!), '__connect.errors.stage'), 'TASK_PUT');
    assert.equal(header(dlqOf(bad[3]!), '__connect.errors.stage'), 'VALUE_CONVERTER');

    await new Promise((r) => setTimeout(r, 300));
    const after = (await mlStatus('kmeans-dlq'))!;
    assert.equal(after.samplesSeen, 3, 'only the good records trained the model');
    assert.equal(after.modelVersion, 1, 'one full global batch of 2');
    assert.ok((after['centroids'] as number[][]).flat().every(Number.isFinite), 'no NaN in the centroids');
    assert.ok((after['weights'] as number[]).every(Number.isFinite));

    // The worker and the task keep running: a good prediction record still gets its line.
    await produce('bad.iris_test', [{ value: iris(4.3, 3.0, 1.1, 0.1) }]);
    const [prediction] = await readAll('bad_predictions', 1);
    assert.equal((JSON.parse(prediction!.value!.toString('utf8')) as { prediction: number }).prediction, 0);
    const st = await connectorStatus('kmeans-dlq');
    assert.equal(st.connector.state, 'RUNNING');
    assert.equal(st.tasks[0]!.state, 'RUNNING');
  });

  test('TensorFlow.js, errors.tolerance=all: wrong CSV width, bad numbers and labels out of range go to the DLQ', async () => {
    await put('tfjs-dlq', {
      'connector.class': 'io.tsconnect.ml.TfjsClassifierSinkConnector',
      topics: 'bad.csv_train',
      'train.topics': 'bad.csv_train',
      'num.features': '4',
      'num.classes': '3',
      'hidden.layers': '8',
      'batch.size': '2',
      'training.mode': 'online',
      'predictions.topic': 'bad_csv_predictions',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      ...dlqSettings('dlq-tfjs'),
    });
    const bad = [
      { key: '1', value: '1,2,3' }, // wrong width
      { key: '2', value: '1,2,3,4,5' }, // wrong width
      { key: '0', value: '1,x,3,4' }, // not a number
      { key: '0', value: '1,2,300,4' }, // not a byte
      { key: '7', value: '1,2,3,4' }, // label out of range
    ];
    await produce('bad.csv_train', [
      { key: '0', value: '0,0,0,255' },
      ...bad.slice(0, 3),
      { key: '1', value: '0,0,255,0' },
      ...bad.slice(3),
      { key: '2', value: '0,255,0,0' },
      { key: '0', value: '0,0,0,250' },
    ]);
    const s = await until('4 good training records', async () => {
      const st = await mlStatus('tfjs-dlq');
      return st && st.samplesSeen >= 4 && st.modelVersion >= 2 ? st : undefined;
    });
    assert.equal(s.samplesSeen, 4);
    const dlq = await readAll('dlq-tfjs', bad.length);
    assert.deepEqual(dlq.map((r) => [r.key?.toString('utf8'), r.value?.toString('utf8')]), bad.map((b) => [b.key, b.value]));
    assert.match(header(dlq[0]!, '__connect.errors.exception.message')!, /Expected 4 comma-separated values, got 3/);
    assert.match(header(dlq[4]!, '__connect.errors.exception.message')!, /Label "7" is not a class 0\.\.2/);
    const metrics = s['metrics'] as { loss: number };
    assert.ok(Number.isFinite(metrics.loss), `loss ${metrics.loss}`);
    const st = await connectorStatus('tfjs-dlq');
    assert.equal(st.tasks[0]!.state, 'RUNNING');
  });

  test('errors.tolerance=none: the task FAILS with a trace naming the missing field; the worker answers on', async () => {
    await put('kmeans-strict', {
      'connector.class': 'io.tsconnect.ml.KMeansSinkConnector',
      topics: 'strict.iris_train',
      'train.topics': 'strict.iris_train',
      'initial.centroids': '6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'errors.tolerance': 'none',
    });
    await produce('strict.iris_train', [{ value: iris(5.1, 3.5, 1.4, 0.2) }, { value: JSON.stringify({ petal_length: 1.4 }) }]);
    const failed = await until('the task to fail', async () => {
      const st = await connectorStatus('kmeans-strict');
      return st.tasks[0]?.state === 'FAILED' ? st.tasks[0] : undefined;
    });
    assert.match(failed.trace ?? '', /DataException/);
    assert.match(failed.trace ?? '', /Record has no field 'sepal_length'/);
    // The rest of the worker is unaffected.
    const other = await connectorStatus('kmeans-dlq');
    assert.equal(other.tasks[0]!.state, 'RUNNING');
    const root = await fetch(`${worker.url}/`);
    assert.equal(root.status, 200);
  });
});
