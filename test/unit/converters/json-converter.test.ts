import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BigDecimal,
  ConnectDate,
  ConnectTime,
  ConnectTimestamp,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
} from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';
import { JsonConverter } from '../../../src/converters/json-converter.js';

function converter(configs: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(configs, isKey);
  return c;
}

function write(c: JsonConverter, schema: Schema | null, value: unknown): string | null {
  const bytes = c.fromConnectData('topic', schema, value);
  return bytes === null ? null : bytes.toString('utf8');
}

function read(c: JsonConverter, text: string) {
  return c.toConnectData('topic', Buffer.from(text, 'utf8'));
}

const inner = SchemaBuilder.struct().name('com.example.Inner').field('x', Schema.INT32_SCHEMA).build();
const recordSchema = SchemaBuilder.struct()
  .name('com.example.Rec')
  .version(2)
  .doc('a doc')
  .field('i8', Schema.INT8_SCHEMA)
  .field('i16', Schema.INT16_SCHEMA)
  .field('i32', Schema.INT32_SCHEMA)
  .field('i64', Schema.INT64_SCHEMA)
  .field('f32', Schema.FLOAT32_SCHEMA)
  .field('f64', Schema.FLOAT64_SCHEMA)
  .field('b', Schema.BOOLEAN_SCHEMA)
  .field('s', Schema.OPTIONAL_STRING_SCHEMA)
  .field('bytes', Schema.BYTES_SCHEMA)
  .field('arr', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('map', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
  .field('imap', SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).optional().build())
  .field('dec', Decimal.schema(2))
  .field('date', ConnectDate.SCHEMA)
  .field('time', ConnectTime.SCHEMA)
  .field('ts', ConnectTimestamp.SCHEMA)
  .field('inner', inner)
  .field('withdef', SchemaBuilder.int32().optional().defaultValue(7).build())
  .build();

function recordValue(): Struct {
  return new Struct(recordSchema)
    .put('i8', 1).put('i16', 2).put('i32', 3).put('i64', 4)
    .put('f32', 1.5).put('f64', 0.1).put('b', true).put('s', null)
    .put('bytes', Buffer.from('hi!'))
    .put('arr', ['a', 'b'])
    .put('map', new Map([['k', 1]]))
    .put('imap', new Map([[5, 'five']]))
    .put('dec', new BigDecimal(1234n, 2))
    .put('date', new Date(3 * 86_400_000))
    .put('time', new Date(3_723_004))
    .put('ts', new Date(1_700_000_000_123))
    .put('inner', new Struct(inner).put('x', 9))
    .put('withdef', null);
}

// The verified output of specs/kafka-connect.md §7.1, with the fields the spec elides (i16, i32, i64, b) written out.
const GOLDEN =
  '{"schema":{"type":"struct","fields":[{"type":"int8","optional":false,"field":"i8"},' +
  '{"type":"int16","optional":false,"field":"i16"},{"type":"int32","optional":false,"field":"i32"},{"type":"int64","optional":false,"field":"i64"},' +
  '{"type":"float","optional":false,"field":"f32"},{"type":"double","optional":false,"field":"f64"},' +
  '{"type":"boolean","optional":false,"field":"b"},' +
  '{"type":"string","optional":true,"field":"s"},{"type":"bytes","optional":false,"field":"bytes"},{"type":"array","items":{"type":"string","optional":false},"optional":false,"field":"arr"},{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false,"field":"map"},{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":true,"field":"imap"},{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"dec"},{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"date"},{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1,"field":"time"},{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},{"type":"struct","fields":[{"type":"int32","optional":false,"field":"x"}],"optional":false,"name":"com.example.Inner","field":"inner"},{"type":"int32","optional":true,"default":7,"field":"withdef"}],"optional":false,"name":"com.example.Rec","version":2,"doc":"a doc"},' +
  '"payload":{"i8":1,"i16":2,"i32":3,"i64":4,"f32":1.5,"f64":0.1,"b":true,"s":null,"bytes":"aGkh","arr":["a","b"],"map":{"k":1},"imap":[[5,"five"]],"dec":"BNI=","date":3,"time":3723004,"ts":1700000000123,"inner":{"x":9},"withdef":7}}';

describe('JsonConverter serialization (verified outputs of §7.1)', () => {
  test('the full struct example, byte for byte', () => {
    assert.equal(write(converter(), recordSchema, recordValue()), GOLDEN);
  });

  test('a second record with the same schema serializes identically (cached schema JSON)', () => {
    const c = converter();
    assert.equal(write(c, recordSchema, recordValue()), GOLDEN);
    assert.equal(write(c, recordSchema, recordValue()), GOLDEN);
  });

  test('optional string null', () => {
    assert.equal(write(converter(), Schema.OPTIONAL_STRING_SCHEMA, null), '{"schema":{"type":"string","optional":true},"payload":null}');
  });

  test('schemaless map with schemas enabled', () => {
    assert.equal(write(converter(), null, new Map([['a', 1]])), '{"schema":null,"payload":{"a":1}}');
  });

  test('NUMERIC decimal', () => {
    const out = write(converter({ 'decimal.format': 'numeric' }), Decimal.schema(2), new BigDecimal(1234n, 2));
    assert.equal(out, '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":12.34}');
  });

  test('tombstone: null schema and null value give no bytes, with or without schemas', () => {
    assert.equal(converter().fromConnectData('t', null, null), null);
    assert.equal(converter({ 'schemas.enable': 'false' }).fromConnectData('t', null, null), null);
    assert.deepEqual(converter().toConnectData('t', null), { schema: null, value: null });
  });

  test('schemas.enable=false writes the payload only', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.equal(write(c, Schema.INT32_SCHEMA, 42), '42');
    assert.equal(write(c, inner, new Struct(inner).put('x', 1)), '{"x":1}');
  });

  test('replace.null.with.default=false keeps the null', () => {
    const out = write(converter({ 'replace.null.with.default': 'false' }), recordSchema, recordValue())!;
    assert.ok(out.endsWith('"inner":{"x":9},"withdef":null}}'));
  });

  test('numbers print as the JVM prints them', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.equal(write(c, Schema.FLOAT64_SCHEMA, 1), '1.0');
    assert.equal(write(c, Schema.FLOAT64_SCHEMA, 1e7), '1.0E7');
    assert.equal(write(c, Schema.FLOAT64_SCHEMA, 1.5e-5), '1.5E-5');
    assert.equal(write(c, Schema.FLOAT64_SCHEMA, 123.456), '123.456');
    assert.equal(write(c, Schema.FLOAT32_SCHEMA, Math.fround(0.1)), '0.1');
    assert.equal(write(c, Schema.FLOAT64_SCHEMA, Number.NaN), '"NaN"');
    assert.equal(write(c, Schema.FLOAT64_SCHEMA, -Infinity), '"-Infinity"');
    const numeric = converter({ 'schemas.enable': 'false', 'decimal.format': 'NUMERIC' });
    assert.equal(write(numeric, Decimal.schema(10), new BigDecimal(1n, 10)), '1E-10');
  });

  test('strings are escaped as Jackson escapes them', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.equal(write(c, Schema.STRING_SCHEMA, 'a"b\\c\n\u0001\u001fé€'), '"a\\"b\\\\c\\n\\u0001\\u001Fé€"');
  });

  test('required null without default is rejected', () => {
    assert.throws(() => write(converter(), Schema.INT32_SCHEMA, null), {
      name: 'DataException',
      message: 'Conversion error: null value for field that is required and has no default value',
    });
  });

  test('wrong value types are rejected with the Java class name', () => {
    assert.throws(() => write(converter(), Schema.INT32_SCHEMA, 'x'), { message: 'Invalid type for INT32: class java.lang.String' });
    assert.throws(() => write(converter(), Decimal.schema(2), 1.5), { message: 'Invalid type for Decimal, expected BigDecimal but was class java.lang.Double' });
    const other = SchemaBuilder.struct().field('x', Schema.INT32_SCHEMA).build();
    assert.throws(() => write(converter(), other, new Struct(inner).put('x', 1)), { message: 'Mismatching schema.' });
  });
});

