/**
 * The AvroConverter's own logic (wire format, subjects, caches, the ConversionPending handshake with the
 * runtime) over an in-memory stand-in for the registry API. The converter against a real registry is the
 * integration suite's job.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversionPending } from '../../../src/connect/api/converter.js';
import { Schema, SchemaBuilder, SourceRecord, Struct } from '../../../src/connect/data/index.js';
import { RetriableException } from '../../../src/connect/errors.js';
import { RetryWithToleranceOperator, SKIP } from '../../../src/connect/runtime/errors/retry-with-tolerance.js';
import { toProduceRecord, type ConverterSet } from '../../../src/connect/runtime/record-conversion.js';
import { AvroConverter, type RegistryApi } from '../../../src/converters/avro/avro-converter.js';
import { readProblems } from '../../../src/converters/avro/avro-compatibility.js';
import { parseAvroSchema } from '../../../src/converters/avro/avro-schema.js';
import { RegistryError, type SubjectVersion } from '../../../src/converters/avro/registry-client.js';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { builtinPlugins } from '../../../src/plugins.js';

/** Subjects with BACKWARD compatibility, ids from 1, in memory. */
class MemoryRegistry implements RegistryApi {
  readonly subjects = new Map<string, { id: number; schema: string }[]>();
  readonly schemas: string[] = [];
  calls = 0;
  down = false;

  private call(): void {
    this.calls++;
    if (this.down) throw new RetriableException('registry down');
  }

  async register(subject: string, schema: string): Promise<number> {
    this.call();
    const versions = this.subjects.get(subject) ?? [];
    const existing = versions.find((v) => v.schema === schema);
    if (existing) return existing.id;
    const latest = versions.at(-1);
    if (latest && readProblems(parseAvroSchema(schema), parseAvroSchema(latest.schema)).length > 0) {
      throw new RegistryError(409, 409, 'Schema being registered is incompatible with an earlier schema for subject "' + subject + '"');
    }
    let id = this.schemas.indexOf(schema) + 1;
    if (id === 0) id = this.schemas.push(schema);
    versions.push({ id, schema });
    this.subjects.set(subject, versions);
    return id;
  }

  async lookup(subject: string, schema: string): Promise<SubjectVersion> {
    this.call();
    const i = (this.subjects.get(subject) ?? []).findIndex((v) => v.schema === schema);
    if (i < 0) throw new RegistryError(404, 40403, 'Schema not found');
    return { subject, id: this.subjects.get(subject)![i]!.id, version: i + 1, schema };
  }

  async version(subject: string, schema: string): Promise<number | null> {
    try {
      return (await this.lookup(subject, schema)).version;
    } catch {
      return null;
    }
  }

  async schemaById(id: number): Promise<string> {
    this.call();
    const s = this.schemas[id - 1];
    if (s === undefined) throw new RegistryError(404, 40403, 'Schema not found');
    return s;
  }

  async latest(subject: string): Promise<SubjectVersion> {
    this.call();
    const versions = this.subjects.get(subject);
    if (!versions) throw new RegistryError(404, 40401, 'Subject not found');
    const v = versions.at(-1)!;
    return { subject, id: v.id, version: versions.length, schema: v.schema };
  }

  async versions(subject: string): Promise<number[]> {
    return (this.subjects.get(subject) ?? []).map((_, i) => i + 1);
  }
}

function converter(registry: RegistryApi, configs: Record<string, string> = {}, isKey = false): AvroConverter {
  const c = new AvroConverter(registry);
  c.configure({ 'schema.registry.url': 'http://registry.invalid', ...configs }, isKey);
  return c;
}

const V1 = SchemaBuilder.struct().name('shop.Order').field('id', Schema.INT32_SCHEMA).field('item', Schema.STRING_SCHEMA).build();
const V2 = SchemaBuilder.struct().name('shop.Order').field('id', Schema.INT32_SCHEMA).field('item', Schema.STRING_SCHEMA).field('note', Schema.OPTIONAL_STRING_SCHEMA).build();
const order = (id: number): Struct => new Struct(V1).put('id', id).put('item', 'tea');

