import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MnistToCsv } from '../../../src/transforms/debezium/mnist-to-csv.js';
import { ExtractNewRecordState } from '../../../src/transforms/debezium/extract-new-record-state.js';
import { Schema, SchemaBuilder, SourceRecord, Struct } from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';

const TOPIC = 'tf.public.mnist_train';
// CREATE TABLE mnist_train(id SERIAL NOT NULL PRIMARY KEY, label SMALLINT, pixels BYTEA)
const ROW = SchemaBuilder.struct().optional().name(`${TOPIC}.Value`)
  .field('id', SchemaBuilder.int32().defaultValue(0).build())
  .field('label', Schema.OPTIONAL_INT16_SCHEMA)
  .field('pixels', Schema.OPTIONAL_BYTES_SCHEMA)
  .build();
const ENVELOPE = SchemaBuilder.struct().name(`${TOPIC}.Envelope`).version(2)
  .field('before', ROW).field('after', ROW)
  .field('source', SchemaBuilder.struct().name('io.debezium.connector.postgresql.Source').field('lsn', Schema.OPTIONAL_INT64_SCHEMA).build())
  .field('op', Schema.STRING_SCHEMA)
  .field('ts_ms', Schema.OPTIONAL_INT64_SCHEMA)
  .build();
const KEY = SchemaBuilder.struct().name(`${TOPIC}.Key`).field('id', SchemaBuilder.int32().defaultValue(0).build()).build();

function pixels(): Uint8Array {
  const p = new Uint8Array(784);
  for (let i = 0; i < 784; i++) p[i] = (i * 37) % 256;
  p[0] = 0;
  p[1] = 255;
  p[2] = 128;
  return p;
}

function insert(label: number, px: Uint8Array): SourceRecord {
  const after = new Struct(ROW).put('id', 1).put('label', label).put('pixels', px);
  const source = new Struct(ENVELOPE.field('source')!.schema).put('lsn', 100);
  return new SourceRecord({
    topic: TOPIC, kafkaPartition: 0, keySchema: KEY, key: new Struct(KEY).put('id', 1),
    valueSchema: ENVELOPE, value: new Struct(ENVELOPE).put('after', after).put('source', source).put('op', 'c'),
    timestamp: 1700000000000, sourcePartition: { server: 'tf' }, sourceOffset: { lsn: 100 },
  });
}

function chain(rec: SourceRecord, mnistConfig: Record<string, string> = {}) {
  const unwrap = new ExtractNewRecordState();
  unwrap.configure({});
  const mnist = new MnistToCsv();
  mnist.configure(mnistConfig);
  return mnist.apply(unwrap.apply(rec)!);
}

test('unwrap + MnistToCsv on a 784-byte row: key "7", value 784 unsigned decimals', () => {
  const px = pixels();
  const out = chain(insert(7, px));
  assert.equal(out.key, '7');
  assert.equal(out.keySchema, Schema.STRING_SCHEMA);
  assert.equal(out.valueSchema, Schema.STRING_SCHEMA);
  const text = out.value as string;
  const parts = text.split(',');
  assert.equal(parts.length, 784);
  assert.deepEqual(parts.slice(0, 4), ['0', '255', '128', String((3 * 37) % 256)]);
  assert.equal(text, Array.from(px).join(','));
  assert.ok(!text.includes(' ') && !text.endsWith(','));
  assert.equal(out.topic, TOPIC);
  assert.equal(out.kafkaPartition, 0);
  assert.equal(out.timestamp, 1700000000000);
});

test('label_column / pixels_column options', () => {
  const schema = SchemaBuilder.struct().field('digit', Schema.INT16_SCHEMA).field('img', Schema.BYTES_SCHEMA).build();
  const rec = new SourceRecord({
    topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: schema,
    value: new Struct(schema).put('digit', 3).put('img', new Uint8Array([1, 2, 250])), timestamp: null, sourcePartition: null, sourceOffset: null,
  });
  const t = new MnistToCsv();
  t.configure({ label_column: 'digit', pixels_column: 'img' });
  const out = t.apply(rec);
  assert.equal(out.key, '3');
  assert.equal(out.value, '1,2,250');
});

test('a row lacking the columns is a DataException naming them', () => {
  const schema = SchemaBuilder.struct().field('id', Schema.INT32_SCHEMA).build();
  const rec = new SourceRecord({
    topic: 'tf.public.other', kafkaPartition: null, keySchema: null, key: null, valueSchema: schema,
    value: new Struct(schema).put('id', 1), timestamp: null, sourcePartition: null, sourceOffset: null,
  });
  const t = new MnistToCsv();
  t.configure({});
  assert.throws(() => t.apply(rec), (e: unknown) => e instanceof DataException && /no columns 'label' and 'pixels'/.test(e.message));
});

test('a null value or null column is a DataException, not a crash', () => {
  const t = new MnistToCsv();
  t.configure({});
  const tomb = new SourceRecord({ topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: null, timestamp: null, sourcePartition: null, sourceOffset: null });
  assert.throws(() => t.apply(tomb), DataException);
  const rec = insert(1, pixels());
  const unwrap = new ExtractNewRecordState();
  unwrap.configure({});
  const row = unwrap.apply(rec)!;
  const noPixels = row.newRecord({ value: new Struct(row.valueSchema!).put('id', 1).put('label', 1) });
  assert.throws(() => t.apply(noPixels), /column 'pixels' .* must be bytes, found: null/);
});
