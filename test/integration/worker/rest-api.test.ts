/**
 * The REST API of a real standalone worker (embedded log, FileStream connectors), driven over HTTP: the
 * connector lifecycle, statuses, offsets, plugins, validation, bad input, and persistence across a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type StandaloneWorker, startStandalone } from '../../../src/connect/connect-standalone.js';
import { Logging } from '../../../src/connect/logging.js';
import { waitFor } from '../../helpers/worker-process.js';

let dir: string;
let worker: StandaloneWorker;
const quiet = () => new Logging({ level: 'ERROR' });

function props(): Record<string, string> {
  return {
    listeners: 'http://127.0.0.1:0',
    'offset.storage.file.filename': join(dir, 'connect.offsets'),
    'offset.flush.interval.ms': '100',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  };
}

async function call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(worker.url + path, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'Content-Type': 'application/json' } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const state = async (name: string) => (await call('GET', `/connectors/${encodeURIComponent(name)}/status`)).body as { connector: { state: string }; tasks: { state: string }[] };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsconnect-rest-'));
  await writeFile(join(dir, 'in.txt'), 'a\nb\nc\n');
  worker = await startStandalone(props(), [], quiet());
});

after(async () => {
  await worker?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a real worker over HTTP', () => {
  test('GET / and /health', async () => {
    const root = await call('GET', '/');
    assert.equal(root.status, 200);
    assert.deepEqual(Object.keys(root.body), ['version', 'commit', 'kafka_cluster_id']);
    const health = await call('GET', '/health');
    assert.deepEqual(health.body, { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' });
  });

  test('connector plugins include the built-in connectors, transforms and converters', async () => {
    const connectors = (await call('GET', '/connector-plugins')).body as { class: string; type: string }[];
    const classes = connectors.map((p) => p.class);
    assert.ok(classes.includes('io.debezium.connector.postgresql.PostgresConnector'));
    assert.ok(classes.includes('org.apache.kafka.connect.file.FileStreamSinkConnector'));
    assert.ok(connectors.every((p) => p.type === 'sink' || p.type === 'source'));
    assert.equal(connectors.findIndex((p) => p.type === 'source') > connectors.findLastIndex((p) => p.type === 'sink'), true, 'sinks first');
    const all = (await call('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string }[];
    for (const c of ['io.debezium.transforms.ExtractNewRecordState', 'org.apache.kafka.connect.transforms.Cast$Value', 'org.apache.kafka.connect.json.JsonConverter']) {
      assert.ok(all.some((p) => p.class === c), c);
    }
    const config = await call('GET', '/connector-plugins/FileStreamSource/config');
    assert.equal(config.status, 200);
    assert.ok((config.body as { name: string }[]).some((k) => k.name === 'topic'));
  });

  test('create, run, pause, resume, stop and delete a source connector', async () => {
    const created = await call('POST', '/connectors', {
      name: 'file source',
      config: { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: 'lines' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.headers.get('location') ?? '', /\/connectors\/file%20source$/);
    assert.deepEqual(created.body.tasks, [{ connector: 'file source', task: 0 }]);
    assert.equal(created.body.type, 'source');

    await waitFor('RUNNING', async () => (await state('file source')).tasks[0]?.state === 'RUNNING');
    const topics = await waitFor('topic tracked', async () => {
      const t = (await call('GET', '/connectors/file%20source/topics')).body as Record<string, { topics: string[] }>;
      return t['file source']!.topics.length > 0 ? t : undefined;
    });
    assert.deepEqual(topics, { 'file source': { topics: ['lines'] } });
    const offsets = await waitFor('offsets committed', async () => {
      const o = (await call('GET', '/connectors/file%20source/offsets')).body as { offsets: { offset: { position: number } }[] };
      return o.offsets[0]?.offset.position === 6 ? o : undefined;
    });
    assert.deepEqual(offsets, { offsets: [{ partition: { filename: join(dir, 'in.txt') }, offset: { position: 6 } }] });

    assert.equal((await call('PUT', '/connectors/file%20source/pause')).status, 202);
    await waitFor('PAUSED', async () => {
      const s = await state('file source');
      return s.connector.state === 'PAUSED' && s.tasks[0]?.state === 'PAUSED';
    });
    assert.equal((await call('PUT', '/connectors/file%20source/resume')).status, 202);
    await waitFor('RUNNING again', async () => (await state('file source')).tasks[0]?.state === 'RUNNING');

    const patchWhileRunning = await call('PATCH', '/connectors/file%20source/offsets', { offsets: [{ partition: { filename: 'x' }, offset: { position: 0 } }] });
    assert.equal(patchWhileRunning.status, 400);
    assert.match(patchWhileRunning.body.message, /must be in the STOPPED state/);

    assert.equal((await call('PUT', '/connectors/file%20source/stop')).status, 204);
    await waitFor('STOPPED', async () => (await state('file source')).connector.state === 'STOPPED');
    assert.deepEqual((await state('file source')).tasks, []);
    const altered = await call('PATCH', '/connectors/file%20source/offsets', { offsets: [{ partition: { filename: join(dir, 'in.txt') }, offset: { position: 2 } }] });
    assert.equal(altered.status, 200, JSON.stringify(altered.body));
    assert.match(altered.body.message, /have been altered successfully/);
    assert.equal((await call('GET', '/connectors/file%20source/offsets')).body.offsets[0].offset.position, 2);
    const reset = await call('DELETE', '/connectors/file%20source/offsets');
    assert.equal(reset.status, 200);
    assert.deepEqual((await call('GET', '/connectors/file%20source/offsets')).body, { offsets: [] });

    assert.equal((await call('DELETE', '/connectors/file%20source')).status, 204);
    assert.deepEqual(await call('GET', '/connectors/file%20source').then((r) => [r.status, r.body]), [404, { error_code: 404, message: 'Connector file source not found' }]);
  });

  test('a sink copies the topic; restart with includeTasks answers with the plan', async () => {
    const out = join(dir, 'out.txt');
    await call('POST', '/connectors', { name: 'src2', config: { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: 'copy' } });
    const sink = await call('POST', '/connectors', { name: 'sink2', config: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: out, topics: 'copy' } });
    assert.equal(sink.status, 201);
    await waitFor('the sink file', async () => (await readFile(out, 'utf8').catch(() => '')) === 'a\nb\nc\n');
    const plan = await call('POST', '/connectors/sink2/restart?includeTasks=true');
    assert.equal(plan.status, 202);
    assert.equal(plan.body.connector.state, 'RESTARTING');
    assert.equal(plan.body.tasks[0].state, 'RESTARTING');
    await waitFor('RUNNING after restart', async () => (await state('sink2')).tasks[0]?.state === 'RUNNING');
    const sinkOffsets = await waitFor('sink offsets', async () => {
      const o = (await call('GET', '/connectors/sink2/offsets')).body as { offsets: unknown[] };
      return o.offsets.length > 0 ? o : undefined;
    });
    assert.deepEqual(sinkOffsets, { offsets: [{ partition: { kafka_topic: 'copy', kafka_partition: 0 }, offset: { kafka_offset: 3 } }] });
    const expanded = (await call('GET', '/connectors?expand=status&expand=info')).body;
    assert.equal(expanded.sink2.info.type, 'sink');
    assert.equal(expanded.sink2.status.connector.state, 'RUNNING');
    const tasks = (await call('GET', '/connectors/sink2/tasks')).body;
    assert.equal(tasks[0].config['task.class'].endsWith('FileStreamSinkTask'), true);
    assert.equal(tasks[0].config.topics, 'copy');
  });

  test('bad input gets Kafka Connect\'s status codes and error bodies', async () => {
    const unknown = await call('POST', '/connectors', { name: 'x', config: { 'connector.class': 'NoSuchConnector' } });
    assert.equal(unknown.status, 500);
    assert.match(unknown.body.message, /^Failed to find any class that implements Connector and which name matches NoSuchConnector/);
    const wrongType = await call('POST', '/connectors', { name: 'x', config: { 'connector.class': 'FileStreamSource', topic: 't', 'tasks.max': 'abc' } });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.message, /Invalid value abc for configuration tasks.max: Not a number of type INT/);
    assert.match(wrongType.body.message, /You can also find the above list of errors at the endpoint `\/connector-plugins\/\{connectorType\}\/config\/validate`$/);
    const badJson = await call('POST', '/connectors', undefined, '{"name": ');
    assert.equal(badJson.status, 500);
    assert.equal(badJson.body.error_code, 500);
    const mismatch = await call('PUT', '/connectors/a/config', { name: 'b', 'connector.class': 'FileStreamSource', topic: 't' });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.message, "Connector name configuration (b) doesn't match connector name in the URL (a)");
    const dup1 = await call('POST', '/connectors', { name: 'dup', config: { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: 'd' } });
    assert.equal(dup1.status, 201);
    const dup2 = await call('POST', '/connectors', { name: 'dup', config: { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: 'd' } });
    assert.deepEqual([dup2.status, dup2.body], [409, { error_code: 409, message: 'Connector dup already exists' }]);
    assert.equal((await call('GET', '/connectors/dup/tasks/7/status')).status, 404);
    assert.equal((await call('GET', '/connectors/nope/status')).body.message, 'No status found for connector nope');
    const badTransform = await call('POST', '/connectors', { name: 'bt', config: { 'connector.class': 'FileStreamSource', topic: 't', transforms: 'x', 'transforms.x.type': 'NoSuchTransform' } });
    assert.equal(badTransform.status, 400);
    const unicode = await call('PUT', `/connectors/${encodeURIComponent('ünï/cödé')}/config`, { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: 'u' });
    assert.equal(unicode.status, 201, JSON.stringify(unicode.body));
    assert.equal((await call('GET', `/connectors/${encodeURIComponent('ünï/cödé')}`)).body.name, 'ünï/cödé');
    const validate = await call('PUT', '/connector-plugins/FileStreamSource/config/validate', { 'connector.class': 'FileStreamSource', topic: 't' });
    assert.equal(validate.status, 200);
    assert.equal(validate.body.name, 'FileStreamSource');
    assert.equal(validate.body.error_count, 1, 'name is missing');
    // The worker is still serving after all of this.
    assert.equal((await call('GET', '/connectors/dup/status')).status, 200);
  });

  test('connectors created over REST survive a worker restart', async () => {
    const before = ((await call('GET', '/connectors')).body as string[]).sort();
    assert.ok(before.includes('dup'));
    await worker.stop();
    worker = await startStandalone(props(), [], quiet());
    assert.deepEqual(((await call('GET', '/connectors')).body as string[]).sort(), before);
    await waitFor('dup RUNNING after restart', async () => (await state('dup')).connector.state === 'RUNNING');
  });
});
