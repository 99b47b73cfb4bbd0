/**
 * HTTPS listeners of a real standalone worker, with certificates made by openssl/keytool in the test: http and
 * https listeners together (both bound), PKCS12 and PEM key stores, a keytool-made PKCS12 trust store with
 * `ssl.client.auth=required` (a client without a certificate is refused, one with it served), JKS refused at
 * start with how to convert, and the un-prefixed `ssl.*` keys used when no `listeners.https.` key is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type StandaloneWorker, startStandalone } from '../../../src/connect/connect-standalone.js';
import { Logging } from '../../../src/connect/logging.js';
import { freePort } from '../../helpers/worker-process.js';
import { call, makeCerts, STORE_PASSWORD, type TestCerts } from './helpers.js';

let dir: string;
let certs: TestCerts;
const workers: StandaloneWorker[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsconnect-https-'));
  certs = makeCerts(dir);
});
after(async () => {
  for (const w of workers) await w.stop();
  rmSync(dir, { recursive: true, force: true });
});

function base(name: string, extra: Record<string, string>): Record<string, string> {
  return {
    'offset.storage.file.filename': join(dir, name, 'connect.offsets'),
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'ui.enable': 'false',
    ...extra,
  };
}

async function start(name: string, extra: Record<string, string>): Promise<StandaloneWorker> {
  const w = await startStandalone(base(name, extra), [], new Logging({ level: 'ERROR' }));
  workers.push(w);
  return w;
}

describe('https listeners', () => {
  test('https and http listeners together; PKCS12 key store; the API works over both', async () => {
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    const w = await start('mixed', {
      listeners: `https://localhost:${httpsPort},http://127.0.0.1:${httpPort}`,
      'listeners.https.ssl.keystore.location': certs.serverP12,
      'listeners.https.ssl.keystore.password': STORE_PASSWORD,
      'listeners.https.ssl.keystore.type': 'PKCS12',
    });
    assert.equal(w.url, `https://localhost:${httpsPort}`);
    const overHttps = await call(`https://localhost:${httpsPort}`, 'GET', '/', { ca: certs.ca });
    assert.equal(overHttps.status, 200);
    assert.deepEqual(Object.keys(overHttps.body), ['version', 'commit', 'kafka_cluster_id']);
    const overHttp = await call(`http://127.0.0.1:${httpPort}`, 'GET', '/connectors');
    assert.deepEqual([overHttp.status, overHttp.body], [200, []]);

    // A connector created over https; Location is an https URL.
    const created = await call(`https://localhost:${httpsPort}`, 'POST', '/connectors', {
      ca: certs.ca,
      body: { name: 'src', config: { 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: 't' } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers['location'], `https://localhost:${httpsPort}/connectors/src`);

    // Without the CA, the server certificate is not trusted.
    await assert.rejects(call(`https://localhost:${httpsPort}`, 'GET', '/'), /self[- ]signed|unable to (get|verify)/i);
  });

  test('PEM key store, keytool PKCS12 trust store, ssl.client.auth=required', async () => {
    const port = await freePort();
    await start('clientauth', {
      listeners: `https://127.0.0.1:${port}`,
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.keystore.location': certs.serverPem,
      'listeners.https.ssl.truststore.location': certs.trustP12,
      'listeners.https.ssl.truststore.password': STORE_PASSWORD,
      'listeners.https.ssl.truststore.type': 'PKCS12',
      'listeners.https.ssl.client.auth': 'required',
    });
    const url = `https://127.0.0.1:${port}`;
    await assert.rejects(
      call(url, 'GET', '/connectors', { ca: certs.ca }).then((r) => {
        // TLS 1.3 reports the missing certificate after the handshake: a response never arrives.
        throw new Error(`answered ${r.status}`);
      }),
      (e: Error) => !/answered/.test(e.message),
    );
    const ok = await call(url, 'GET', '/connectors', { ca: certs.ca, cert: readFileSync(certs.clientCert, 'utf8'), key: readFileSync(certs.clientKey, 'utf8') });
    assert.deepEqual([ok.status, ok.body], [200, []]);
  });

  test('inline PEM (ssl.keystore.key / certificate.chain on one line) through the un-prefixed ssl.* keys', async () => {
    const port = await freePort();
    const oneLine = (f: string) => readFileSync(f, 'utf8').replace(/\n/g, ' ');
    await start('inline', {
      listeners: `https://localhost:${port}`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.key': oneLine(certs.serverKey),
      'ssl.keystore.certificate.chain': oneLine(certs.serverCert),
    });
    const r = await call(`https://localhost:${port}`, 'GET', '/health', { ca: certs.ca });
    assert.equal(r.status, 200);
  });

  test('JKS stores are refused at start, with how to convert them to PKCS12', async () => {
    await assert.rejects(
      start('jks', { listeners: 'https://127.0.0.1:0', 'ssl.keystore.location': certs.serverJks, 'ssl.keystore.password': STORE_PASSWORD }),
      (e: Error) => /JKS key stores cannot be read here; convert it to PKCS12/.test(e.message) && e.message.includes('keytool -importkeystore') && !e.message.includes(STORE_PASSWORD),
    );
    await assert.rejects(
      start('jks2', {
        listeners: 'https://127.0.0.1:0',
        'ssl.keystore.location': certs.serverP12,
        'ssl.keystore.password': STORE_PASSWORD,
        'ssl.truststore.location': certs.trustJks,
        'ssl.truststore.password': STORE_PASSWORD,
      }),
      /ssl\.truststore\.location.*JKS key stores cannot be read here/,
    );
    await assert.rejects(start('nokeystore', { listeners: 'https://127.0.0.1:0' }), /An https listener needs a key store/);
  });
});
