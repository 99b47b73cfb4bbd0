import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BigDecimal, ConnectDate, ConnectTimestamp, Schema, SchemaBuilder, Struct } from '../../../src/connect/data/index.js';
import { SimpleHeaderConverter } from '../../../src/converters/simple-header-converter.js';
import { convertToString, parseString } from '../../../src/converters/values.js';

const TS = 'org.apache.kafka.connect.data.Timestamp';
const DATE = 'org.apache.kafka.connect.data.Date';

describe('SimpleHeaderConverter inference table (§7.4, verified)', () => {
  const hc = new SimpleHeaderConverter();
  hc.configure({});
  const read = (text: string) => hc.toConnectHeader('topic', 'h', Buffer.from(text, 'utf8'));

  test('42 ⇒ int8', () => assert.deepEqual(read('42'), { schema: Schema.INT8_SCHEMA, value: 42 }));
  test('3000000000 ⇒ int64', () => assert.deepEqual(read('3000000000'), { schema: Schema.INT64_SCHEMA, value: 3000000000 }));
  test('1.5 ⇒ float32', () => assert.deepEqual(read('1.5'), { schema: Schema.FLOAT32_SCHEMA, value: 1.5 }));
  test('true ⇒ boolean', () => assert.deepEqual(read('true'), { schema: Schema.BOOLEAN_SCHEMA, value: true }));
  test('[1,2] ⇒ array', () => {
    const { schema, value } = read('[1,2]');
    assert.equal(schema!.type, 'array');
    assert.equal(schema!.valueSchema!.type, 'int8');
    assert.deepEqual(value, [1, 2]);
  });
  test('{"a":1} ⇒ map', () => {
    const { schema, value } = read('{"a":1}');
    assert.equal(schema!.type, 'map');
    assert.equal(schema!.keySchema!.type, 'string');
    assert.equal(schema!.valueSchema!.type, 'int8');
    assert.deepEqual(value, new Map([['a', 1]]));
  });
  test('ISO timestamp ⇒ Timestamp', () => {
    const { schema, value } = read('2023-11-14T22:13:20.123Z');
    assert.equal(schema!.name, TS);
    assert.equal((value as Date).getTime(), 1_700_000_000_123);
  });
  test('2024-01-02 ⇒ Date', () => {
    const { schema, value } = read('2024-01-02');
    assert.equal(schema!.name, DATE);
    assert.equal((value as Date).toISOString(), '2024-01-02T00:00:00.000Z');
  });
  test('"" ⇒ empty string', () => assert.deepEqual(read(''), { schema: Schema.STRING_SCHEMA, value: '' }));
  test('null ⇒ null', () => assert.deepEqual(read('null'), { schema: null, value: null }));
  test('anything else ⇒ string (the original text)', () => {
    assert.deepEqual(read('hello world'), { schema: Schema.STRING_SCHEMA, value: 'hello world' });
    assert.deepEqual(read('[1,2'), { schema: Schema.STRING_SCHEMA, value: '[1,2' });
    assert.deepEqual(read('  x '), { schema: Schema.STRING_SCHEMA, value: '  x ' });
  });
  test('null bytes ⇒ null schema and value', () => assert.deepEqual(hc.toConnectHeader('t', 'h', null), { schema: null, value: null }));
});

describe('SimpleHeaderConverter serialization (§7.4)', () => {
  const hc = new SimpleHeaderConverter();
  const write = (schema: Schema | null, value: unknown) => hc.fromConnectHeader('t', 'h', schema, value)?.toString('utf8') ?? null;

  test('strings raw, numbers, booleans', () => {
    assert.equal(write(Schema.STRING_SCHEMA, 'a "quoted" \\ text'), 'a "quoted" \\ text');
    assert.equal(write(Schema.INT32_SCHEMA, 42), '42');
    assert.equal(write(Schema.BOOLEAN_SCHEMA, true), 'true');
    assert.equal(write(Schema.FLOAT32_SCHEMA, 1.5), '1.5');
    assert.equal(write(Schema.FLOAT64_SCHEMA, 2), '2.0');
    assert.equal(write(null, null), null);
  });
  test('arrays, maps, structs, bytes, dates', () => {
    assert.equal(write(SchemaBuilder.array(Schema.INT32_SCHEMA).build(), [1, 2]), '[1,2]');
    assert.equal(write(null, new Map([['a', 1]])), '{"a":1}');
    assert.equal(write(null, ['x', 'y"z']), '["x","y\\"z"]');
    assert.equal(write(Schema.BYTES_SCHEMA, Buffer.from('hi!')), 'aGkh');
    assert.equal(write(ConnectTimestamp.SCHEMA, new Date(1_700_000_000_123)), '2023-11-14T22:13:20.123Z');
    assert.equal(write(ConnectDate.SCHEMA, new Date(Date.UTC(2024, 0, 2))), '2024-01-02');
    assert.equal(write(null, new Date(3_723_004)), '01:02:03.004Z');
    const s = SchemaBuilder.struct().field('a', Schema.INT32_SCHEMA).field('b', Schema.STRING_SCHEMA).build();
    assert.equal(write(s, new Struct(s).put('a', 1).put('b', 'x')), '{"a":1,"b":"x"}');
    assert.equal(write(null, new BigDecimal(1234n, 2)), '12.34');
  });
  test('round trip through the converter keeps schema and value', () => {
    for (const text of ['42', 'true', '[1,2]', '{"a":1}', '2023-11-14T22:13:20.123Z', '2024-01-02', '1.5', '-7', 'plain text']) {
      const parsed = hc.toConnectHeader('t', 'h', Buffer.from(text));
      assert.equal(write(parsed.schema, parsed.value), text);
    }
  });
});

describe('Values.parseString quirks kept from the JVM', () => {
  test('1.0 is an exact int8; big integers become Decimal', () => {
    assert.deepEqual(parseString('1.0'), { schema: Schema.INT8_SCHEMA, value: 1 });
    const big = parseString('99999999999999999999');
    assert.equal(big.schema!.name, 'org.apache.kafka.connect.data.Decimal');
    assert.ok((big.value as BigDecimal).equals(new BigDecimal(99999999999999999999n, 0)));
  });
  test('float32 loses precision like the JVM', () => {
    const { schema, value } = parseString('3.141592653589793');
    assert.equal(schema, Schema.FLOAT32_SCHEMA);
    assert.equal(value, Math.fround(3.141592653589793));
    assert.equal(convertToString(schema, value), '3.1415927');
  });
  test('mixed numeric arrays widen', () => {
    const { schema, value } = parseString('[1, 1.5, 300]');
    assert.equal(schema!.valueSchema!.type, 'float32');
    assert.deepEqual(value, [1, 1.5, 300]);
    assert.equal(convertToString(schema, value), '[1.0,1.5,300.0]');
  });
  test('a time of day', () => {
    const { schema, value } = parseString('12:34:56.789Z');
    assert.equal(schema!.name, 'org.apache.kafka.connect.data.Time');
    assert.equal((value as Date).getTime(), 45_296_789);
  });
  test('int64 beyond the safe range is a bigint', () => {
    assert.deepEqual(parseString('9223372036854775807'), { schema: Schema.INT64_SCHEMA, value: 9223372036854775807n });
  });
});
