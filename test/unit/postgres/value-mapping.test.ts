import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BigDecimal, Struct } from '../../../src/connect/data/index.js';
import { parsePostgresConfig } from '../../../src/connectors/postgres/config.js';
import { TypeRegistry, type PgType } from '../../../src/connectors/postgres/types/type-registry.js';
import { bitsToBytes, finishValue, mapType, parseArrayLiteral, parseDefault, parseHstore } from '../../../src/connectors/postgres/types/value-mapping.js';
import { intervalIsoString, intervalMicros, parseInterval, parseTimeTzToUtc } from '../../../src/connectors/postgres/types/temporal.js';

const base = (oid: number, name: string, extra: Partial<PgType> = {}): PgType => ({ oid, name, schema: 'pg_catalog', kind: 'b', category: 'X', baseOid: 0, elemOid: 0, typmod: -1, enumLabels: null, ...extra });
const registry = new TypeRegistry();
for (const t of [
  base(16, 'bool'), base(21, 'int2'), base(23, 'int4'), base(20, 'int8'), base(701, 'float8'), base(1700, 'numeric'), base(25, 'text'),
  base(17, 'bytea'), base(1082, 'date'), base(1083, 'time'), base(1114, 'timestamp'), base(1184, 'timestamptz'), base(1266, 'timetz'),
  base(2950, 'uuid'), base(3802, 'jsonb'), base(1186, 'interval'), base(1560, 'bit'), base(790, 'money'),
  base(1007, '_int4', { category: 'A', elemOid: 23 }), base(1009, '_text', { category: 'A', elemOid: 25 }),
  base(50000, 'mood', { kind: 'e', schema: 'public', enumLabels: ['sad', 'ok', 'happy'] }),
  base(50001, 'posint', { kind: 'd', baseOid: 23, schema: 'public' }), base(50002, 'hstore', { schema: 'public' }), base(600, 'point'),
  base(3615, 'tsquery'),
]) registry.add(t);