describe('JsonConverter deserialization', () => {
  test('the full example reads back to an equal schema and values', () => {
    const { schema, value } = read(converter(), GOLDEN);
    assert.ok(schema!.equals(recordSchema));
    const s = value as Struct;
    assert.equal(s.get('i64'), 4);
    assert.equal(s.get('f64'), 0.1);
    assert.deepEqual(s.get('arr'), ['a', 'b']);
    assert.deepEqual(s.get('imap'), new Map([[5, 'five']]));
    assert.ok((s.get('dec') as BigDecimal).equals(new BigDecimal(1234n, 2)));
    assert.equal((s.get('ts') as Date).getTime(), 1_700_000_000_123);
    assert.equal(Buffer.from(s.get('bytes') as Uint8Array).toString(), 'hi!');
    assert.equal(s.get('withdef'), 7);
    // and writes back byte for byte
    assert.equal(write(converter(), schema, value), GOLDEN);
  });

  test('the parsed schema is cached by its JSON text', () => {
    const c = converter();
    const a = read(c, GOLDEN).schema;
    const b = read(c, GOLDEN).schema;
    assert.ok(a !== null && a === b);
  });

  test('members in any order', () => {
    const { schema, value } = read(converter(), '{"payload":5,"schema":{"optional":false,"type":"int32"}}');
    assert.equal(schema!.type, 'int32');
    assert.equal(value, 5);
  });

  test('"schema": null ⇒ schemaless value; schemaless inference', () => {
    const { schema, value } = read(converter(), '{"schema":null,"payload":{"i":1,"f":1.25,"s":"x","b":true,"n":null,"a":[1,2]}}');
    assert.equal(schema, null);
    assert.deepEqual(value, new Map<string, unknown>([['i', 1], ['f', 1.25], ['s', 'x'], ['b', true], ['n', null], ['a', [1, 2]]]));
  });

  test('schemas disabled: plain JSON', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.deepEqual(read(c, '{"a":[1,"x"]}'), { schema: null, value: new Map([['a', [1, 'x']]]) });
    assert.deepEqual(read(c, ''), { schema: null, value: null });
  });

  test('envelope errors', () => {
    const message =
      'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';
    for (const text of ['{"a":1}', '{"schema":null}', '{"schema":null,"payload":1,"x":2}', '[1]', '42', '']) {
      assert.throws(() => read(converter(), text), (e: unknown) => e instanceof DataException && e.message === message, text);
    }
  });

  test('malformed JSON', () => {
    assert.throws(() => read(converter(), '{"schema":null,"payload":{"a":}}'), (e: unknown) =>
      e instanceof DataException && e.message === 'Converting byte[] to Kafka Connect data failed due to serialization error: ');
  });

  test('syntax errors take precedence over conversion errors, like Jackson parsing first', () => {
    assert.throws(() => read(converter(), '{"schema":{"type":"int32"},"payload":null,}'), {
      message: 'Converting byte[] to Kafka Connect data failed due to serialization error: ',
    });
  });

  test('schema errors', () => {
    assert.throws(() => read(converter(), '{"schema":{"type":"foo"},"payload":1}'), { message: 'Unknown schema type: foo' });
    assert.throws(() => read(converter(), '{"schema":{"optional":true},"payload":1}'), { message: "Schema must contain 'type' field" });
    assert.throws(() => read(converter(), '{"schema":{"type":"array"},"payload":[]}'), { message: 'Array schema did not specify the element type' });
    assert.throws(() => read(converter(), '{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}'), {
      message: "Struct schema's field name not specified properly",
    });
  });

  test('value errors', () => {
    assert.throws(() => read(converter(), '{"schema":{"type":"int32"},"payload":null}'), { message: 'Invalid null value for required INT32 field' });
    assert.throws(() => read(converter(), '{"schema":{"type":"struct","fields":[]},"payload":[1]}'), {
      message: 'Structs should be encoded as JSON objects, but found ARRAY',
    });
    assert.throws(
      () => read(converter(), '{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"x"}'),
      { message: 'Invalid type for Date, underlying representation should be integer but was STRING' },
    );
    assert.throws(
      () => read(converter(), '{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1,2,3]]}'),
      { message: 'Found invalid map entry, expected length 2 but found :3' },
    );
    assert.throws(() => read(converter(), '{"schema":{"type":"bytes"},"payload":"%%%"}'), { message: 'Invalid bytes field' });
  });

  test('struct members in any order, unknown members ignored, absent optional members null', () => {
    const schema = '{"type":"struct","fields":[{"type":"int32","field":"a"},{"type":"string","optional":true,"field":"b"},{"type":"int64","default":5,"field":"c"}]}';
    const c = converter();
    const first = read(c, `{"schema":${schema},"payload":{"b":"x","zz":[1,{"q":2}],"a":1}}`).value as Struct;
    assert.deepEqual([first.get('a'), first.get('b'), first.get('c')], [1, 'x', 5]);
    const second = read(c, `{"schema":${schema},"payload":{"a":2,"b":null,"c":7}}`).value as Struct;
    assert.deepEqual([second.get('a'), second.get('b'), second.get('c')], [2, null, 7]);
    assert.throws(() => read(c, `{"schema":${schema},"payload":{"b":"x"}}`), { message: 'Invalid null value for required INT32 field' });
  });

  test('optional absent ⇒ required; null with a default ⇒ the default', () => {
    const { schema, value } = read(converter(), '{"schema":{"type":"int32","default":3},"payload":null}');
    assert.equal(schema!.optional, false);
    assert.equal(value, 3);
  });
});

