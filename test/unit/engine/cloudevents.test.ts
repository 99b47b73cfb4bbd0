import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Schema, SchemaBuilder, Struct } from '../../../src/connect/data/index.js';
import { SourceInfoBuilder } from '../../../src/connectors/postgres/source-info.js';
import { TRANSACTION_BLOCK_SCHEMA } from '../../../src/connectors/postgres/table-schema.js';
import { SOURCE_SCHEMA } from '../../../src/connectors/postgres/source-info.js';
import { CloudEventsConverter, extensionName } from '../../../src/engine/cloudevents.js';

const ROW = SchemaBuilder.struct().name('db.public.t.Value').optional().field('id', Schema.INT32_SCHEMA).field('name', Schema.OPTIONAL_STRING_SCHEMA).build();
const ENVELOPE = SchemaBuilder.struct().name('db.public.t.Envelope').version(2)
  .field('before', ROW).field('after', ROW).field('source', SOURCE_SCHEMA).field('transaction', TRANSACTION_BLOCK_SCHEMA)
  .field('op', Schema.STRING_SCHEMA).field('ts_ms', Schema.OPTIONAL_INT64_SCHEMA).build();

function event(tx: Struct | null): Struct {
  const source = new SourceInfoBuilder('db', 'postgres').build({
    tsUs: 1_700_000_000_123_456, snapshot: null, schema: 'public', table: 't', txId: 742, lsn: 23_000_000, lastCommitLsn: 22_999_000, origin: null, originLsn: null,
  });
  const after = new Struct(ROW).put('id', 5).put('name', 'x"y');
  return new Struct(ENVELOPE).put('before', null).put('after', after).put('source', source).put('transaction', tx).put('op', 'c').put('ts_ms', 1_700_000_000_200);
}

function convert(configs: Record<string, string>, value: Struct): Record<string, unknown> {
  const c = new CloudEventsConverter();
  c.configure(configs, false);
  return JSON.parse(c.fromConnectData('db.public.t', ENVELOPE, value)!.toString('utf8')) as Record<string, unknown>;
}

describe('CloudEventsConverter', () => {
  test('extension attribute names keep ASCII letters and digits only', () => {
    assert.equal(extensionName('ts_ms'), 'iodebeziumtsms');
    assert.equal(extensionName('txId'), 'iodebeziumtxId');
    assert.equal(extensionName('origin_lsn'), 'iodebeziumoriginlsn');
  });

  test('structured JSON: context attributes, every source field, transaction block, data with schema', () => {
    const ce = convert({}, event(null));
    assert.deepEqual(Object.keys(ce), [
      'id', 'source', 'specversion', 'type', 'time', 'datacontenttype', 'iodebeziumop',
      'iodebeziumversion', 'iodebeziumconnector', 'iodebeziumname', 'iodebeziumtsms', 'iodebeziumsnapshot', 'iodebeziumdb',
      'iodebeziumsequence', 'iodebeziumtsus', 'iodebeziumtsns', 'iodebeziumschema', 'iodebeziumtable', 'iodebeziumtxId',
      'iodebeziumlsn', 'iodebeziumxmin', 'iodebeziumorigin', 'iodebeziumoriginlsn',
      'iodebeziumtxid', 'iodebeziumtxtotalorder', 'iodebeziumtxdatacollectionorder', 'data',
    ]);
    assert.equal(ce.id, 'name:db;lsn:23000000;txId:742;sequence:["22999000","23000000"]');
    assert.equal(ce.source, '/debezium/postgresql/db');
    assert.equal(ce.specversion, '1.0');
    assert.equal(ce.type, 'io.debezium.connector.postgresql.DataChangeEvent');
    assert.equal(ce.time, '2023-11-14T22:13:20.123Z');
    assert.equal(ce.datacontenttype, 'application/json');
    assert.equal(ce.iodebeziumop, 'c');
    assert.equal(ce.iodebeziumtsms, '1700000000123', 'int64 as string');
    assert.equal(ce.iodebeziumsnapshot, 'false', 'the field default applies');
    assert.equal(ce.iodebeziumxmin, null);
    assert.equal(ce.iodebeziumtxid, null);
    const data = ce.data as { schema: { name: string; fields: { field: string }[] }; payload: unknown };
    assert.equal(data.schema.name, 'io.debezium.connector.postgresql.Data');
    assert.deepEqual(data.schema.fields.map((f) => f.field), ['before', 'after']);
    assert.deepEqual(data.payload, { before: null, after: { id: 5, name: 'x"y' } });
  });

  test('transaction block values, json.schemas.enable=false, extension.attributes.enable=false', () => {
    const tx = new Struct(TRANSACTION_BLOCK_SCHEMA).put('id', '742:23000000').put('total_order', 3).put('data_collection_order', 2);
    const ce = convert({ 'json.schemas.enable': 'false' }, event(tx));
    assert.equal(ce.iodebeziumtxid, '742:23000000');
    assert.equal(ce.iodebeziumtxtotalorder, '3');
    assert.equal(ce.iodebeziumtxdatacollectionorder, '2');
    assert.deepEqual(ce.data, { before: null, after: { id: 5, name: 'x"y' } });
    const plain = convert({ 'extension.attributes.enable': 'false' }, event(tx));
    assert.deepEqual(Object.keys(plain), ['id', 'source', 'specversion', 'type', 'time', 'datacontenttype', 'data']);
  });

  test('records that are not change events convert to null; avro is refused', () => {
    const c = new CloudEventsConverter();
    c.configure({}, false);
    const heartbeat = SchemaBuilder.struct().name('io.debezium.connector.common.Heartbeat').field('ts_ms', Schema.INT64_SCHEMA).build();
    assert.equal(c.fromConnectData('t', heartbeat, new Struct(heartbeat).put('ts_ms', 1)), null);
    assert.equal(c.fromConnectData('t', ENVELOPE, null), null);
    assert.throws(() => new CloudEventsConverter().configure({ 'cloudevents.serializer.type': 'avro' }, false), /cloudevents.serializer.type/);
  });
});
