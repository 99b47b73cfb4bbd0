/**
 * docker-compose.yaml for users, checked without a Docker engine: the services the blog setup needs, and a
 * worker configuration whose keys the distributed worker defines and accepts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseProperties } from 'dot-properties';
import { parse as parseYaml } from 'yaml';
import { workerConfigDef } from '../../../src/connect/runtime/worker-config.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  command?: string[];
}

const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yaml'), 'utf8')) as { services: Record<string, Service> };

test('the compose file has Postgres with logical decoding, a KRaft Kafka and the worker', () => {
  const { postgres, kafka, connect } = compose.services;
  assert.ok(postgres && kafka && connect);
  assert.ok(postgres.command!.includes('wal_level=logical'));
  assert.deepEqual(postgres.ports, ['5432:5432']);
  assert.equal(kafka.environment!['KAFKA_PROCESS_ROLES'], 'broker,controller');
  assert.deepEqual(connect.ports, ['8083:8083']);
  assert.equal(connect.build, '.');
  assert.ok(existsSync(join(ROOT, 'Dockerfile')));
  assert.match(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'), /ENTRYPOINT \["node", "bin\/tsconnect.js"\]/);
});

test('the mounted worker configuration is a valid distributed worker config pointing at the compose services', () => {
  const connect = compose.services['connect']!;
  const [hostPath, containerPath] = connect.volumes![0]!.replace(/:ro$/, '').split(':');
  assert.equal(connect.command![0], 'distributed');
  assert.equal(connect.command![1], containerPath);
  const props = parseProperties(readFileSync(join(ROOT, hostPath!), 'utf8')) as Record<string, string>;
  const def = workerConfigDef('distributed');
  for (const key of Object.keys(props)) assert.ok(def.has(key) || /\.storage\./.test(key), `unknown worker key ${key}`);
  const parsed = def.parse(props);
  assert.deepEqual(parsed.getList('bootstrap.servers'), ['kafka:9092']);
  assert.match(String(compose.services['kafka']!.environment!['KAFKA_ADVERTISED_LISTENERS']), /PLAINTEXT:\/\/kafka:9092/);
  assert.equal(parsed.getString('group.id'), '1');
  assert.deepEqual(parsed.getList('listeners'), ['http://:8083']);
});