describe('exact numbers end to end', () => {
  test('int64 beyond 2^53 round-trips digit for digit', () => {
    const c = converter();
    for (const big of [9007199254740993n, -9223372036854775808n, 9223372036854775807n]) {
      const text = write(c, Schema.INT64_SCHEMA, big)!;
      assert.equal(text, `{"schema":{"type":"int64","optional":false},"payload":${big}}`);
      const back = read(c, text);
      assert.equal(back.value, big);
      assert.equal(write(c, back.schema, back.value), text);
    }
  });

  test('schemaless integers beyond 2^53 read as exact bigint; fractional as double', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.deepEqual(read(c, '[9223372036854775807, 12, 1.0, 2.5e3]').value, [9223372036854775807n, 12, 1, 2500]);
    assert.equal(write(c, null, [9223372036854775807n]), '[9223372036854775807]');
  });

  test('int64 inside a struct stays exact', () => {
    const schema = SchemaBuilder.struct().field('id', Schema.INT64_SCHEMA).build();
    const c = converter();
    const text = write(c, schema, new Struct(schema).put('id', 1234567890123456789n))!;
    assert.ok(text.endsWith('"payload":{"id":1234567890123456789}}'));
    assert.equal((read(c, text).value as Struct).get('id'), 1234567890123456789n);
  });

  test('big decimals round-trip exactly in BASE64 and NUMERIC', () => {
    const value = new BigDecimal(-123456789012345678901234567890123n, 7);
    for (const format of ['BASE64', 'NUMERIC']) {
      const c = converter({ 'decimal.format': format });
      const text = write(c, Decimal.schema(7), value)!;
      if (format === 'NUMERIC') assert.ok(text.endsWith('"payload":-12345678901234567890123456.7890123}'));
      const back = read(c, text).value as BigDecimal;
      assert.ok(back.equals(value), `${format}: ${back.toString()}`);
    }
  });

  test('NUMERIC decimal keeps the scale written in the text', () => {
    const back = read(converter(), '{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":12.30}');
    assert.ok((back.value as BigDecimal).equals(new BigDecimal(1230n, 2)));
  });
});

