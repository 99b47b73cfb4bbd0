import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { BigDecimal, ConnectDate, ConnectTime, ConnectTimestamp, Decimal, Schema, SchemaBuilder, Struct } from '../../../src/connect/data/index.js';
import { AvroReader, AvroWriter } from '../../../src/converters/avro/avro-binary.js';
import { AvroData } from '../../../src/converters/avro/avro-data.js';
import { avroSchemaText, parseAvroSchema } from '../../../src/converters/avro/avro-schema.js';
import { compileDecoder, compileEncoder } from '../../../src/converters/avro/avro-values.js';
import { readProblems } from '../../../src/converters/avro/avro-compatibility.js';

const data = new AvroData();

/** avsc with 64-bit longs as bigint when they do not fit a double exactly. */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE();
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  },
  toBuffer: (n: number | bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: Number,
  toJSON: Number,
  isValid: (n: unknown) => typeof n === 'bigint' || Number.isInteger(n),
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
});
const avscType = (schemaText: string): avro.Type => avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema, { registry: { long: LONG } });
/** An avsc record as a plain object. */
const plain = (v: unknown): unknown => ({ ...(v as object) });
const text = (s: Schema): string => avroSchemaText(data.fromConnectSchema(s));

function encode(schema: Schema, value: unknown, node = data.fromConnectSchema(schema)): Buffer {
  const w = new AvroWriter();
  compileEncoder(schema, node)(w, value);
  return w.finish();
}

/** Encodes with our writer, decodes with avsc (an independent implementation) and with our reader. */
function roundTrip(schema: Schema, value: unknown): { avsc: unknown; back: unknown; backSchema: Schema } {
  const schemaText = text(schema);
  const bytes = encode(schema, value);
  const avsc = avscType(schemaText).fromBuffer(bytes);
  const node = parseAvroSchema(schemaText);
  const backSchema = data.toConnectSchema(node);
  const back = compileDecoder(node, backSchema)(new AvroReader(bytes));
  return { avsc, back, backSchema };
}

