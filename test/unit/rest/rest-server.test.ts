/**
 * The REST API over real HTTP (fastify listening on a free port, requests with fetch) against the in-memory
 * FakeHerder: success shapes and status codes of every endpoint, and the "Bad input" cases of issue 2.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { Logging } from '../../../src/connect/logging.js';
import { createRestServer, type RestServer } from '../../../src/connect/rest/server.js';
import { FakeHerder } from '../../helpers/fake-herder.js';
import { testRegistry } from '../config/test-plugins.js';

let server: RestServer;
let base: string;

before(async () => {
  const logging = new Logging({ level: 'WARN', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  server = createRestServer({ herder: new FakeHerder(testRegistry()), logging, listeners: 'http://127.0.0.1:0', bodyLimit: 64 * 1024 });
  base = (await server.start()).url;
});
after(() => server.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const SINK = (name: string, extra: Record<string, string> = {}) => ({ name, config: { 'connector.class': 'TestSink', topics: 't', 'tasks.max': '2', ...extra } });

describe('REST API: connectors', () => {
  test('GET / and /health', async () => {
    const root = await call('GET', '/');
    assert.equal(root.status, 200);
    assert.deepEqual(Object.keys(root.json), ['version', 'commit', 'kafka_cluster_id']);
    const health = await call('GET', '/health');
    assert.deepEqual([health.status, health.json.status], [200, 'healthy']);
  });

  test('create, read, list, expand, config, tasks, status, delete', async () => {
    const created = await call('POST', '/connectors', SINK('s1'));
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `${base}/connectors/s1`);
    assert.match(created.headers.get('content-type')!, /application\/json/);
    assert.deepEqual(created.json, {
      name: 's1',
      config: { 'connector.class': 'TestSink', topics: 't', 'tasks.max': '2', name: 's1' },
      tasks: [{ connector: 's1', task: 0 }, { connector: 's1', task: 1 }],
      type: 'sink',
    });
    assert.deepEqual(Object.keys(created.json), ['name', 'config', 'tasks', 'type']);

    assert.deepEqual((await call('GET', '/connectors')).json, ['s1']);
    assert.deepEqual((await call('GET', '/connectors/s1')).json, created.json);
    assert.deepEqual((await call('GET', '/connectors/s1/config')).json, created.json.config);

    const expanded = await call('GET', '/connectors?expand=status&expand=info');
    assert.deepEqual(Object.keys(expanded.json.s1), ['status', 'info']);
    assert.deepEqual(expanded.json.s1.status, {
      name: 's1', connector: { state: 'RUNNING', worker_id: 'localhost:8083' },
      tasks: [{ id: 0, state: 'RUNNING', worker_id: 'localhost:8083' }, { id: 1, state: 'RUNNING', worker_id: 'localhost:8083' }], type: 'sink',
    });
    assert.deepEqual((await call('GET', '/connectors?expand=bogus')).json, { s1: {} });

    const tasks = await call('GET', '/connectors/s1/tasks');
    assert.equal(tasks.status, 200);
    assert.deepEqual(tasks.json[0].id, { connector: 's1', task: 0 });
    assert.equal(tasks.json[0].config['task.class'], 'NoopSinkTask');
    assert.deepEqual(Object.keys((await call('GET', '/connectors/s1/tasks-config')).json), ['s1-0', 's1-1']);
    assert.deepEqual((await call('GET', '/connectors/s1/tasks/1/status')).json, { id: 1, state: 'RUNNING', worker_id: 'localhost:8083' });
    assert.equal((await call('GET', '/connectors/s1/status')).json.connector.state, 'RUNNING');

    assert.equal((await call('DELETE', '/connectors/s1')).status, 204);
    assert.deepEqual((await call('GET', '/connectors/s1')).json, { error_code: 404, message: 'Connector s1 not found' });
  });

  test('PUT config creates (201) then updates (200); PATCH merges and removes', async () => {
    const put = await call('PUT', '/connectors/p1/config', SINK('p1').config);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('location'), `${base}/connectors/p1`);
    const upd = await call('PUT', '/connectors/p1/config', { ...SINK('p1').config, 'tasks.max': '1' });
    assert.equal(upd.status, 200);
    assert.equal(upd.json.tasks.length, 1);
    const patched = await call('PATCH', '/connectors/p1/config', { 'tasks.max': null, file: '/tmp/x' });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.config.file, '/tmp/x');
    assert.equal(patched.json.config['tasks.max'], undefined);
    assert.deepEqual((await call('PATCH', '/connectors/nope/config', { a: 'b' })).json, { error_code: 404, message: 'Connector nope not found' });
  });

  test('restart, pause, resume, stop, task restart', async () => {
    await call('POST', '/connectors', SINK('r1'));
    assert.equal((await call('POST', '/connectors/r1/restart')).status, 204);
    const plan = await call('POST', '/connectors/r1/restart?includeTasks=TRUE&onlyFailed=false');
    assert.equal(plan.status, 202);
    assert.deepEqual([plan.json.connector.state, plan.json.tasks.map((t: { state: string }) => t.state)], ['RESTARTING', ['RESTARTING', 'RESTARTING']]);
    const onlyFailed = await call('POST', '/connectors/r1/restart?includeTasks=true&onlyFailed=true');
    assert.equal(onlyFailed.json.connector.state, 'RUNNING');
    assert.equal((await call('POST', '/connectors/r1/tasks/0/restart')).status, 204);
    assert.deepEqual((await call('POST', '/connectors/r1/tasks/7/restart')).json, { error_code: 404, message: 'Task r1-7 not found' });

    const pause = await call('PUT', '/connectors/r1/pause');
    assert.deepEqual([pause.status, pause.text], [202, '']);
    assert.equal((await call('GET', '/connectors/r1/status')).json.connector.state, 'PAUSED');
    assert.equal((await call('PUT', '/connectors/r1/resume')).status, 202);
    assert.equal((await call('GET', '/connectors/r1/status')).json.connector.state, 'RUNNING');
    assert.equal((await call('PUT', '/connectors/r1/stop')).status, 204);
    assert.equal((await call('GET', '/connectors/r1/status')).json.connector.state, 'STOPPED');
    assert.deepEqual((await call('PUT', '/connectors/zz/pause')).json, { error_code: 404, message: 'Unknown connector zz' });
  });

  test('offsets: GET, PATCH and DELETE require STOPPED; big integers stay exact', async () => {
    await call('POST', '/connectors', SINK('o1'));
    assert.deepEqual((await call('GET', '/connectors/o1/offsets')).json, { offsets: [] });
    const body = '{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":9223372036854775807}}]}';
    const notStopped = await call('PATCH', '/connectors/o1/offsets', body);
    assert.equal(notStopped.status, 400);
    assert.match(notStopped.json.message, /^Connectors must be in the STOPPED state/);
    await call('PUT', '/connectors/o1/stop');
    const altered = await call('PATCH', '/connectors/o1/offsets', body);
    assert.equal(altered.status, 200);
    assert.match(altered.json.message, /altered successfully/);
    assert.equal((await call('GET', '/connectors/o1/offsets')).text, body);
    assert.deepEqual((await call('PATCH', '/connectors/o1/offsets', { offsets: [] })).json, {
      error_code: 400, message: 'Partitions / offsets need to be provided for an alter offsets request',
    });
    const reset = await call('DELETE', '/connectors/o1/offsets');
    assert.deepEqual([reset.status, /reset successfully/.test(reset.json.message)], [200, true]);
  });

  test('topics', async () => {
    assert.deepEqual((await call('GET', '/connectors/anything/topics')).json, { anything: { topics: [] } });
    assert.equal((await call('PUT', '/connectors/anything/topics/reset')).status, 202);
  });

  test('names with "/", spaces and unicode work URL-encoded', async () => {
    for (const name of ['a/b', 'with space', 'ünï-çødé-名前']) {
      const created = await call('POST', '/connectors', SINK(name));
      assert.equal(created.status, 201, name);
      assert.equal(created.json.name, name);
      const enc = encodeURIComponent(name);
      assert.equal((await call('GET', `/connectors/${enc}`)).json.name, name);
      assert.equal((await call('GET', `/connectors/${enc}/status`)).json.name, name);
      assert.equal((await call('DELETE', `/connectors/${enc}`)).status, 204);
    }
  });
});

describe('REST API: bad input', () => {
  test('malformed JSON and non-object bodies: 500 in the error shape', async () => {
    const bad = await call('POST', '/connectors', '{"name": "x", ');
    assert.equal(bad.status, 500);
    assert.equal(bad.json.error_code, 500);
    assert.equal(typeof bad.json.message, 'string');
    const arr = await call('POST', '/connectors', '[1,2]');
    assert.equal(arr.status, 500);
    assert.match(arr.json.message, /CreateConnectorRequest/);
    const put = await call('PUT', '/connectors/x/config', '"just a string"');
    assert.equal(put.status, 500);
    assert.match(put.json.message, /^Cannot deserialize value of type/);
    const nested = await call('PUT', '/connectors/x/config', { 'connector.class': { a: 1 } });
    assert.equal(nested.status, 500);
    const unknownField = await call('POST', '/connectors', { name: 'x', 'connector.class': 'TestSink' });
    assert.equal(unknownField.status, 500);
    assert.match(unknownField.json.message, /^Unrecognized field "connector.class"/);
  });

  test('missing config or body: 500 with a null message; missing name: 400 from validation', async () => {
    assert.deepEqual((await call('POST', '/connectors', { name: 'x' })).json, { error_code: 500, message: null });
    assert.deepEqual((await call('POST', '/connectors', '', { 'content-type': 'application/json' })).json, { error_code: 500, message: null });
    const noName = await call('POST', '/connectors', { config: { 'connector.class': 'TestSink', topics: 't' } });
    assert.equal(noName.status, 400);
    assert.match(noName.json.message, /^Connector configuration is invalid and contains the following 1 error\(s\):\nInvalid value  for configuration name: String may not be empty\n/);
  });

  test('name mismatch between URL/body and config.name: 400', async () => {
    assert.deepEqual((await call('POST', '/connectors', { name: 'a', config: { name: 'b', 'connector.class': 'TestSink' } })).json, {
      error_code: 400, message: "Connector name configuration (b) doesn't match connector name in the URL (a)",
    });
    assert.deepEqual((await call('PUT', '/connectors/a/config', { name: 'b', 'connector.class': 'TestSink' })).json, {
      error_code: 400, message: "Connector name configuration (b) doesn't match connector name in the URL (a)",
    });
  });

  test('unknown connector.class: 500 with Kafka\'s text', async () => {
    const res = await call('POST', '/connectors', { name: 'u', config: { 'connector.class': 'com.nope.Missing' } });
    assert.equal(res.status, 500);
    assert.match(res.json.message, /^Failed to find any class that implements Connector and which name matches com\.nope\.Missing, available connectors are: /);
  });

  test('wrong types and missing required keys: 400 listing every error', async () => {
    const res = await call('POST', '/connectors', { name: 'w', config: { 'connector.class': 'TestSource', 'tasks.max': 'abc' } });
    assert.equal(res.status, 400);
    assert.equal(
      res.json.message,
      'Connector configuration is invalid and contains the following 3 error(s):\n' +
        'Invalid value abc for configuration tasks.max: Not a number of type INT\n' +
        'Invalid value null for configuration tasks.max: Value must be non-null\n' +
        'Missing required configuration "file" which has no default value.\n' +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    );
  });

  test('unknown transform alias type and class: 400', async () => {
    const noType = await call('POST', '/connectors', SINK('t1', { transforms: 'nope' }));
    assert.equal(noType.status, 400);
    assert.match(noType.json.message, /Missing required configuration "transforms.nope.type" which has no default value./);
    const badClass = await call('POST', '/connectors', SINK('t1', { transforms: 'x', 'transforms.x.type': 'com.nope.Smt' }));
    assert.equal(badClass.status, 400);
    assert.match(badClass.json.message, /Invalid value com.nope.Smt for configuration transforms.x.type: Class com.nope.Smt could not be found./);
  });

  test('duplicate connector: 409; unknown connector/task: 404; task id not a number: 404', async () => {
    assert.equal((await call('POST', '/connectors', SINK('d1'))).status, 201);
    assert.deepEqual((await call('POST', '/connectors', SINK('d1'))).json, { error_code: 409, message: 'Connector d1 already exists' });
    assert.deepEqual((await call('GET', '/connectors/none/status')).json, { error_code: 404, message: 'No status found for connector none' });
    assert.deepEqual((await call('GET', '/connectors/d1/tasks/9/status')).json, { error_code: 404, message: 'No status found for task d1-9' });
    assert.deepEqual((await call('GET', '/connectors/d1/tasks/abc/status')).json, { error_code: 404, message: 'HTTP 404 Not Found' });
    assert.deepEqual((await call('DELETE', '/connectors/none')).json, { error_code: 404, message: 'Connector none not found' });
  });

  test('oversized body 413, wrong media type 415, unknown route 404, wrong method 405', async () => {
    const big = await call('POST', '/connectors', { name: 'big', config: { 'connector.class': 'TestSink', pad: 'x'.repeat(70 * 1024) } });
    assert.deepEqual([big.status, big.json], [413, { error_code: 413, message: 'HTTP 413 Payload Too Large' }]);
    const form = await call('POST', '/connectors', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.deepEqual([form.status, form.json], [415, { error_code: 415, message: 'HTTP 415 Unsupported Media Type' }]);
    assert.deepEqual((await call('GET', '/nope')).json, { error_code: 404, message: 'HTTP 404 Not Found' });
    assert.deepEqual((await call('DELETE', '/connector-plugins')).json, { error_code: 405, message: 'HTTP 405 Method Not Allowed' });
    assert.equal((await call('POST', '/connectors/x/status')).status, 405);
  });

  test('the server keeps serving after errors', async () => {
    assert.equal((await call('GET', '/')).status, 200);
  });
});

describe('REST API: plugins and loggers', () => {
  test('GET /connector-plugins with connectorsOnly', async () => {
    assert.deepEqual((await call('GET', '/connector-plugins')).json, [
      { class: 'com.example.TestSinkConnector', type: 'sink', version: '1.0' },
      { class: 'com.example.TestSourceConnector', type: 'source', version: '1.0' },
    ]);
    const all = (await call('GET', '/connector-plugins?connectorsOnly=false')).json as { class: string; type: string }[];
    assert.deepEqual(all.map((p) => p.type), ['sink', 'source', 'transformation', 'predicate', 'converter']);
    assert.equal(Object.hasOwn(all[2]!, 'version'), false);
  });

  test('GET /connector-plugins/{p}/config', async () => {
    const keys = await call('GET', '/connector-plugins/TestSource/config');
    assert.equal(keys.status, 200);
    assert.equal(keys.json[0].name, 'file');
    assert.deepEqual((await call('GET', '/connector-plugins/Nope/config')).json, { error_code: 404, message: 'Unknown plugin Nope.' });
  });

  test('PUT /connector-plugins/{p}/config/validate', async () => {
    const ok = await call('PUT', '/connector-plugins/TestSinkConnector/config/validate', { 'connector.class': 'TestSink', topics: 't' });
    assert.equal(ok.status, 200);
    assert.deepEqual([ok.json.name, ok.json.error_count], ['TestSink', 1]);
    const mismatch = await call('PUT', '/connector-plugins/TestSource/config/validate', { 'connector.class': 'TestSink' });
    assert.deepEqual(mismatch.json, { error_code: 400, message: 'Included connector type TestSink does not match request type TestSource' });
    const missing = await call('PUT', '/connector-plugins/TestSink/config/validate', { topics: 't' });
    assert.deepEqual(missing.json, {
      error_code: 500, message: 'org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Connector config {topics=t} contains no connector type',
    });
  });

  test('/admin/loggers', async () => {
    assert.deepEqual((await call('GET', '/admin/loggers')).json, { root: { level: 'WARN', last_modified: null } });
    const set = await call('PUT', '/admin/loggers/io.debezium', { level: 'debug' });
    assert.deepEqual([set.status, set.json], [200, ['io.debezium']]);
    const got = await call('GET', '/admin/loggers/io.debezium');
    assert.equal(got.json.level, 'DEBUG');
    assert.equal(typeof got.json.last_modified, 'number');
    assert.deepEqual(Object.keys((await call('GET', '/admin/loggers')).json), ['io.debezium', 'root']);
    assert.equal((await call('PUT', '/admin/loggers/io.debezium?scope=cluster', { level: 'INFO' })).status, 204);
    assert.deepEqual((await call('PUT', '/admin/loggers/x', {})).json, { error_code: 400, message: "Desired 'level' parameter was not specified in request." });
    assert.deepEqual((await call('PUT', '/admin/loggers/x', { level: 'LOUD' })).json, { error_code: 404, message: "invalid log level 'LOUD'." });
    assert.deepEqual((await call('GET', '/admin/loggers/never.seen')).json, { error_code: 404, message: 'Logger never.seen not found.' });
  });
});
