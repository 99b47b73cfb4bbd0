import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cast, DropHeaders, ExtractField, Filter, HeaderFrom, InsertField, InsertHeader, MaskField, RegexRouter, ReplaceField, SetSchemaMetadata,
  TimestampConverter, ValueToKey, transformPlugins,
} from '../../../src/transforms/index.js';
import type { Transformation } from '../../../src/connect/api/transformation.js';
import { BigDecimal, ConnectDate, ConnectHeaders, ConnectTime, ConnectTimestamp, Decimal, Schema, SchemaBuilder, Struct } from '../../../src/connect/data/index.js';
import { ConfigException, DataException } from '../../../src/connect/errors.js';
import { jsonMap, plain, sinkRecord } from './fixtures.js';
import { SimpleDateFormat } from '../../../src/transforms/util/simple-date-format.js';

function configured<T extends Transformation>(t: T, config: Record<string, string>): T {
  t.configure(config);
  return t;
}

function configError(make: () => Transformation, config: Record<string, string>, message: string): void {
  assert.throws(() => make().configure(config), (e: unknown) => {
    assert.ok(e instanceof ConfigException, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

describe('bad configurations give Kafka\'s ConfigException messages', () => {
  test('required keys', () => {
    configError(() => new ExtractField('value'), {}, 'Missing required configuration "field" which has no default value.');
    configError(() => new RegexRouter(), { regex: 'x' }, 'Missing required configuration "replacement" which has no default value.');
  });
  test('validators', () => {
    configError(() => new ValueToKey(), { fields: '' }, 'Invalid value [] for configuration fields: Empty list');
    configError(() => new MaskField('value'), { fields: 'a', replacement: '' }, 'Invalid value  for configuration replacement: String must be non-empty');
    configError(() => new ReplaceField('value'), { renames: 'a:b,c' }, 'Invalid value [a:b, c] for configuration renames: Invalid rename mapping: c');
    configError(() => new TimestampConverter('value'), { 'target.type': 'epoch' }, 'Invalid value epoch for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp');
    configError(() => new ExtractField('value'), { field: 'a', 'field.syntax.version': 'V3' }, 'Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2');
    configError(() => new ReplaceField('value'), { 'replace.null.with.default': 'yes' }, 'Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false');
  });
  test('cross-key checks', () => {
    configError(() => new InsertField('value'), {}, 'No field insertion configured');
    configError(() => new InsertField('value'), { 'static.field': 's' }, 'Invalid value null for configuration static.value: No value specified for static field: s');
    configError(() => new SetSchemaMetadata('value'), {}, 'Neither schema name nor version configured');
    configError(() => new TimestampConverter('value'), { 'target.type': 'string' }, 'TimestampConverter requires format option to be specified when using string timestamps');
    configError(() => new HeaderFrom('value'), { fields: 'a,b', headers: 'h', operation: 'copy' }, "'fields' config must have the same number of elements as 'headers' config.");
    configError(() => new Cast('value'), { spec: 'a:int8,int16' }, 'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
    configError(() => new Cast('value'), { spec: 'a:date' }, 'Invalid type found in casting spec: date');
    configError(() => new Cast('value'), { spec: 'a:bytes' }, 'Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]');
    configError(() => new ExtractField('value'), { field: '`a.b', 'field.syntax.version': 'V2' }, 'Incomplete backtick pair in path: [`a.b], consider adding a backslash before backtick at position 0 to escape it');
  });
});

describe('$Key variants operate on the key', () => {
  test('ExtractField$Key and ReplaceField$Key', () => {
    const keySchema = SchemaBuilder.struct().field('id', Schema.INT32_SCHEMA).field('x', Schema.STRING_SCHEMA).build();
    const rec = sinkRecord('v', { key: new Struct(keySchema).put('id', 5).put('x', 'y'), keySchema });
    const out = configured(new ExtractField('key'), { field: 'id' }).apply(rec);
    assert.equal(out.key, 5);
    assert.equal(out.keySchema, Schema.INT32_SCHEMA);
    assert.equal(out.value, 'v');
    const rf = configured(new ReplaceField('key'), { exclude: 'x' }).apply(rec);
    assert.deepEqual(plain(rf.key), { id: 5 });
  });
});

describe('replace.null.with.default', () => {
  const s = SchemaBuilder.struct().field('a', SchemaBuilder.int32().optional().defaultValue(7).build()).build();
  const rec = () => sinkRecord(new Struct(s), { valueSchema: s });
  test('true (default) substitutes the field default, false keeps null', () => {
    assert.equal((configured(new ReplaceField('value'), {}).apply(rec()).value as Struct).getWithoutDefault('a'), 7);
    assert.equal((configured(new ReplaceField('value'), { 'replace.null.with.default': 'false' }).apply(rec()).value as Struct).getWithoutDefault('a'), null);
    assert.equal(configured(new ExtractField('value'), { field: 'a' }).apply(rec()).value, 7);
    assert.equal(configured(new ExtractField('value'), { field: 'a', 'replace.null.with.default': 'false' }).apply(rec()).value, null);
  });
});

describe('Cast', () => {
  test('schemaless fields with Java conversions', () => {
    const t = configured(new Cast('value'), { spec: 'i:int16,f:int32,s:int64,b:string,t:boolean,n:float32,bytes:string' });
    const out = plain(t.apply(sinkRecord(jsonMap({ i: 70000, f: 3.9, s: '42', b: true, t: 'TRUE', n: '1.5', bytes: new Uint8Array([1, 2, 3]) }))).value);
    assert.deepEqual(out, { i: 4464, f: 3, s: 42, b: 'true', t: true, n: 1.5, bytes: 'AQID' });
  });
  test('a string out of range is a DataException', () => {
    assert.throws(() => configured(new Cast('value'), { spec: 'int8' }).apply(sinkRecord('300')), { message: 'Value (300) was out of range for requested data type' });
  });
  test('floats to string use Java Double.toString; dates use Connect ISO format', () => {
    assert.equal(configured(new Cast('value'), { spec: 'string' }).apply(sinkRecord(1e7, { valueSchema: Schema.FLOAT64_SCHEMA })).value, '1.0E7');
    const ts = configured(new Cast('value'), { spec: 'string' }).apply(sinkRecord(new Date(1700000000123), { valueSchema: ConnectTimestamp.SCHEMA }));
    assert.equal(ts.value, '2023-11-14T22:13:20.123Z');
    const day = configured(new Cast('value'), { spec: 'int32' }).apply(sinkRecord(new Date(86_400_000 * 3), { valueSchema: ConnectDate.SCHEMA }));
    assert.equal(day.value, 3);
  });
  test('casting from a struct is rejected', () => {
    const s = SchemaBuilder.struct().field('a', Schema.INT32_SCHEMA).build();
    assert.throws(() => configured(new Cast('value'), { spec: 'string' }).apply(sinkRecord(new Struct(s).put('a', 1), { valueSchema: s })), /does not support casting from STRUCT/);
  });
});

describe('MaskField with schema', () => {
  const s = SchemaBuilder.struct()
    .field('i', Schema.INT16_SCHEMA).field('s', Schema.STRING_SCHEMA).field('b', Schema.BOOLEAN_SCHEMA)
    .field('d', Decimal.schema(0)).field('t', ConnectTimestamp.SCHEMA).field('arr', SchemaBuilder.array(Schema.INT32_SCHEMA).build())
    .field('keep', Schema.STRING_SCHEMA).build();
  const v = () => new Struct(s).put('i', 5).put('s', 'secret').put('b', true).put('d', BigDecimal.parse('12')).put('t', new Date(5)).put('arr', [1]).put('keep', 'k');
  test('type zeros, schema unchanged', () => {
    const out = configured(new MaskField('value'), { fields: 'i,s,b,d,t,arr' }).apply(sinkRecord(v(), { valueSchema: s }));
    assert.equal(out.valueSchema, s);
    const o = out.value as Struct;
    assert.deepEqual([o.get('i'), o.get('s'), o.get('b'), String(o.get('d')), (o.get('t') as Date).getTime(), o.get('arr'), o.get('keep')], [0, '', false, '0', 0, [], 'k']);
  });
  test('replacement converted to the field type; bad conversion is a DataException', () => {
    const out = configured(new MaskField('value'), { fields: 'i,s', replacement: '12' }).apply(sinkRecord(v(), { valueSchema: s })).value as Struct;
    assert.equal(out.get('i'), 12);
    assert.equal(out.get('s'), '12');
    assert.throws(() => configured(new MaskField('value'), { fields: 'i', replacement: 'x' }).apply(sinkRecord(v(), { valueSchema: s })), DataException);
    assert.throws(() => configured(new MaskField('value'), { fields: 'b', replacement: 'x' }).apply(sinkRecord(v(), { valueSchema: s })), /Cannot mask value of type class java.lang.Boolean with custom replacement/);
  });
});

describe('TimestampConverter', () => {
  const ts = 1700000000123;
  test('schemaless whole value: unix ↔ string ↔ Timestamp/Date/Time', () => {
    const toTs = configured(new TimestampConverter('value'), { 'target.type': 'Timestamp' }).apply(sinkRecord(ts));
    assert.equal((toTs.value as Date).getTime(), ts);
    const toDate = configured(new TimestampConverter('value'), { 'target.type': 'Date' }).apply(sinkRecord(ts));
    assert.equal((toDate.value as Date).getTime(), Date.UTC(2023, 10, 14));
    const toTime = configured(new TimestampConverter('value'), { 'target.type': 'Time' }).apply(sinkRecord(ts));
    assert.equal((toTime.value as Date).getTime(), ts - Date.UTC(2023, 10, 14));
    const parsed = configured(new TimestampConverter('value'), { 'target.type': 'unix', format: "yyyy-MM-dd'T'HH:mm:ss.SSSX" }).apply(sinkRecord('2023-11-14T22:13:20.123Z'));
    assert.equal(parsed.value, ts);
    const secs = configured(new TimestampConverter('value'), { 'target.type': 'unix', 'unix.precision': 'seconds' }).apply(sinkRecord(new Date(ts)));
    assert.equal(secs.value, 1700000000);
    const micros = configured(new TimestampConverter('value'), { 'target.type': 'Timestamp', 'unix.precision': 'microseconds' }).apply(sinkRecord(ts * 1000));
    assert.equal((micros.value as Date).getTime(), ts);
  });
  test('a field with schema: the field schema becomes the target type, optionality kept', () => {
    const s = SchemaBuilder.struct().field('id', Schema.INT32_SCHEMA).field('at', Schema.OPTIONAL_INT64_SCHEMA).build();
    const out = configured(new TimestampConverter('value'), { field: 'at', 'target.type': 'Timestamp' }).apply(sinkRecord(new Struct(s).put('id', 1).put('at', ts), { valueSchema: s }));
    const f = out.valueSchema!.field('at')!.schema;
    assert.equal(f.name, ConnectTimestamp.LOGICAL_NAME);
    assert.equal(f.optional, true);
    assert.equal(((out.value as Struct).get('at') as Date).getTime(), ts);
  });
  test('schemaless field in a map; unparsable string', () => {
    const out = configured(new TimestampConverter('value'), { field: 'at', 'target.type': 'string', format: 'dd/MM/yy hh:mm a' }).apply(sinkRecord(jsonMap({ at: ts })));
    assert.equal((plain(out.value) as { at: string }).at, '14/11/23 10:13 PM');
    assert.throws(
      () => configured(new TimestampConverter('value'), { 'target.type': 'unix', format: 'yyyy-MM-dd' }).apply(sinkRecord('nope')),
      { message: 'Could not parse timestamp: value (nope) does not match pattern (yyyy-MM-dd)' },
    );
  });
  test('Time logical to string', () => {
    const out = configured(new TimestampConverter('value'), { 'target.type': 'string', format: 'HH:mm:ss' }).apply(sinkRecord(new Date(3_723_000), { valueSchema: ConnectTime.SCHEMA }));
    assert.equal(out.value, '01:02:03');
  });
});

describe('SimpleDateFormat', () => {
  test('formats the common pattern letters in UTC', () => {
    const d = new Date(Date.UTC(2024, 0, 5, 13, 4, 9, 7));
    assert.equal(new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ").format(d), '2024-01-05T13:04:09.007+0000');
    assert.equal(new SimpleDateFormat("EEE, d MMM yyyy h:mm a 'o''clock' X").format(d), "Fri, 5 Jan 2024 1:04 PM o'clock Z");
    assert.equal(new SimpleDateFormat('yyMMddHHmmssS').format(d), '2401051304097');
  });
  test('parses abutting numeric fields and offsets', () => {
    assert.equal(new SimpleDateFormat('yyyyMMddHHmm').parse('202401051304')!.getTime(), Date.UTC(2024, 0, 5, 13, 4));
    assert.equal(new SimpleDateFormat('yyyy-MM-dd HH:mm Z').parse('2024-01-05 15:04 +0200')!.getTime(), Date.UTC(2024, 0, 5, 13, 4));
    assert.equal(new SimpleDateFormat('dd MMMM yyyy').parse('05 january 2024')!.getTime(), Date.UTC(2024, 0, 5));
    assert.equal(new SimpleDateFormat('yyyy-MM-dd').parse('x'), null);
  });
  test('an unknown pattern letter is a ConfigException', () => {
    assert.throws(() => new SimpleDateFormat('yyyy-qq'), ConfigException);
  });
});

describe('headers', () => {
  test('DropHeaders removes every header with the names', () => {
    const rec = sinkRecord(1);
    rec.headers.add('a', 1).add('b', 2).add('a', 3);
    const out = configured(new DropHeaders(), { headers: 'a' }).apply(rec);
    assert.deepEqual(out.headers.toArray().map((h) => h.key), ['b']);
    assert.equal(rec.headers.size, 3);
  });
  test('InsertHeader parses the literal with Values.parseString', () => {
    const n = configured(new InsertHeader(), { header: 'h', 'value.literal': '42' }).apply(sinkRecord(1)).headers.lastWithName('h')!;
    assert.equal(n.value, 42);
    assert.equal(n.schema!.type, 'int8');
    const s = configured(new InsertHeader(), { header: 'h', 'value.literal': 'hello world' }).apply(sinkRecord(1)).headers.lastWithName('h')!;
    assert.equal(s.value, 'hello world');
    assert.equal(s.schema!.type, 'string');
    const b = configured(new InsertHeader(), { header: 'h', 'value.literal': 'true' }).apply(sinkRecord(1)).headers.lastWithName('h')!;
    assert.equal(b.value, true);
  });
  test('HeaderFrom copy and move, schema\'d and schemaless', () => {
    const s = SchemaBuilder.struct().name('V').field('a', Schema.INT32_SCHEMA).field('b', Schema.STRING_SCHEMA).build();
    const rec = sinkRecord(new Struct(s).put('a', 1).put('b', 'x'), { valueSchema: s });
    const copied = configured(new HeaderFrom('value'), { fields: 'a', headers: 'ha', operation: 'copy' }).apply(rec);
    assert.equal(copied.valueSchema, s);
    assert.equal(copied.headers.lastWithName('ha')!.value, 1);
    assert.equal(copied.headers.lastWithName('ha')!.schema, Schema.INT32_SCHEMA);
    const moved = configured(new HeaderFrom('value'), { fields: 'a', headers: 'ha', operation: 'move' }).apply(rec);
    assert.deepEqual(moved.valueSchema!.fields.map((f) => f.name), ['b']);
    assert.equal(moved.valueSchema!.name, 'V');
    const ml = configured(new HeaderFrom('value'), { fields: 'a', headers: 'ha', operation: 'move' }).apply(sinkRecord(jsonMap({ a: 1, b: 2 })));
    assert.deepEqual(plain(ml.value), { b: 2 });
    assert.equal(ml.headers.lastWithName('ha')!.value, 1);
    assert.throws(() => configured(new HeaderFrom('value'), { fields: 'a', headers: 'ha', operation: 'copy' }).apply(sinkRecord(null)), DataException);
  });
});

describe('SetSchemaMetadata and Filter', () => {
  test('renames and versions the schema, rebuilding the Struct', () => {
    const s = SchemaBuilder.struct().name('old').field('a', Schema.INT32_SCHEMA).build();
    const out = configured(new SetSchemaMetadata('value'), { 'schema.name': 'new.Name', 'schema.version': '4' }).apply(sinkRecord(new Struct(s).put('a', 1), { valueSchema: s }));
    assert.equal(out.valueSchema!.name, 'new.Name');
    assert.equal(out.valueSchema!.version, 4);
    assert.equal((out.value as Struct).schema, out.valueSchema);
    assert.throws(() => configured(new SetSchemaMetadata('value'), { 'schema.name': 'x' }).apply(sinkRecord(1)), { message: 'Schema required for [updating schema metadata]' });
    const tomb = sinkRecord(null);
    assert.equal(configured(new SetSchemaMetadata('value'), { 'schema.name': 'x' }).apply(tomb), tomb);
  });
  test('Filter drops everything', () => {
    assert.equal(configured(new Filter(), {}).apply(), null);
  });
});

describe('RegexRouter Java replacement semantics', () => {
  test('named groups, escaped dollar, multi-digit groups', () => {
    assert.equal(configured(new RegexRouter(), { regex: '(?<db>\\w+)\\.(\\w+)\\.(\\w+)', replacement: '${db}_$3\\$' }).apply(sinkRecord(1, { topic: 'srv.public.orders' })).topic, 'srv_orders$');
    assert.equal(configured(new RegexRouter(), { regex: '(a)', replacement: '$10' }).apply(sinkRecord(1, { topic: 'a' })).topic, 'a0');
  });
  test('invalid regex is a ConfigException', () => {
    assert.throws(() => new RegexRouter().configure({ regex: '(', replacement: 'x' }), (e: unknown) => e instanceof ConfigException && e.message.startsWith('Invalid value ( for configuration regex: Invalid regex:'));
  });
});

describe('plugin descriptors', () => {
  test('class names, types and config keys', () => {
    const names = transformPlugins.map((p) => p.className);
    for (const n of [
      'org.apache.kafka.connect.transforms.Cast$Key', 'org.apache.kafka.connect.transforms.Cast$Value', 'org.apache.kafka.connect.transforms.TimestampRouter',
      'org.apache.kafka.connect.transforms.predicates.TopicNameMatches', 'io.debezium.transforms.ExtractNewRecordState', 'io.debezium.transforms.MnistToCsv',
      'io.debezium.transforms.ByLogicalTableRouter',
    ]) assert.ok(names.includes(n), n);
    assert.equal(new Set(names).size, names.length);
    assert.equal(transformPlugins.find((p) => p.className.endsWith('RecordIsTombstone'))!.type, 'predicate');
    const cast = transformPlugins.find((p) => p.className.endsWith('Cast$Value'))!.create() as Transformation;
    assert.deepEqual(cast.config().configKeys().map((k) => k.name), ['spec', 'replace.null.with.default']);
    for (const p of transformPlugins) assert.ok((p.create() as Transformation).config().configKeys(), p.className);
  });
});

test('InsertField keeps ConnectHeaders of the record', () => {
  const rec = sinkRecord(jsonMap({ a: 1 }));
  rec.headers.add('h', 'v');
  const out = configured(new InsertField('value'), { 'topic.field': 't' }).apply(rec);
  assert.ok(out.headers instanceof ConnectHeaders);
  assert.equal(out.headers.lastWithName('h')!.value, 'v');
});