const cfg = (extra: Record<string, string> = {}) => parsePostgresConfig({ 'topic.prefix': 't', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', ...extra });
const map = (oid: number, typmod = -1, extra: Record<string, string> = {}) => mapType(oid, typmod, registry, cfg(extra))!;
const conv = (oid: number, text: string, typmod = -1, extra: Record<string, string> = {}) => {
  const m = map(oid, typmod, extra);
  return finishValue(m.builder().optional().build(), m.parse(text));
};

describe('PostgreSQL type mapping (spec §3)', () => {
  test('integers, floats, booleans, text, uuid, json', () => {
    assert.equal(conv(16, 't'), true);
    assert.equal(conv(21, '-7'), -7);
    assert.equal(conv(20, '9223372036854775807'), 9223372036854775807n);
    assert.equal(conv(20, '4000000000'), 4000000000);
    assert.ok(Number.isNaN(conv(701, 'NaN') as number));
    assert.equal(conv(701, '-Infinity'), -Infinity);
    assert.equal(map(2950).builder().build().name, 'io.debezium.data.Uuid');
    assert.equal(map(3802).builder().build().name, 'io.debezium.data.Json');
    assert.equal(conv(3802, '{"bar": "baz"}'), '{"bar": "baz"}');
  });

  test('numeric under precise, double and string', () => {
    const s = map(1700, ((3 << 16) | 2) + 4).builder().build();
    assert.equal(s.name, 'org.apache.kafka.connect.data.Decimal');
    assert.deepEqual(s.parameters, { scale: '2', 'connect.decimal.precision': '3' });
    assert.deepEqual(conv(1700, '1.1', ((3 << 16) | 2) + 4), new BigDecimal(110n, 2));
    const v = conv(1700, '10.1111') as Struct;
    assert.equal(v.schema.name, 'io.debezium.data.VariableScaleDecimal');
    assert.equal(v.get('scale'), 4);
    assert.deepEqual([...(v.get('value') as Uint8Array)], [0x01, 0x8a, 0xf7]);
    assert.equal((conv(1700, '22.000') as Struct).get('scale'), 0);
    assert.equal(conv(1700, '1.10', ((3 << 16) | 2) + 4, { 'decimal.handling.mode': 'double' }), 1.1);
    assert.equal(conv(1700, '1.10', ((3 << 16) | 2) + 4, { 'decimal.handling.mode': 'string' }), '1.10');
    assert.equal(conv(1700, 'NaN', -1, { 'decimal.handling.mode': 'string' }), 'NAN');
    assert.throws(() => conv(1700, 'NaN'), /cannot be represented/);
    assert.deepEqual(conv(790, '-$1,234.11'), new BigDecimal(-123411n, 2));
  });

  test('temporal types (adaptive) and zoned strings', () => {
    assert.equal(conv(1082, '2017-09-15'), 17424);
    assert.equal(conv(1083, '24:00:00'), 86400000000);
    assert.equal(map(1083, 3).builder().build().name, 'io.debezium.time.Time');
    assert.equal(conv(1114, '2018-06-20 15:13:16.945104'), 1529507596945104);
    assert.equal(conv(1114, 'infinity'), 9223372036825200000n);
    assert.equal(conv(1184, '2016-11-04 13:51:30.123456+02'), '2016-11-04T11:51:30.123456Z');
    assert.equal(conv(1184, '2020-04-01 11:51:02+00'), '2020-04-01T11:51:02.000000Z');
    assert.equal(conv(1184, '2020-04-01 11:51:02+00', 3), '2020-04-01T11:51:02.000Z');
    assert.equal(conv(1184, '4714-12-31 23:59:59.999999+00 BC'), '-4713-12-31T23:59:59.999999Z');
    assert.equal(conv(1184, '21016-11-04 06:51:30.123456+00'), '+21016-11-04T06:51:30.123456Z');
    assert.equal(parseTimeTzToUtc('13:51:30.123789+02'), '11:51:30.123789Z');
    assert.equal(parseTimeTzToUtc('13:51:30.123+02'), '11:51:30.123Z');
  });

  test('interval numeric and string', () => {
    assert.equal(intervalMicros(parseInterval('1 year 2 mons 3 days 04:05:06.78')), 37091106780000);
    assert.equal(intervalIsoString(parseInterval('1 year 2 mons 3 days 04:05:06.78')), 'P1Y2M3DT4H5M6.78S');
    assert.equal(intervalIsoString(parseInterval('00:00:00')), 'P0Y0M0DT0H0M0S');
  });

  test('bytea modes, bits, arrays, enums, domains, hstore, point, unknown types', () => {
    assert.deepEqual([...(conv(17, '\\x010203') as Uint8Array)], [1, 2, 3]);
    assert.equal(conv(17, '\\x010203', -1, { 'binary.handling.mode': 'base64' }), 'AQID');
    assert.equal(conv(17, '\\x010203', -1, { 'binary.handling.mode': 'hex' }), '010203');
    assert.deepEqual([...bitsToBytes('000000110000001000000001')], [1, 2, 3]);
    assert.deepEqual([...bitsToBytes('00')], []);
    assert.equal(conv(1560, '1', 1), true);
    assert.deepEqual(conv(1007, '{1,2,NULL}'), [1, 2, null]);
    assert.deepEqual(parseArrayLiteral('{"a b","c\\"d",e}'), ['a b', 'c"d', 'e']);
    assert.deepEqual(conv(1009, '{}'), []);
    const e = map(50000).builder().build();
    assert.deepEqual([e.name, e.parameters], ['io.debezium.data.Enum', { allowed: 'sad,ok,happy' }]);
    assert.equal(map(50001).builder().build().type, 'int32');
    assert.deepEqual(parseHstore('"a"=>"b", "c"=>NULL'), [['a', 'b'], ['c', null]]);
    assert.equal(conv(50002, '"key"=>"val"'), '{"key":"val"}');
    const p = conv(600, '(1,2)') as Struct;
    assert.deepEqual([p.get('x'), p.get('y')], [1, 2]);
    assert.equal(mapType(3615, -1, registry, cfg()), null);
    assert.deepEqual([...(conv(3615, "'fat'", -1, { 'include.unknown.datatypes': 'true' }) as Uint8Array)], [...Buffer.from("'fat'")]);
  });

  test('column defaults: literals parsed, function calls become zero', () => {
    assert.equal(parseDefault("nextval('iris_train_id_seq'::regclass)", map(23)), 0);
    assert.equal(parseDefault("'abc'::text", map(25)), 'abc');
    assert.equal(parseDefault('42', map(23)), 42);
    assert.equal(parseDefault('now()', map(1184)), '1970-01-01T00:00:00Z');
    assert.equal(parseDefault(null, map(23)), undefined);
  });
});
