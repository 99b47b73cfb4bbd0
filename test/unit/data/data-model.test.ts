import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BigDecimal,
  ConnectDate,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  bigintToTwosComplement,
  twosComplementToBigint,
} from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';

test('struct put validates against the field schema', () => {
  const schema = SchemaBuilder.struct().name('r').field('id', Schema.INT32_SCHEMA).field('s', Schema.OPTIONAL_STRING_SCHEMA).build();
  const s = new Struct(schema).put('id', 5);
  assert.equal(s.get('id'), 5);
  assert.equal(s.get('s'), null);
  assert.throws(() => s.put('id', 'x'), DataException);
  assert.throws(() => s.put('id', 2 ** 31), DataException);
  assert.throws(() => s.put('nope', 1), /nope is not a valid field name/);
  assert.throws(() => new Struct(schema).validate(), /null used for required field: "id"/);
});

test('int64 accepts safe numbers and bigints in range only', () => {
  const schema = SchemaBuilder.struct().field('n', Schema.INT64_SCHEMA).build();
  new Struct(schema).put('n', 2n ** 63n - 1n).put('n', -(2n ** 63n)).put('n', 7);
  assert.throws(() => new Struct(schema).put('n', 2n ** 63n), DataException);
  assert.throws(() => new Struct(schema).put('n', 1.5), DataException);
});

test('defaults are returned by get and not by getWithoutDefault', () => {
  const schema = SchemaBuilder.struct().field('d', SchemaBuilder.int32().optional().defaultValue(7).build()).build();
  const s = new Struct(schema);
  assert.equal(s.get('d'), 7);
  assert.equal(s.getWithoutDefault('d'), null);
});

test('decimal bytes are Java BigInteger two\'s complement', () => {
  assert.deepEqual([...bigintToTwosComplement(1234n)], [0x04, 0xd2]);
  assert.deepEqual([...bigintToTwosComplement(128n)], [0x00, 0x80]);
  assert.deepEqual([...bigintToTwosComplement(-1n)], [0xff]);
  assert.deepEqual([...bigintToTwosComplement(-129n)], [0xff, 0x7f]);
  assert.deepEqual([...bigintToTwosComplement(0n)], [0x00]);
  for (const n of [0n, 1n, -1n, 127n, -128n, 255n, -256n, 10n ** 30n, -(10n ** 30n)]) assert.equal(twosComplementToBigint(bigintToTwosComplement(n)), n);
  const schema = Decimal.schema(2);
  const bytes = Decimal.fromLogical(schema, BigDecimal.parse('12.34'));
  assert.equal(Buffer.from(bytes).toString('base64'), 'BNI=');
  assert.equal(Decimal.toLogical(schema, bytes).toString(), '12.34');
});

test('BigDecimal parses, rescales half-up and prints plainly', () => {
  assert.equal(BigDecimal.parse('-0.050').toString(), '-0.050');
  assert.equal(BigDecimal.parse('1e3').toString(), '1000');
  assert.equal(BigDecimal.parse('2.345').setScale(2).toString(), '2.35');
  assert.equal(BigDecimal.parse('-2.345').setScale(2).toString(), '-2.35');
  assert.equal(BigDecimal.parse('5').setScale(3).toString(), '5.000');
});

test('Date logical type is days since epoch and rejects times of day', () => {
  assert.equal(ConnectDate.fromLogical(ConnectDate.SCHEMA, new Date(Date.UTC(1970, 0, 4))), 3);
  assert.throws(() => ConnectDate.fromLogical(ConnectDate.SCHEMA, new Date(1000)), DataException);
});
