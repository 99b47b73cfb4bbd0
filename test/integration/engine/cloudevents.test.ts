/**
 * The `cloudevents` format against a real PostgreSQL: every change event is a CloudEvents 1.0 structured JSON
 * event (required attributes checked with ajv against the spec's rules), with Debezium's id, source, type,
 * time, iodebezium* extension attributes and data.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { createEngine, type ChangeEvent } from '../../../src/engine/index.js';
import { engineProps, sql, waitFor } from './helpers.js';

// ajv-formats is CommonJS: its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The required context attributes of the CloudEvents 1.0 JSON format, and the optional ones Debezium sets. */
const CLOUDEVENT_SCHEMA = {
  type: 'object',
  required: ['id', 'source', 'specversion', 'type'],
  properties: {
    id: { type: 'string', minLength: 1 },
    source: { type: 'string', minLength: 1, format: 'uri-reference' },
    specversion: { const: '1.0' },
    type: { type: 'string', minLength: 1 },
    datacontenttype: { type: 'string', minLength: 1 },
    time: { type: 'string', format: 'date-time' },
    data: {},
  },
};

describe('CloudEvents format', () => {
  let pgc: PostgresCluster;
  before(async () => {
    pgc = await startPostgres();
  });
  after(async () => {
    await pgc?.stop();
  });

  test('snapshot and streamed changes are valid CloudEvents with Debezium attributes', async () => {
    await sql(pgc, 'CREATE TABLE ce(id int PRIMARY KEY, name text)');
    await sql(pgc, "INSERT INTO ce VALUES (1, 'one')");
    const events: ChangeEvent<string>[] = [];
    const engine = createEngine({
      properties: engineProps(pgc, 'cedb', 'ce'),
      format: 'cloudevents',
      recordHandler: (e) => void events.push(e),
    });
    await engine.start();
    try {
      await waitFor(() => events.length >= 1, 'snapshot event');
      await sql(pgc, "INSERT INTO ce VALUES (2, 'two')");
      await sql(pgc, 'DELETE FROM ce WHERE id = 1');
      await waitFor(() => events.length >= 4, 'streamed events'); // c, d and the delete's tombstone
    } finally {
      await engine.stop();
    }

    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(CLOUDEVENT_SCHEMA);
    const values = events.filter((e) => e.value !== null).map((e) => JSON.parse(e.value!) as Record<string, unknown>);
    assert.equal(values.length, 3, 'the tombstone has no CloudEvent');
    for (const v of values) assert.ok(validate(v), JSON.stringify(validate.errors));

    const [snap, insert, del] = values as Record<string, any>[];
    assert.deepEqual(values.map((v) => v.iodebeziumop), ['r', 'c', 'd']);
    assert.equal(insert.source, '/debezium/postgresql/cedb');
    assert.equal(insert.type, 'io.debezium.connector.postgresql.DataChangeEvent');
    assert.equal(insert.datacontenttype, 'application/json');
    assert.match(insert.id, /^name:cedb;lsn:\d+;txId:\d+;sequence:\[(null|"\d+"),"\d+"\]$/);
    assert.equal(insert.iodebeziumname, 'cedb');
    assert.equal(insert.iodebeziumconnector, 'postgresql');
    assert.equal(insert.iodebeziumtable, 'ce');
    assert.equal(insert.iodebeziumschema, 'public');
    assert.equal(insert.iodebeziumsnapshot, 'false');
    assert.equal(snap.iodebeziumsnapshot, 'last');
    assert.equal(typeof insert.iodebeziumlsn, 'string', 'int64 attributes are strings');
    assert.equal(new Date(insert.time).getTime(), Number(insert.iodebeziumtsms));
    // Attribute order as Debezium writes it.
    const keys = Object.keys(insert);
    assert.deepEqual(keys.slice(0, 7), ['id', 'source', 'specversion', 'type', 'time', 'datacontenttype', 'iodebeziumop']);
    assert.deepEqual(keys.slice(-4), ['iodebeziumtxid', 'iodebeziumtxtotalorder', 'iodebeziumtxdatacollectionorder', 'data']);
    // data: JsonConverter with schemas of {before, after}.
    assert.equal(insert.data.schema.name, 'io.debezium.connector.postgresql.Data');
    assert.deepEqual(insert.data.schema.fields.map((f: { field: string }) => f.field), ['before', 'after']);
    assert.deepEqual(insert.data.payload, { before: null, after: { id: 2, name: 'two' } });
    assert.deepEqual(del.data.payload.after, null);
    // The key is the JsonConverter's.
    assert.deepEqual(JSON.parse(events[1]!.key!), { schema: { type: 'struct', fields: [{ type: 'int32', optional: false, field: 'id' }], optional: false, name: 'cedb.public.ce.Key' }, payload: { id: 2 } });
  });

  test('converter.json.schemas.enable=false writes data without the schema', async () => {
    await sql(pgc, 'CREATE TABLE ce2(id int PRIMARY KEY)');
    const events: ChangeEvent<string>[] = [];
    const engine = createEngine({
      properties: engineProps(pgc, 'cedb2', 'ce2', { 'value.converter.json.schemas.enable': false }),
      format: 'cloudevents',
      recordHandler: (e) => void events.push(e),
    });
    await engine.start();
    try {
      await sql(pgc, 'INSERT INTO ce2 VALUES (7)');
      await waitFor(() => events.length >= 1, 'event');
    } finally {
      await engine.stop();
    }
    assert.deepEqual((JSON.parse(events[0]!.value!) as { data: unknown }).data, { before: null, after: { id: 7 } });
  });
});
