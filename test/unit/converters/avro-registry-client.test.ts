/**
 * The registry client's HTTP behaviour (paths, content type, basic auth, retries, error mapping), against a
 * loopback HTTP stub that records the requests. What a real registry answers is the integration suite's job.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RetriableException } from '../../../src/connect/errors.js';
import { RegistryError, SchemaRegistryClient } from '../../../src/converters/avro/registry-client.js';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}

describe('SchemaRegistryClient', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let failures = 0;

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, contentType: req.headers['content-type'], body });
        res.setHeader('Content-Type', 'application/vnd.schemaregistry.v1+json');
        if (failures > 0) {
          failures--;
          res.statusCode = 503;
          res.end('{"error_code":50003,"message":"busy"}');
          return;
        }
        if (req.url === '/subjects/t-value/versions' && req.method === 'POST') res.end('{"id":42}');
        else if (req.url === '/schemas/ids/42') res.end('{"schema":"\\"string\\""}');
        else if (req.url === '/subjects/bad/versions') {
          res.statusCode = 409;
          res.end('{"error_code":409,"message":"Schema being registered is incompatible with an earlier schema"}');
        } else {
          res.statusCode = 404;
          res.end('{"error_code":40401,"message":"Subject not found."}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  test('register posts the schema as JSON with the registry content type and basic auth; ids are cached both ways', async () => {
    seen.length = 0;
    const c = new SchemaRegistryClient({ urls: [base], userInfo: 'alice:s3cret' });
    assert.equal(await c.register('t-value', '"string"'), 42);
    assert.equal(await c.register('t-value', '"string"'), 42);
    assert.equal(await c.schemaById(42), '"string"');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.url, '/subjects/t-value/versions');
    assert.equal(seen[0]!.contentType, 'application/vnd.schemaregistry.v1+json');
    assert.equal(seen[0]!.auth, 'Basic ' + Buffer.from('alice:s3cret').toString('base64'));
    assert.deepEqual(JSON.parse(seen[0]!.body), { schema: '"string"' });
  });

  test('credentials in the URL become the basic auth header', async () => {
    seen.length = 0;
    const c = new SchemaRegistryClient({ urls: [base.replace('http://', 'http://bob:pw@')], userInfo: null });
    await c.schemaById(42);
    assert.equal(seen[0]!.auth, 'Basic ' + Buffer.from('bob:pw').toString('base64'));
  });

  test('4xx answers are RegistryErrors with the error code; 5xx are retried', async () => {
    const c = new SchemaRegistryClient({ urls: [base], userInfo: null, retryBackoffMs: 1 });
    await assert.rejects(c.register('bad', '"int"'), (e: unknown) => e instanceof RegistryError && e.status === 409 && /incompatible/.test(e.message));
    failures = 2;
    assert.equal(await c.register('t-value', '"long"'), 42);
    failures = 10;
    await assert.rejects(c.latest('x'), (e: unknown) => e instanceof RetriableException && /after 4 attempts: busy; error code: 50003/.test((e as Error).message));
    failures = 0;
  });

  test('an unreachable URL falls over to the next; none reachable is a RetriableException', async () => {
    const c = new SchemaRegistryClient({ urls: ['http://127.0.0.1:1', base], userInfo: null, retryBackoffMs: 1 });
    assert.equal(await c.schemaById(42), '"string"');
    const dead = new SchemaRegistryClient({ urls: ['http://127.0.0.1:1'], userInfo: null, maxRetries: 1, retryBackoffMs: 1 });
    await assert.rejects(dead.schemaById(1), (e: unknown) => e instanceof RetriableException && /127\.0\.0\.1:1 did not answer GET \/schemas\/ids\/1 after 2 attempts/.test((e as Error).message));
  });
});