describe('Connect schema -> Avro schema text (as Confluent AvroData writes it)', () => {
  const cases: [string, Schema, string][] = [
    ['int8', Schema.INT8_SCHEMA, '{"type":"int","connect.type":"int8"}'],
    ['int16', Schema.INT16_SCHEMA, '{"type":"int","connect.type":"int16"}'],
    ['int32', Schema.INT32_SCHEMA, '"int"'],
    ['int64', Schema.INT64_SCHEMA, '"long"'],
    ['float32', Schema.FLOAT32_SCHEMA, '"float"'],
    ['float64', Schema.FLOAT64_SCHEMA, '"double"'],
    ['boolean', Schema.BOOLEAN_SCHEMA, '"boolean"'],
    ['string', Schema.STRING_SCHEMA, '"string"'],
    ['bytes', Schema.BYTES_SCHEMA, '"bytes"'],
    ['optional string', Schema.OPTIONAL_STRING_SCHEMA, '["null","string"]'],
    ['optional int8', Schema.OPTIONAL_INT8_SCHEMA, '["null",{"type":"int","connect.type":"int8"}]'],
    ['array', SchemaBuilder.array(Schema.STRING_SCHEMA).build(), '{"type":"array","items":"string"}'],
    ['string map', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), '{"type":"map","values":"int"}'],
    [
      'int-keyed map',
      SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build(),
      '{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},{"name":"value","type":["null","string"],"default":null}]}}',
    ],
    [
      'decimal',
      Decimal.schema(2),
      '{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}',
    ],
    [
      'decimal with precision',
      Decimal.builder(3).parameter('connect.decimal.precision', '10').build(),
      '{"type":"bytes","scale":3,"precision":10,"connect.version":1,"connect.parameters":{"scale":"3","connect.decimal.precision":"10"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}',
    ],
    ['date', ConnectDate.SCHEMA, '{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}'],
    ['time', ConnectTime.SCHEMA, '{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}'],
    ['timestamp', ConnectTimestamp.SCHEMA, '{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}'],
    ['debezium MicroTimestamp', SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').version(1).build(), '{"type":"long","connect.version":1,"connect.name":"io.debezium.time.MicroTimestamp"}'],
    ['debezium Json (optional)', SchemaBuilder.string().name('io.debezium.data.Json').version(1).optional().build(), '["null",{"type":"string","connect.version":1,"connect.name":"io.debezium.data.Json"}]'],
    ['doc and parameters', SchemaBuilder.string().doc('a doc').parameter('p', 'v').build(), '{"type":"string","connect.doc":"a doc","connect.parameters":{"p":"v"}}'],
    ['optional with default', SchemaBuilder.int32().optional().defaultValue(7).build(), '[{"type":"int","connect.default":7},"null"]'],
  ];
  for (const [name, schema, expected] of cases) {
    test(name, () => assert.equal(text(schema), expected));
  }

  test('struct: name split on the last dot, optional fields default null, defaults, field order kept', () => {
    const s = SchemaBuilder.struct().name('a.b.Rec').version(3).doc('d')
      .field('id', Schema.INT64_SCHEMA)
      .field('name', Schema.OPTIONAL_STRING_SCHEMA)
      .field('n', SchemaBuilder.int32().defaultValue(5).build())
      .field('blob', SchemaBuilder.bytes().defaultValue(Buffer.from([0x61, 0xff])).build())
      .build();
    assert.equal(
      text(s),
      '{"type":"record","name":"Rec","namespace":"a.b","fields":[{"name":"id","type":"long"},{"name":"name","type":["null","string"],"default":null},' +
        '{"name":"n","type":{"type":"int","connect.default":5},"default":5},{"name":"blob","type":{"type":"bytes","connect.default":"aÿ"},"default":"aÿ"}],' +
        '"connect.doc":"d","connect.version":3,"connect.name":"a.b.Rec"}',
    );
  });

  test('unnamed structs are ConnectDefault, ConnectDefault2, ...; a struct used twice is written once, then by name', () => {
    const inner = SchemaBuilder.struct().field('x', Schema.INT32_SCHEMA).build();
    const other = SchemaBuilder.struct().field('y', Schema.STRING_SCHEMA).build();
    const named = SchemaBuilder.struct().name('ns.Value').field('v', Schema.INT32_SCHEMA).build();
    const optNamed = SchemaBuilder.struct().name('ns.Value').field('v', Schema.INT32_SCHEMA).optional().build();
    const s = SchemaBuilder.struct().field('a', inner).field('b', other).field('c', inner).field('d', optNamed).field('e', optNamed).field('f', named).build();
    assert.equal(
      text(s),
      '{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[' +
        '{"name":"a","type":{"type":"record","name":"ConnectDefault2","fields":[{"name":"x","type":"int"}]}},' +
        '{"name":"b","type":{"type":"record","name":"ConnectDefault3","fields":[{"name":"y","type":"string"}]}},' +
        '{"name":"c","type":"ConnectDefault2"},' +
        '{"name":"d","type":["null",{"type":"record","name":"Value","namespace":"ns","fields":[{"name":"v","type":"int"}],"connect.name":"ns.Value"}],"default":null},' +
        '{"name":"e","type":["null","ns.Value"],"default":null},' +
        '{"name":"f","type":"ns.Value"}]}',
    );
  });

  test('connect.meta.data=false leaves the connect.* properties out (logical types stay)', () => {
    const plain = new AvroData({ connectMetaData: false, enhancedSchemaSupport: false });
    const s = SchemaBuilder.struct().name('x.R').version(1).field('t', ConnectTimestamp.SCHEMA).field('b', Schema.INT8_SCHEMA).build();
    assert.equal(
      avroSchemaText(plain.fromConnectSchema(s)),
      '{"type":"record","name":"R","namespace":"x","fields":[{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"b","type":"int"}]}',
    );
  });

  test('enhanced.avro.schema.support writes Connect enums as Avro enums', () => {
    const enhanced = new AvroData({ connectMetaData: false, enhancedSchemaSupport: true });
    const s = SchemaBuilder.string().parameter('io.confluent.connect.avro.Enum', 'ns.Color')
      .parameter('io.confluent.connect.avro.Enum.RED', 'RED').parameter('io.confluent.connect.avro.Enum.GREEN', 'GREEN').build();
    assert.equal(avroSchemaText(enhanced.fromConnectSchema(s)), '{"type":"enum","name":"Color","namespace":"ns","symbols":["RED","GREEN"]}');
  });
});

