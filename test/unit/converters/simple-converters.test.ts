import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Converter } from '../../../src/connect/api/index.js';
import { Schema, SchemaBuilder, Struct } from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';
import { PluginRegistry } from '../../../src/connect/runtime/plugins.js';
import {
  BooleanConverter,
  ByteArrayConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
  StringConverter,
  converterPlugins,
} from '../../../src/converters/index.js';

describe('StringConverter', () => {
  test('writes the string form, reads an optional string', () => {
    const c = new StringConverter();
    c.configure({}, false);
    assert.equal(c.fromConnectData('t', null, 'héllo')!.toString('utf8'), 'héllo');
    assert.equal(c.fromConnectData('t', Schema.FLOAT64_SCHEMA, 1)!.toString(), '1.0');
    assert.equal(c.fromConnectData('t', null, 42)!.toString(), '42');
    assert.equal(c.fromConnectData('t', null, null), null);
    const s = SchemaBuilder.struct().field('a', Schema.INT32_SCHEMA).build();
    assert.equal(c.fromConnectData('t', s, new Struct(s).put('a', 1))!.toString(), 'Struct{a=1}');
    assert.deepEqual(c.toConnectData('t', Buffer.from('héllo')), { schema: Schema.OPTIONAL_STRING_SCHEMA, value: 'héllo' });
    assert.deepEqual(c.toConnectData('t', null), { schema: Schema.OPTIONAL_STRING_SCHEMA, value: null });
  });
  test('converter.encoding', () => {
    const c = new StringConverter();
    c.configure({ 'converter.encoding': 'UTF-16BE' }, true);
    assert.deepEqual([...c.fromConnectData('t', null, 'A')!], [0, 65]);
    assert.equal(c.toConnectData('t', Buffer.from([0, 65, 0, 66])).value, 'AB');
    c.configure({ 'converter.encoding': 'ISO-8859-1' }, true);
    assert.deepEqual([...c.fromConnectData('t', null, 'é')!], [0xe9]);
    assert.throws(() => c.configure({ 'converter.encoding': 'EBCDIC-XYZ' }, true), /Unsupported encoding/);
  });
});

describe('ByteArrayConverter', () => {
  test('passes bytes through', () => {
    const c = new ByteArrayConverter();
    const bytes = Buffer.from([1, 2, 3]);
    assert.deepEqual([...c.fromConnectData('t', Schema.BYTES_SCHEMA, bytes)!], [1, 2, 3]);
    assert.equal(c.fromConnectData('t', null, null), null);
    assert.deepEqual(c.toConnectData('t', bytes), { schema: Schema.OPTIONAL_BYTES_SCHEMA, value: bytes });
  });
  test('rejects other schemas and values', () => {
    const c = new ByteArrayConverter();
    assert.throws(() => c.fromConnectData('t', Schema.STRING_SCHEMA, 'x'), { name: 'DataException', message: 'Invalid schema type for ByteArrayConverter: STRING' });
    assert.throws(() => c.fromConnectData('t', null, 'x'), { message: 'ByteArrayConverter is not compatible with objects of type class java.lang.String' });
  });
});

describe('primitive converters', () => {
  test('big-endian round trips', () => {
    const cases: [Converter, unknown, number[]][] = [
      [new IntegerConverter(), -2, [0xff, 0xff, 0xff, 0xfe]],
      [new ShortConverter(), 258, [1, 2]],
      [new LongConverter(), 9007199254740993n, [0, 0x20, 0, 0, 0, 0, 0, 1]],
      [new FloatConverter(), 1.5, [0x3f, 0xc0, 0, 0]],
      [new DoubleConverter(), 1.5, [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]],
      [new BooleanConverter(), true, [1]],
    ];
    for (const [c, value, bytes] of cases) {
      const out = c.fromConnectData('t', null, value)!;
      assert.deepEqual([...out], bytes);
      assert.equal(c.toConnectData('t', out).value, value);
    }
  });
  test('size and type errors', () => {
    assert.throws(() => new IntegerConverter().toConnectData('t', Buffer.from([1, 2])), (e: unknown) =>
      e instanceof DataException && e.message === 'Failed to deserialize integer: ' &&
      (e.cause as Error).message === 'Size of data received by IntegerDeserializer is not 4');
    assert.throws(() => new IntegerConverter().fromConnectData('t', null, 'x'), { message: 'Failed to serialize to integer (was class java.lang.String): ' });
    assert.throws(() => new BooleanConverter().toConnectData('t', Buffer.from([2])), { message: 'Failed to deserialize boolean: ' });
    assert.throws(() => new BooleanConverter().fromConnectData('t', Schema.INT8_SCHEMA, true), { message: 'Invalid schema type for BooleanConverter: INT8' });
    assert.deepEqual(new LongConverter().toConnectData('t', null), { schema: Schema.OPTIONAL_INT64_SCHEMA, value: null });
  });
});

describe('plugin descriptors', () => {
  test('registered by Java class name and alias', () => {
    const registry = new PluginRegistry().register(...converterPlugins);
    assert.equal(registry.find('org.apache.kafka.connect.json.JsonConverter')?.type, 'converter');
    assert.equal(registry.find('JsonConverter')?.className, 'org.apache.kafka.connect.json.JsonConverter');
    assert.equal(registry.find('org.apache.kafka.connect.storage.SimpleHeaderConverter')?.type, 'header_converter');
    const c = registry.create<StringConverter>('StringConverter', 'converter');
    assert.ok(c instanceof StringConverter);
  });
});