describe('headers and config', () => {
  test('works as a header converter', () => {
    const c = new JsonConverter();
    c.configure({ 'schemas.enable': 'false' });
    assert.equal(c.converterType(), 'header');
    assert.equal(c.fromConnectHeader('t', 'h', Schema.STRING_SCHEMA, 'v')!.toString(), '"v"');
    assert.deepEqual(c.toConnectHeader('t', 'h', Buffer.from('"v"')), { schema: null, value: 'v' });
  });

  test('config keys and validation', () => {
    const names = new JsonConverter().config().configKeys().map((k) => k.name);
    assert.deepEqual(names, ['converter.type', 'schemas.enable', 'schemas.cache.size', 'decimal.format', 'replace.null.with.default']);
    assert.throws(() => converter({ 'decimal.format': 'HEX' }), /String must be one of \(case insensitive\): BASE64, NUMERIC/);
  });
});

describe('large integers print exactly (the split fast path for timestamps and LSNs)', () => {
  test('int64 and Timestamp values around the 1e9 split and 2^53', () => {
    const json = new JsonConverter();
    json.configure({ 'schemas.enable': 'false' }, false);
    const text = (v: number) => json.fromConnectData('t', Schema.INT64_SCHEMA, v)!.toString();
    for (const v of [0, 7, -7, 999_999_999, 1_000_000_000, -1_000_000_000, 1_000_000_001, 1_700_000_000_123, 1_700_000_000_123_456, -1_700_000_000_123_456, 9_007_199_254_740_991, -9_007_199_254_740_991, 1e18]) {
      assert.equal(text(v), BigInt(v).toString(), String(v));
    }
    const ts = json.fromConnectData('t', ConnectTimestamp.SCHEMA, new Date(1_700_000_000_007))!.toString();
    assert.equal(ts, '1700000000007');
  });
});