describe('AvroConverter', () => {
  test('the plugin is registered under its Java class name', () => {
    const d = builtinPlugins().find((p) => p.className === 'io.confluent.connect.avro.AvroConverter');
    assert.ok(d);
    assert.equal(d.type, 'converter');
    assert.ok(d.create() instanceof AvroConverter);
  });

  test('first record: ConversionPending while the schema registers; then the wire format, synchronously, without calls', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg);
    let pending: unknown;
    try {
      c.fromConnectData('orders', V1, order(1));
    } catch (e) {
      pending = e;
    }
    assert.ok(pending instanceof ConversionPending);
    await pending.ready;
    const bytes = c.fromConnectData('orders', V1, order(1))!;
    // magic 0, id 1 big-endian, then id zig-zag 2, "tea" length 3 (zig-zag 6)
    assert.deepEqual([...bytes], [0, 0, 0, 0, 1, 0x02, 0x06, 0x74, 0x65, 0x61]);
    const calls = reg.calls;
    for (let i = 0; i < 100; i++) c.fromConnectData('orders', V1, order(i));
    assert.equal(reg.calls, calls, 'ids are cached');
    assert.deepEqual([...reg.subjects.keys()], ['orders-value']);
  });

  test('reads back with the writer schema fetched by id, and the registry version as the Connect version', async () => {
    const reg = new MemoryRegistry();
    const bytes = await converter(reg).fromConnectDataAsync('orders', V1, order(7));
    const reader = converter(reg);
    const { schema, value } = await reader.toConnectDataAsync('orders', bytes);
    assert.equal(schema!.name, 'shop.Order');
    assert.equal(schema!.version, 1);
    assert.ok((value as Struct).equals(new Struct(schema!).put('id', 7).put('item', 'tea')));
    assert.deepEqual(reader.toConnectData('orders', null), { schema: null, value: null });
    assert.throws(() => reader.toConnectData('orders', Buffer.from([1, 0, 0, 0, 1])), /Unknown magic byte!/);
  });

  test('null value: no bytes, no registry call; a top-level bytes schema is written raw', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg);
    assert.equal(c.fromConnectData('t', V1, null), null);
    assert.equal(reg.calls, 0);
    const raw = await c.fromConnectDataAsync('t', Schema.BYTES_SCHEMA, Buffer.from('hi'));
    assert.deepEqual([...raw!], [0, 0, 0, 0, 1, 0x68, 0x69]);
    assert.deepEqual((await c.toConnectDataAsync('t', raw)).value, Buffer.from('hi'));
  });

  test('key converter and subject name strategies', async () => {
    const reg = new MemoryRegistry();
    await converter(reg, {}, true).fromConnectDataAsync('orders', Schema.INT32_SCHEMA, 5);
    await converter(reg, { 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' }).fromConnectDataAsync('orders', V1, order(1));
    await converter(reg, { 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy' }).fromConnectDataAsync('orders', V1, order(1));
    assert.deepEqual([...reg.subjects.keys()], ['orders-key', 'shop.Order', 'orders-shop.Order']);
    await assert.rejects(
      converter(reg, { 'key.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' }, true).fromConnectDataAsync('orders', Schema.INT32_SCHEMA, 5),
      /the message key must only be a record schema/,
    );
  });

  test('an added optional field is a new version; an incompatible change is a DataException naming the subject and versions', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg);
    await c.fromConnectDataAsync('orders', V1, order(1));
    await c.fromConnectDataAsync('orders', V2, new Struct(V2).put('id', 2).put('item', 'tea'));
    assert.deepEqual(await reg.versions('orders-value'), [1, 2]);
    const V3 = SchemaBuilder.struct().name('shop.Order').field('id', Schema.STRING_SCHEMA).build();
    await assert.rejects(c.fromConnectDataAsync('orders', V3, new Struct(V3).put('id', 'x')), (e: Error) => {
      assert.equal(e.name, 'DataException');
      assert.match(e.message, /Failed to serialize Avro data from topic orders: the schema is incompatible with an earlier schema of subject "orders-value" \(registered versions: 1, 2\)/);
      return true;
    });
  });

  test('use.latest.version writes with the subject\'s latest schema; strict check refuses one that cannot read the record', async () => {
    const reg = new MemoryRegistry();
    await converter(reg).fromConnectDataAsync('orders', V2, new Struct(V2).put('id', 1).put('item', 'tea'));
    const latest = converter(reg, { 'auto.register.schemas': 'false', 'use.latest.version': 'true' });
    const bytes = await latest.fromConnectDataAsync('orders', V1, order(3));
    assert.equal(bytes!.readInt32BE(1), 1);
    const back = await converter(reg).toConnectDataAsync('orders', bytes);
    assert.equal((back.value as Struct).get('note'), null);
    assert.equal((back.value as Struct).get('id'), 3);
    const other = SchemaBuilder.struct().name('shop.Order').field('id', Schema.INT32_SCHEMA).build();
    await assert.rejects(latest.fromConnectDataAsync('orders', other, new Struct(other).put('id', 1)), /Incompatible schema of type 'AVRO'.*subject "orders-value"/);
  });

  test('auto.register.schemas=false without use.latest.version looks the schema up, and fails clearly when it is not there', async () => {
    const reg = new MemoryRegistry();
    await assert.rejects(converter(reg, { 'auto.register.schemas': 'false' }).fromConnectDataAsync('orders', V1, order(1)), /subject "orders-value" has no such schema/);
  });
});