describe('Avro schema -> Connect schema', () => {
  test('every Connect schema above maps back to itself', () => {
    const schemas = [
      Schema.INT8_SCHEMA, Schema.INT16_SCHEMA, Schema.INT32_SCHEMA, Schema.INT64_SCHEMA, Schema.FLOAT32_SCHEMA, Schema.FLOAT64_SCHEMA,
      Schema.BOOLEAN_SCHEMA, Schema.STRING_SCHEMA, Schema.BYTES_SCHEMA, Schema.OPTIONAL_INT16_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA,
      Decimal.schema(2), Decimal.builder(3).parameter('connect.decimal.precision', '10').build(), ConnectDate.SCHEMA, ConnectTime.SCHEMA,
      ConnectTimestamp.SCHEMA, SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').version(1).optional().build(),
      SchemaBuilder.array(Schema.OPTIONAL_FLOAT64_SCHEMA).build(), SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).optional().build(),
      SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), SchemaBuilder.string().doc('d').parameter('k', 'v').build(),
      SchemaBuilder.int32().optional().defaultValue(7).build(),
      SchemaBuilder.struct().name('a.b.Rec').version(2).field('x', Schema.INT32_SCHEMA).field('y', Schema.OPTIONAL_STRING_SCHEMA).build(),
    ];
    for (const s of schemas) {
      const back = data.toConnectSchema(parseAvroSchema(text(s)));
      assert.ok(back.equals(s), `${text(s)} mapped back to ${JSON.stringify(back)}`);
    }
  });

  test('a plain Avro schema (no connect.* properties) maps by its types; field defaults become Connect defaults', () => {
    const node = parseAvroSchema(
      '{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"tags","type":{"type":"array","items":"string"}},' +
        '{"name":"score","type":"double","default":1.5},{"name":"nick","type":["null","string"],"default":null},' +
        '{"name":"day","type":{"type":"int","logicalType":"date"}},{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":8,"scale":2}}]}',
    );
    const s = data.toConnectSchema(node, 4);
    assert.equal(s.name, 'com.acme.User');
    assert.equal(s.version, 4, 'the registry version stands in for connect.version');
    assert.equal(s.field('id')!.schema.type, 'int64');
    assert.equal(s.field('tags')!.schema.valueSchema!.type, 'string');
    assert.equal(s.field('score')!.schema.defaultValue, 1.5);
    assert.deepEqual(s.field('score')!.schema.parameters, { 'io.confluent.connect.avro.field.default': 'true' });
    assert.equal(s.field('nick')!.schema.optional, true);
    assert.equal(s.field('day')!.schema.name, ConnectDate.LOGICAL_NAME);
    assert.equal(s.field('amount')!.schema.name, Decimal.LOGICAL_NAME);
    assert.deepEqual(s.field('amount')!.schema.parameters, { scale: '2', 'connect.decimal.precision': '8' });
  });

  test('an Avro schema with field defaults is written back as it was read (the field-default flag stays internal)', () => {
    const original =
      '{"type":"record","name":"R","namespace":"a","fields":[{"name":"score","type":"double","default":1.5},' +
      '{"name":"n","type":{"type":"int","connect.parameters":{"k":"v"}},"default":3}],"connect.name":"a.R"}';
    assert.equal(text(data.toConnectSchema(parseAvroSchema(original))), original);
  });

  test('a union of several types becomes an io.confluent.connect.avro.Union struct', () => {
    const s = data.toConnectSchema(parseAvroSchema('["null","int","string"]'));
    assert.equal(s.name, 'io.confluent.connect.avro.Union');
    assert.equal(s.optional, true);
    assert.deepEqual(s.fields.map((f) => f.name), ['int', 'string']);
  });
});

