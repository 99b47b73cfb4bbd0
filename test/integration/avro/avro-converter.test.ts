/**
 * AvroConverter against a real schema registry (Apicurio Registry's Confluent-compatible API, see
 * src/testing/schema-registry.ts): registration, reading back with the writer schema, subject strategies,
 * use.latest.version, basic auth, schema evolution and refusal, and a registry that goes away. One registry
 * (with basic auth) serves the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Schema, SchemaBuilder, SourceRecord, Struct } from '../../../src/connect/data/index.js';
import { ConversionPending } from '../../../src/connect/api/converter.js';
import { RetryWithToleranceOperator, SKIP, ToleranceExceededError } from '../../../src/connect/runtime/errors/retry-with-tolerance.js';
import { toProduceRecord } from '../../../src/connect/runtime/record-conversion.js';
import { AvroConverter } from '../../../src/converters/avro/avro-converter.js';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { startSchemaRegistry, type SchemaRegistry } from '../../../src/testing/schema-registry.js';

const USER = 'connect';
const PASSWORD = 'avro-s3cret';

const V1 = SchemaBuilder.struct().name('shop.Order').field('id', Schema.INT32_SCHEMA).field('item', Schema.STRING_SCHEMA).build();
const V2 = SchemaBuilder.struct().name('shop.Order').field('id', Schema.INT32_SCHEMA).field('item', Schema.STRING_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA).build();
const order = (schema: Schema, id: number, extra: Record<string, unknown> = {}): Struct => {
  const s = new Struct(schema).put('id', id).put('item', 'tea');
  for (const [k, v] of Object.entries(extra)) s.put(k, v);
  return s;
};

describe('AvroConverter with a real schema registry', () => {
  let registry: SchemaRegistry;
  let auth: Record<string, string>;

  before(async () => {
    registry = await startSchemaRegistry({ basicAuth: { user: USER, password: PASSWORD } });
    auth = { Authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64') };
  });

  after(async () => {
    await registry?.stop();
  });

  const converter = (configs: Record<string, string> = {}, isKey = false): AvroConverter => {
    const c = new AvroConverter();
    c.configure({
      'schema.registry.url': registry.url,
      'basic.auth.credentials.source': 'USER_INFO',
      'basic.auth.user.info': `${USER}:${PASSWORD}`,
      'retries.wait.ms': '50',
      ...configs,
    }, isKey);
    return c;
  };

  const rest = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(registry.url + path, { ...init, headers: { ...auth, 'Content-Type': 'application/vnd.schemaregistry.v1+json', ...(init.headers as Record<string, string>) } });
    return { status: res.status, body: await res.json() };
  };

  test('auto-registers under <topic>-value and <topic>-key; a new converter reads back with the writer schema from the registry', async () => {
    const bytes = await converter().fromConnectDataAsync('orders', V1, order(V1, 7));
    const key = await converter({}, true).fromConnectDataAsync('orders', Schema.INT32_SCHEMA, 7);
    const subjects = (await rest('/subjects')).body as string[];
    assert.ok(subjects.includes('orders-value') && subjects.includes('orders-key'), JSON.stringify(subjects));
    const latest = (await rest('/subjects/orders-value/versions/latest')).body as { id: number; version: number; schema: string };
    assert.equal(bytes![0], 0);
    assert.equal(bytes!.readInt32BE(1), latest.id);
    assert.deepEqual(JSON.parse(latest.schema), {
      type: 'record', name: 'Order', namespace: 'shop',
      fields: [{ name: 'id', type: 'int' }, { name: 'item', type: 'string' }],
      'connect.name': 'shop.Order',
    });
    const back = await converter().toConnectDataAsync('orders', bytes);
    assert.equal(back.schema!.name, 'shop.Order');
    assert.equal(back.schema!.version, 1, 'the subject version');
    assert.ok((back.value as Struct).equals(new Struct(back.schema!).put('id', 7).put('item', 'tea')));
    assert.equal((await converter({}, true).toConnectDataAsync('orders', key)).value, 7);
  });

  test('RecordNameStrategy and TopicRecordNameStrategy subjects', async () => {
    await converter({ 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' }).fromConnectDataAsync('mixed', V1, order(V1, 1));
    await converter({ 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy' }).fromConnectDataAsync('mixed', V1, order(V1, 1));
    const subjects = (await rest('/subjects')).body as string[];
    assert.ok(subjects.includes('shop.Order'), JSON.stringify(subjects));
    assert.ok(subjects.includes('mixed-shop.Order'), JSON.stringify(subjects));
    assert.ok(!subjects.includes('mixed-value'));
  });

  test('an added optional field is accepted as version 2; the old reader still reads; the registry says compatible', async () => {
    const c = converter();
    const old = await c.fromConnectDataAsync('evolve', V1, order(V1, 1));
    const compatible = await rest('/compatibility/subjects/evolve-value/versions/latest', {
      method: 'POST',
      body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'int' }, { name: 'item', type: 'string' }, { name: 'note', type: ['null', 'string'], default: null }], 'connect.name': 'shop.Order' }) }),
    });
    // Confluent answers {is_compatible}; Apicurio adds a `reason` (null here).
    assert.equal((compatible.body as { is_compatible: boolean }).is_compatible, true);
    const incompatible = await rest('/compatibility/subjects/evolve-value/versions/latest', {
      method: 'POST',
      body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'item', type: 'string' }], 'connect.name': 'shop.Order' }) }),
    });
    assert.equal((incompatible.body as { is_compatible: boolean }).is_compatible, false, 'int → string is not BACKWARD compatible');
    const newer = await c.fromConnectDataAsync('evolve', V2, order(V2, 2, { note: 'fresh' }));
    assert.deepEqual((await rest('/subjects/evolve-value/versions')).body, [1, 2]);
    const reader = converter();
    const a = await reader.toConnectDataAsync('evolve', old);
    const b = await reader.toConnectDataAsync('evolve', newer);
    assert.equal(a.schema!.version, 1);
    assert.equal(a.schema!.field('note'), undefined);
    assert.equal(b.schema!.version, 2);
    assert.equal((b.value as Struct).get('note'), 'fresh');
  });

  test('an incompatible change (a type changed, a required field added) is a DataException naming the subject and versions', async () => {
    const c = converter();
    await c.fromConnectDataAsync('strict', V1, order(V1, 1));
    const changed = SchemaBuilder.struct().name('shop.Order').field('id', Schema.STRING_SCHEMA).field('item', Schema.STRING_SCHEMA).build();
    await assert.rejects(c.fromConnectDataAsync('strict', changed, new Struct(changed).put('id', 'x').put('item', 'y')), (e: Error) => {
      assert.equal(e.name, 'DataException');
      // The error code is the registry's own (Confluent 409, Apicurio 0); the HTTP status is checked below.
      assert.match(e.message, /topic strict: the schema is incompatible with an earlier schema of subject "strict-value" \(registered versions: 1\); the registry said: .+; error code: \d+$/);
      return true;
    });
    const refused = await rest('/subjects/strict-value/versions', {
      method: 'POST',
      body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'item', type: 'string' }], 'connect.name': 'shop.Order' }) }),
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    const required = SchemaBuilder.struct().name('shop.Order').field('id', Schema.INT32_SCHEMA).field('item', Schema.STRING_SCHEMA).field('qty', Schema.INT32_SCHEMA).build();
    await assert.rejects(c.fromConnectDataAsync('strict', required, new Struct(required).put('id', 1).put('item', 'y').put('qty', 2)), /subject "strict-value" \(registered versions: 1\)/);
  });

  test('use.latest.version writes with the latest registered schema', async () => {
    await converter().fromConnectDataAsync('latest', V2, order(V2, 1));
    const latest = (await rest('/subjects/latest-value/versions/latest')).body as { id: number };
    const bytes = await converter({ 'auto.register.schemas': 'false', 'use.latest.version': 'true' }).fromConnectDataAsync('latest', V1, order(V1, 5));
    assert.equal(bytes!.readInt32BE(1), latest.id);
    const back = await converter().toConnectDataAsync('latest', bytes);
    assert.equal((back.value as Struct).get('id'), 5);
    assert.equal((back.value as Struct).get('note'), null);
    assert.deepEqual((await rest('/subjects/latest-value/versions')).body, [1], 'nothing new registered');
  });

  test('basic auth: a wrong password is refused with a clear DataException', async () => {
    const wrong = converter({ 'basic.auth.user.info': `${USER}:wrong` });
    await assert.rejects(wrong.fromConnectDataAsync('auth', V1, order(V1, 1)), /the schema registry refused the credentials \(401\)/);
    const none = converter({ 'basic.auth.credentials.source': 'URL' });
    await assert.rejects(none.fromConnectDataAsync('auth', V1, order(V1, 1)), /refused the credentials \(401\)/);
  });

  test('registry unreachable: retries, then a RetriableException the error operator retries until errors.retry.timeout', { timeout: 60_000 }, async () => {
    const c = converter({ 'max.retries': '2', 'retries.wait.ms': '20' });
    const json = new JsonConverter();
    json.configure({}, true);
    const set = { key: json, keyClass: 'J', value: c, valueClass: 'io.confluent.connect.avro.AvroConverter', header: json, headerClass: 'J' };
    const record = new SourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'outage', kafkaPartition: null, keySchema: null, key: null, valueSchema: V1, value: order(V1, 1), timestamp: null });
    await registry.kill();
    try {
      await assert.rejects(c.fromConnectDataAsync('outage', V1, order(V1, 1)), (e: Error) => {
        assert.equal(e.name, 'RetriableException');
        assert.match(e.message, /did not answer POST \/subjects\/outage-value\/versions after 3 attempts/);
        return true;
      });
      const none = new RetryWithToleranceOperator({ retryTimeoutMs: 800, retryDelayMaxMs: 200, tolerance: 'none' });
      const started = Date.now();
      await assert.rejects(none.runAsync('VALUE_CONVERTER', set.valueClass, () => toProduceRecord(record, set, none, {})), ToleranceExceededError);
      assert.ok(Date.now() - started >= 500, 'retried for errors.retry.timeout');
      const all = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 200, tolerance: 'all' });
      assert.equal(await all.runAsync('VALUE_CONVERTER', set.valueClass, () => toProduceRecord(record, set, all, {})), SKIP);
    } finally {
      await registry.restart();
    }
    assert.throws(() => c.fromConnectData('outage', V1, order(V1, 1)), ConversionPending);
    const bytes = await c.fromConnectDataAsync('outage', V1, order(V1, 1));
    assert.equal(bytes![0], 0, 'works again once the registry is back');
  });
});