describe('the runtime awaits converters waiting for the registry', () => {
  const sets = (value: AvroConverter): ConverterSet => {
    const json = new JsonConverter();
    json.configure({}, true);
    return { key: json, keyClass: 'J', value, valueClass: 'io.confluent.connect.avro.AvroConverter', header: json, headerClass: 'J' };
  };
  const record = (): SourceRecord => new SourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'orders', kafkaPartition: null, keySchema: null, key: null, valueSchema: V1, value: order(1), timestamp: null });

  test('a synchronous stage passes ConversionPending on; runAsync waits for it and converts', async () => {
    const reg = new MemoryRegistry();
    const converters = sets(converter(reg));
    const errors = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 1000, tolerance: 'none' });
    assert.throws(() => toProduceRecord(record(), converters, errors, {}), ConversionPending);
    const produced = await errors.runAsync('VALUE_CONVERTER', 'c', () => toProduceRecord(record(), converters, errors, {}));
    assert.notEqual(produced, SKIP);
    assert.equal((produced as { value: Buffer }).value[0], 0);
  });

  test('registry down: RetriableException retried until errors.retry.timeout, then tolerated (errors.tolerance=all)', async () => {
    const reg = new MemoryRegistry();
    reg.down = true;
    const converters = sets(converter(reg));
    const errors = new RetryWithToleranceOperator({ retryTimeoutMs: 1000, retryDelayMaxMs: 100, tolerance: 'all' }, [], (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))));
    const produced = await errors.runAsync('VALUE_CONVERTER', 'c', () => toProduceRecord(record(), converters, errors, {}));
    assert.equal(produced, SKIP);
    assert.ok(reg.calls >= 2, `the registry was asked again (${reg.calls} calls)`);
    assert.equal(errors.toleratedFailures, 1);
    reg.down = false;
    const later = await errors.runAsync('VALUE_CONVERTER', 'c', () => toProduceRecord(record(), converters, errors, {}));
    assert.notEqual(later, SKIP, 'converts once the registry is back');
  });
});