describe('values: our bytes read by avsc, and read back by us', () => {
  test('every primitive and logical type', () => {
    const s = SchemaBuilder.struct().name('t.All')
      .field('i8', Schema.INT8_SCHEMA).field('i16', Schema.INT16_SCHEMA).field('i32', Schema.INT32_SCHEMA)
      .field('i64', Schema.INT64_SCHEMA).field('big', Schema.INT64_SCHEMA).field('neg', Schema.INT64_SCHEMA)
      .field('f32', Schema.FLOAT32_SCHEMA).field('f64', Schema.FLOAT64_SCHEMA).field('b', Schema.BOOLEAN_SCHEMA)
      .field('s', Schema.STRING_SCHEMA).field('long_s', Schema.STRING_SCHEMA).field('bytes', Schema.BYTES_SCHEMA)
      .field('dec', Decimal.schema(2)).field('date', ConnectDate.SCHEMA).field('time', ConnectTime.SCHEMA).field('ts', ConnectTimestamp.SCHEMA)
      .field('opt', Schema.OPTIONAL_STRING_SCHEMA)
      .build();
    const longText = 'é'.repeat(300);
    const v = new Struct(s).put('i8', -8).put('i16', 1600).put('i32', -2147483648).put('i64', 1700000000123)
      .put('big', 9223372036854775807n).put('neg', -9007199254740993n).put('f32', 1.5).put('f64', 0.1).put('b', true)
      .put('s', 'héllo').put('long_s', longText).put('bytes', Buffer.from([1, 2, 255])).put('dec', new BigDecimal(-12345n, 2))
      .put('date', new Date(Date.UTC(2024, 0, 2))).put('time', new Date(3723004)).put('ts', new Date(1700000000123)).put('opt', null);
    const { avsc, back, backSchema } = roundTrip(s, v);
    const a = avsc as Record<string, unknown>;
    assert.equal(a.i8, -8);
    assert.equal(a.i32, -2147483648);
    assert.equal(a.i64, 1700000000123);
    assert.equal(a.big, 9223372036854775807n);
    assert.equal(a.neg, -9007199254740993n);
    assert.equal(a.f64, 0.1);
    assert.equal(a.long_s, longText);
    assert.deepEqual(a.bytes, Buffer.from([1, 2, 255]));
    assert.deepEqual(a.dec, Buffer.from([0xcf, 0xc7]), 'two\'s complement of -12345');
    assert.equal(a.date, 19724);
    assert.equal(a.time, 3723004);
    assert.equal(a.ts, 1700000000123);
    assert.equal(a.opt, null);
    assert.ok(backSchema.equals(s));
    assert.ok((back as Struct).equals(v), String(back));
    assert.equal((back as Struct).get('big'), 9223372036854775807n);
  });

  test('nested structs, arrays, maps with string and int keys, optional structs', () => {
    const inner = SchemaBuilder.struct().name('t.Inner').field('x', Schema.INT32_SCHEMA).optional().build();
    const s = SchemaBuilder.struct().name('t.Outer')
      .field('inner', inner).field('none', inner)
      .field('arr', SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build())
      .field('empty', SchemaBuilder.array(Schema.INT32_SCHEMA).build())
      .field('smap', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build())
      .field('imap', SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
      .build();
    const v = new Struct(s).put('inner', new Struct(inner).put('x', 9)).put('none', null).put('arr', ['a', null, 'c']).put('empty', [])
      .put('smap', new Map([['k', 1], ['l', 2]])).put('imap', new Map([[5, 'five'], [6, 'six']]));
    const { avsc, back } = roundTrip(s, v);
    assert.deepEqual(JSON.parse(JSON.stringify(avsc)), {
      inner: { x: 9 }, none: null, arr: ['a', null, 'c'], empty: [], smap: { k: 1, l: 2 },
      imap: [{ key: 5, value: 'five' }, { key: 6, value: 'six' }],
    });
    assert.ok((back as Struct).equals(v));
  });

  test('a null in a required field is refused with Confluent\'s message; a default fills a null field', () => {
    const s = SchemaBuilder.struct().field('a', Schema.STRING_SCHEMA).field('d', SchemaBuilder.int32().defaultValue(4).build()).build();
    assert.throws(() => encode(s, new Struct(s).put('d', 1)), /Found null value for non-optional schema/);
    const bytes = encode(s, new Struct(s).put('a', 'x'));
    assert.deepEqual(plain(avscType(text(s)).fromBuffer(bytes)), { a: 'x', d: 4 });
  });

  test('writing with another (latest) schema takes fields by name and the defaults of fields the struct lacks', () => {
    const s = SchemaBuilder.struct().name('t.R').field('a', Schema.INT32_SCHEMA).field('b', Schema.STRING_SCHEMA).build();
    const latest = parseAvroSchema('{"type":"record","name":"R","namespace":"t","fields":[{"name":"b","type":"string"},{"name":"c","type":["null","long"],"default":null},{"name":"a","type":"long"}]}');
    const bytes = encode(s, new Struct(s).put('a', 1).put('b', 'x'), latest);
    assert.deepEqual(plain(avscType(avroSchemaText(latest)).fromBuffer(bytes)), { b: 'x', c: null, a: 1 });
  });
});

describe('schema resolution check (latest.compatibility.strict)', () => {
  const v1 = parseAvroSchema('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}');
  test('a reader with an added optional field, or a promoted type, reads the writer', () => {
    assert.deepEqual(readProblems(parseAvroSchema('{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":["null","string"],"default":null}]}'), v1), []);
  });
  test('a reader with an added required field, or a narrowed type, does not', () => {
    assert.equal(readProblems(parseAvroSchema('{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}'), v1).length, 1);
    assert.equal(readProblems(parseAvroSchema('{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}'), v1).length, 1);
  });
});

describe('binary primitives', () => {
  test('zig-zag varints match the Avro spec examples, longs past 2^53 too', () => {
    const w = new AvroWriter();
    for (const n of [0, -1, 1, -2, 2, -64, 64]) w.long(n);
    assert.deepEqual([...w.finish()], [0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x80, 0x01]);
    const big = [2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 2 ** 52, -(2 ** 53) + 1];
    const w2 = new AvroWriter();
    for (const n of big) w2.long(n);
    const r = new AvroReader(w2.finish());
    assert.deepEqual(big.map(() => r.long()), big);
  });
});
