/** The outputs kafka-connect.md §6 records from running the real SMT classes, plus their schema'd forms. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cast, ExtractField, Flatten, HoistField, InsertField, MaskField, RegexRouter, ReplaceField, TimestampConverter, TimestampRouter, ValueToKey,
} from '../../../src/transforms/index.js';
import type { Transformation } from '../../../src/connect/api/transformation.js';
import { ConnectTimestamp, Schema, SchemaBuilder, SourceRecord, Struct } from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';
import { jsonMap, plain, sinkRecord } from './fixtures.js';

function configured<T extends Transformation>(t: T, config: Record<string, string>): T {
  t.configure(config);
  return t;
}

const value = () => jsonMap({ a: 1, b: { x: 2, y: { z: 3 } } });
const record = () => sinkRecord(value());

describe('schemaless examples (topic orders, partition 3, offset 42, timestamp 1700000000123)', () => {
  test('Flatten ⇒ {a=1, b.x=2, b.y.z=3}', () => {
    assert.deepEqual(plain(configured(new Flatten('value'), {}).apply(record()).value), { a: 1, 'b.x': 2, 'b.y.z': 3 });
  });
  test('Flatten with delimiter _', () => {
    assert.deepEqual(Object.keys(plain(configured(new Flatten('value'), { delimiter: '_' }).apply(record()).value) as object), ['a', 'b_x', 'b_y_z']);
  });
  test('HoistField(wrap) ⇒ {wrap={…}}', () => {
    const out = configured(new HoistField('value'), { field: 'wrap' }).apply(record());
    assert.deepEqual(plain(out.value), { wrap: plain(value()) });
  });
  test('InsertField adds t=orders, p=3, o=42, ts=1700000000123, s=v', () => {
    const t = configured(new InsertField('value'), { 'topic.field': 't', 'partition.field': 'p', 'offset.field': 'o', 'timestamp.field': 'ts', 'static.field': 's', 'static.value': 'v' });
    const out = plain(t.apply(record()).value) as Record<string, unknown>;
    assert.deepEqual({ t: out.t, p: out.p, o: out.o, ts: out.ts, s: out.s }, { t: 'orders', p: 3, o: 42, ts: 1700000000123, s: 'v' });
  });
  test('ReplaceField(exclude=a, renames=b:bee) ⇒ {bee={…}}', () => {
    const out = configured(new ReplaceField('value'), { exclude: 'a', renames: 'b:bee' }).apply(record());
    assert.deepEqual(plain(out.value), { bee: { x: 2, y: { z: 3 } } });
  });
  test('ValueToKey(a) ⇒ key {a=1}', () => {
    assert.deepEqual(plain(configured(new ValueToKey(), { fields: 'a' }).apply(record()).key), { a: 1 });
  });
  test('RegexRouter((.*)ers → $1-x) ⇒ ord-x', () => {
    assert.equal(configured(new RegexRouter(), { regex: '(.*)ers', replacement: '$1-x' }).apply(record()).topic, 'ord-x');
  });
  test('RegexRouter only rewrites whole-topic matches', () => {
    const rec = record();
    assert.equal(configured(new RegexRouter(), { regex: 'ord', replacement: 'x' }).apply(rec), rec);
  });
  test('TimestampRouter defaults ⇒ orders-20231114', () => {
    assert.equal(configured(new TimestampRouter(), {}).apply(record()).topic, 'orders-20231114');
  });
  test('TimestampRouter with no timestamp is a DataException', () => {
    assert.throws(() => configured(new TimestampRouter(), {}).apply(sinkRecord(value(), { timestamp: null })), DataException);
  });
  test('MaskField(a) ⇒ a=0; with replacement 99 ⇒ a=99', () => {
    assert.equal((plain(configured(new MaskField('value'), { fields: 'a' }).apply(record()).value) as { a: number }).a, 0);
    assert.equal((plain(configured(new MaskField('value'), { fields: 'a', replacement: '99' }).apply(record()).value) as { a: number }).a, 99);
  });
  test('TimestampConverter(whole long → string yyyy-MM-dd HH:mm) ⇒ 2023-11-14 22:13', () => {
    const t = configured(new TimestampConverter('value'), { 'target.type': 'string', format: 'yyyy-MM-dd HH:mm' });
    assert.equal(t.apply(sinkRecord(1700000000123)).value, '2023-11-14 22:13');
  });
  test('ExtractField V2 b.y.z ⇒ 3', () => {
    assert.equal(configured(new ExtractField('value'), { field: 'b.y.z', 'field.syntax.version': 'V2' }).apply(record()).value, 3);
  });
  test('Flatten on a non-map schemaless value ⇒ the Kafka DataException', () => {
    assert.throws(() => configured(new Flatten('value'), {}).apply(sinkRecord('text')), {
      message: 'Only Map objects supported in absence of schema for [flattening], found: java.lang.String',
    });
  });
});

describe('schema\'d examples', () => {
  const inner = SchemaBuilder.struct().name('B').field('c', Schema.INT32_SCHEMA).build();
  const schema = SchemaBuilder.struct().name('com.example.Top').version(3).field('a', Schema.INT32_SCHEMA).field('b', inner).build();
  const struct = () => new Struct(schema).put('a', 1).put('b', new Struct(inner).put('c', 2));
  const rec = () => sinkRecord(struct(), { valueSchema: schema });

  test('Flatten on a Struct keeps the top-level schema name and yields field b.c', () => {
    const out = configured(new Flatten('value'), {}).apply(rec());
    assert.equal(out.valueSchema!.name, 'com.example.Top');
    assert.equal(out.valueSchema!.version, 3);
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['a', 'b.c']);
    assert.deepEqual(plain(out.value), { a: 1, 'b.c': 2 });
  });

  test('Flatten propagates optionality from an optional parent', () => {
    const optInner = SchemaBuilder.struct().optional().field('c', Schema.INT32_SCHEMA).build();
    const s = SchemaBuilder.struct().field('b', optInner).build();
    const out = configured(new Flatten('value'), {}).apply(sinkRecord(new Struct(s), { valueSchema: s }));
    assert.equal(out.valueSchema!.field('b.c')!.schema.optional, true);
    assert.equal((out.value as Struct).get('b.c'), null);
  });

  test('InsertField with schema appends after existing fields; ! is required, timestamp is optional Timestamp', () => {
    const t = configured(new InsertField('value'), { 'topic.field': 't!', 'timestamp.field': 'ts' });
    const out = t.apply(rec());
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['a', 'b', 't', 'ts']);
    assert.equal(out.valueSchema!.field('t')!.schema.type, 'string');
    assert.equal(out.valueSchema!.field('t')!.schema.optional, false);
    const ts = out.valueSchema!.field('ts')!.schema;
    assert.equal(ts.name, ConnectTimestamp.LOGICAL_NAME);
    assert.equal(ts.optional, true);
    assert.equal(((out.value as Struct).get('ts') as Date).getTime(), 1700000000123);
  });

  test('InsertField offset on a source record is the Kafka DataException', () => {
    const t = configured(new InsertField('value'), { 'offset.field': 'o' });
    const src = new SourceRecord({ topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: new Map(), timestamp: null, sourcePartition: null, sourceOffset: null });
    assert.throws(() => t.apply(src), { message: 'Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord' });
  });

  test('HoistField with schema wraps into struct{field: original}', () => {
    const out = configured(new HoistField('value'), { field: 'wrap' }).apply(rec());
    assert.equal(out.valueSchema!.field('wrap')!.schema, schema);
    assert.ok(((out.value as Struct).get('wrap') as Struct).equals(struct()));
  });

  test('ReplaceField include + renames with schema', () => {
    const out = configured(new ReplaceField('value'), { include: 'a', renames: 'a:alpha' }).apply(rec());
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['alpha']);
    assert.equal(out.valueSchema!.name, 'com.example.Top');
    assert.equal((out.value as Struct).get('alpha'), 1);
  });

  test('ReplaceField deprecated blacklist / whitelist', () => {
    assert.deepEqual(configured(new ReplaceField('value'), { blacklist: 'a' }).apply(rec()).valueSchema!.fields.map((f) => f.name), ['b']);
    assert.deepEqual(configured(new ReplaceField('value'), { whitelist: 'a' }).apply(rec()).valueSchema!.fields.map((f) => f.name), ['a']);
  });

  test('ValueToKey with schema; a missing field is the Kafka DataException', () => {
    const out = configured(new ValueToKey(), { fields: 'a' }).apply(rec());
    assert.deepEqual(out.keySchema!.fields.map((f) => [f.name, f.schema.type]), [['a', 'int32']]);
    assert.throws(() => configured(new ValueToKey(), { fields: 'nope' }).apply(rec()), { message: 'Field does not exist: nope' });
  });

  test('ExtractField with schema; unknown field message', () => {
    const out = configured(new ExtractField('value'), { field: 'b' }).apply(rec());
    assert.equal(out.valueSchema, inner);
    assert.throws(() => configured(new ExtractField('value'), { field: 'zz' }).apply(rec()), { message: 'Unknown field: zz' });
  });

  test('ExtractField V2 with backticks around a dotted name', () => {
    const s = SchemaBuilder.struct().field('foo.bar', SchemaBuilder.struct().field('baz', Schema.STRING_SCHEMA).build()).build();
    const v = new Struct(s).put('foo.bar', new Struct(s.field('foo.bar')!.schema).put('baz', 'ok'));
    const out = configured(new ExtractField('value'), { field: '`foo.bar`.baz', 'field.syntax.version': 'v2' }).apply(sinkRecord(v, { valueSchema: s }));
    assert.equal(out.value, 'ok');
  });

  test('Cast fields with schema: int32 → string, and the whole value', () => {
    const out = configured(new Cast('value'), { spec: 'a:string' }).apply(rec());
    assert.equal(out.valueSchema!.field('a')!.schema.type, 'string');
    assert.equal((out.value as Struct).get('a'), '1');
    const whole = configured(new Cast('value'), { spec: 'int8' }).apply(sinkRecord(300, { valueSchema: Schema.INT32_SCHEMA }));
    assert.equal(whole.value, 44); // Java (byte) 300
    assert.equal(whole.valueSchema!.type, 'int8');
  });
});

describe('tombstones (null key/value being operated on)', () => {
  const tomb = () => sinkRecord(null);
  const passThrough: [string, () => Transformation][] = [
    ['Cast', () => configured(new Cast('value'), { spec: 'int8' })],
    ['Flatten', () => configured(new Flatten('value'), {})],
    ['InsertField', () => configured(new InsertField('value'), { 'topic.field': 't' })],
    ['ReplaceField', () => configured(new ReplaceField('value'), { exclude: 'a' })],
    ['ExtractField', () => configured(new ExtractField('value'), { field: 'a' })],
    ['TimestampConverter', () => configured(new TimestampConverter('value'), { 'target.type': 'unix' })],
  ];
  for (const [name, make] of passThrough) {
    test(`${name} passes a tombstone through with a null value`, () => {
      assert.equal(make().apply(tomb())!.value, null);
    });
  }
  test('HoistField wraps a tombstone: {field: null}', () => {
    assert.deepEqual(plain(configured(new HoistField('value'), { field: 'f' }).apply(tomb()).value), { f: null });
  });
  test('MaskField and ValueToKey reject tombstones with DataException', () => {
    assert.throws(() => configured(new MaskField('value'), { fields: 'a' }).apply(tomb()), { message: 'Only Map objects supported in absence of schema for [mask fields], found: null' });
    assert.throws(() => configured(new ValueToKey(), { fields: 'a' }).apply(tomb()), { message: 'Only Map objects supported in absence of schema for [copying fields from value to key], found: null' });
  });
});
