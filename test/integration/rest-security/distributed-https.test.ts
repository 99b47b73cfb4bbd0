/**
 * Two distributed workers on a real Kafka broker with https listeners (PKCS12 key store, keytool trust store)
 * and basic auth: writes sent to either worker succeed, so the one sent to the non-leader was forwarded to
 * the leader over https with the caller's Authorization header; task configs generated on a non-leader reach
 * the leader (internal request, exempt from basic auth) and the tasks run; without credentials: 401.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DistributedWorker, startDistributed } from '../../../src/connect/connect-distributed.js';
import { Logging } from '../../../src/connect/logging.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { freePort, waitFor } from '../../helpers/worker-process.js';
import { startBroker, uniqueName } from '../kafka/helpers.js';
import { call, makeCerts, STORE_PASSWORD, type TestCerts } from './helpers.js';
import { distributedTestProps } from '../distributed/helpers.js';

const ADMIN = { user: 'admin', password: 'admin-secret' };

describe('distributed workers with https and basic auth', () => {
  let cluster: KafkaCluster;
  let dir: string;
  let certs: TestCerts;
  const workers: DistributedWorker[] = [];
  const urls: string[] = [];

  before(async () => {
    cluster = await startBroker();
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-dist-https-'));
    certs = makeCerts(dir);
    writeFileSync(join(dir, 'users.properties'), `admin=${ADMIN.password}\n`);
    writeFileSync(join(dir, 'connect.jaas'), `KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file="${join(dir, 'users.properties')}"; };\n`);
    writeFileSync(join(dir, 'in.txt'), 'one\ntwo\nthree\n');
    const group = uniqueName('connect-https');
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      urls.push(`https://localhost:${port}`);
      workers.push(
        await startDistributed(
          {
            ...distributedTestProps(cluster.bootstrapServers, group),
            'consumer.fetch.max.wait.ms': '100',
            listeners: `https://localhost:${port}`,
            'rest.advertised.host.name': 'localhost',
            'listeners.https.ssl.keystore.location': certs.serverP12,
            'listeners.https.ssl.keystore.password': STORE_PASSWORD,
            'listeners.https.ssl.truststore.location': certs.trustP12,
            'listeners.https.ssl.truststore.password': STORE_PASSWORD,
            'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension',
            'rest.basic.auth.jaas.config.file': join(dir, 'connect.jaas'),
          },
          new Logging({ level: 'ERROR' }),
        ),
      );
    }
  });

  after(async () => {
    for (const w of workers) await w.stop();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const req = (i: number, method: string, path: string, body?: unknown, auth: typeof ADMIN | null = ADMIN) => call(urls[i]!, method, path, { ca: certs.ca, auth: auth ?? undefined, body });
  /** Retried while the group rebalances (409), as a client would. */
  const write = (i: number, method: string, path: string, body?: unknown) =>
    waitFor(`${method} ${path} on worker ${i}`, async () => {
      const r = await req(i, method, path, body);
      return r.status === 409 ? false : r;
    }, 60_000);

  test('the advertised URL and worker id are https', () => {
    assert.equal(workers[0]!.url.startsWith('https://localhost:'), true);
    assert.match(workers[1]!.workerId, /^localhost:\d+$/);
  });

  test('creates through both workers (one is forwarded to the leader over https), tasks run, 401 without credentials', async () => {
    assert.equal((await req(0, 'GET', '/connectors', undefined, null)).status, 401);
    assert.equal((await req(1, 'POST', '/connectors', { name: 'x', config: {} }, { user: 'admin', password: 'nope' })).status, 401);

    const outputs = [join(dir, 'out-0.txt'), join(dir, 'out-1.txt')];
    for (const i of [0, 1]) {
      const topic = uniqueName(`lines-${i}`);
      const src = await write(i, 'POST', '/connectors', { name: `src-${i}`, config: { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic } });
      assert.equal(src.status, 201, src.text);
      assert.equal(src.body.name, `src-${i}`);
      const sink = await write(i, 'POST', '/connectors', { name: `sink-${i}`, config: { 'connector.class': 'FileStreamSink', file: outputs[i], topics: topic, 'tasks.max': '1' } });
      assert.equal(sink.status, 201, sink.text);
    }
    // Both workers see every connector (the config topic was written by the leader).
    const listed = await waitFor('all four connectors on both workers', async () => {
      const a = (await req(0, 'GET', '/connectors')).body as string[];
      const b = (await req(1, 'GET', '/connectors')).body as string[];
      return a.length === 4 && b.length === 4 ? a.sort() : false;
    });
    assert.deepEqual(listed, ['sink-0', 'sink-1', 'src-0', 'src-1']);
    for (const out of outputs) {
      await waitFor(`lines in ${out}`, () => existsSync(out) && readFileSync(out, 'utf8') === 'one\ntwo\nthree\n', 90_000);
    }
    // A restart sent to both workers (forwarded to the owner when needed) with credentials.
    for (const i of [0, 1]) {
      const r = await write(i, 'POST', `/connectors/src-${1 - i}/restart`);
      assert.ok([202, 204].includes(r.status), `${r.status} ${r.text}`);
    }
    // A delete through the worker that did not create it.
    const deleted = await write(1, 'DELETE', '/connectors/sink-0');
    assert.equal(deleted.status, 204, deleted.text);
  });
});
