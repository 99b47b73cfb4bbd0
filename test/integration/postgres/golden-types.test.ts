/**
 * Golden JsonConverter (schemas.enable=true) bytes per type family of specs/debezium-postgres.md §3: one
 * table per family; the row read by the snapshot and the same row streamed give the expected `after` field
 * schema and payload, byte for byte (field order as Kafka's JsonConverter writes it); then an update and a
 * delete of the streamed row.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRecord } from '../../../src/connect/data/index.js';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, payload, pollN, sql, startTask } from './harness.js';

let pgc: PostgresCluster;
const json = new JsonConverter();
json.configure({ 'schemas.enable': 'true' }, false);

/** The `after` field schema and payload exactly as the converter writes them (re-serialised in its order). */
function afterBytes(r: SourceRecord): { schema: string; payload: string } {
  const v = JSON.parse(json.fromConnectData(r.topic, r.valueSchema, r.value)!.toString('utf8')) as { schema: { fields: unknown[] }; payload: { after: Record<string, unknown> } };
  const { id: _id, ...rest } = v.payload.after;
  return { schema: JSON.stringify(v.schema.fields[1]), payload: JSON.stringify(rest) };
}

const f = (type: string, field: string, extra = ''): string => `{"type":"${type}","optional":true${extra},"field":"${field}"}`;
const named = (type: string, field: string, name: string, extra = ''): string => f(type, field, `,"name":"${name}","version":1${extra}`);

interface Family {
  table: string;
  columns: string;
  values: string;
  update: string;
  schemaFields: string[];
  payload: string;
}

const FAMILIES: Family[] = [
  {
    table: 'g_numeric',
    columns: 's smallint, i int, b bigint, r real, d double precision, n numeric(5,2), v numeric, m money, bo boolean',
    values: "1, 2, 3000000000, 1.5, 2.25, 123.45, 10.1111, '$1234.11', true",
    update: 'i = 7',
    schemaFields: [
      f('int16', 's'), f('int32', 'i'), f('int64', 'b'), f('float', 'r'), f('double', 'd'),
      named('bytes', 'n', 'org.apache.kafka.connect.data.Decimal', ',"parameters":{"scale":"2","connect.decimal.precision":"5"}'),
      '{"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},{"type":"bytes","optional":false,"field":"value"}],"optional":true,"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal","field":"v"}',
      named('bytes', 'm', 'org.apache.kafka.connect.data.Decimal', ',"parameters":{"scale":"2"}'),
      f('boolean', 'bo'),
    ],
    payload: '{"s":1,"i":2,"b":3000000000,"r":1.5,"d":2.25,"n":"MDk=","v":{"scale":4,"value":"AYr3"},"m":"AeIT","bo":true}',
  },
  {
    table: 'g_temporal',
    columns: 'd date, t time, t3 time(3), ts timestamp, ts3 timestamp(3), tz timestamptz, ttz timetz, iv interval',
    values: "'2017-09-15', '04:05:06.789', '04:05:06.789', '2018-06-20 15:13:16.945104', '2018-06-20 15:13:16.945', '2016-11-04 13:51:30.123456+02', '13:51:30.123789+02', '1 year 2 mons 3 days 04:05:06.78'",
    update: "d = '2017-09-16'",
    schemaFields: [
      named('int32', 'd', 'io.debezium.time.Date'), named('int64', 't', 'io.debezium.time.MicroTime'), named('int32', 't3', 'io.debezium.time.Time'),
      named('int64', 'ts', 'io.debezium.time.MicroTimestamp'), named('int64', 'ts3', 'io.debezium.time.Timestamp'),
      named('string', 'tz', 'io.debezium.time.ZonedTimestamp'), named('string', 'ttz', 'io.debezium.time.ZonedTime'),
      named('int64', 'iv', 'io.debezium.time.MicroDuration'),
    ],
    payload: '{"d":17424,"t":14706789000,"t3":14706789,"ts":1529507596945104,"ts3":1529507596945,"tz":"2016-11-04T11:51:30.123456Z","ttz":"11:51:30.123789Z","iv":37091106780000}',
  },
  {
    table: 'g_text',
    columns: 'c char(3), vc varchar(10), t text, j json, jb jsonb, x xml, u uuid, ip inet, mac macaddr, r int4range, e g_mood',
    values: "'ab', 'v', 'text', '{\"a\": 1}', '{\"bar\":\"baz\"}', '<a>1</a>', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '192.168.2.0/12', '08:00:2b:01:02:03', '[1000,6000)', 'happy'",
    update: "t = 'changed'",
    schemaFields: [
      f('string', 'c'), f('string', 'vc'), f('string', 't'), named('string', 'j', 'io.debezium.data.Json'), named('string', 'jb', 'io.debezium.data.Json'),
      named('string', 'x', 'io.debezium.data.Xml'), named('string', 'u', 'io.debezium.data.Uuid'), f('string', 'ip'), f('string', 'mac'), f('string', 'r'),
      named('string', 'e', 'io.debezium.data.Enum', ',"parameters":{"allowed":"sad,ok,happy"}'),
    ],
    payload: '{"c":"ab ","vc":"v","t":"text","j":"{\\"a\\": 1}","jb":"{\\"bar\\": \\"baz\\"}","x":"<a>1</a>","u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","ip":"192.168.2.0/12","mac":"08:00:2b:01:02:03","r":"[1000,6000)","e":"happy"}',
  },
  {
    table: 'g_binary',
    columns: 'bits bit(3), one bit(1), vb varbit(8), ba bytea, ia int[], ta text[], na numeric[]',
    values: "B'101', B'1', B'11', '\\x010203', '{1,2,3}', '{a,NULL}', '{1.1,2.22}'",
    update: "ia = '{4}'",
    schemaFields: [
      named('bytes', 'bits', 'io.debezium.data.Bits', ',"parameters":{"length":"3"}'), f('boolean', 'one'),
      named('bytes', 'vb', 'io.debezium.data.Bits', ',"parameters":{"length":"8"}'), f('bytes', 'ba'),
      '{"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"ia"}',
      '{"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"ta"}',
      '{"type":"array","items":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},{"type":"bytes","optional":false,"field":"value"}],"optional":true,"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal"},"optional":true,"field":"na"}',
    ],
    payload: '{"bits":"BQ==","one":true,"vb":"Aw==","ba":"AQID","ia":[1,2,3],"ta":["a",null],"na":[{"scale":1,"value":"Cw=="},{"scale":2,"value":"AN4="}]}',
  },
];

describe('golden JsonConverter bytes per type family (snapshot and stream)', () => {
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, "CREATE TYPE g_mood AS ENUM ('sad', 'ok', 'happy')");
    for (const fam of FAMILIES) {
      await sql(pgc, `CREATE TABLE ${fam.table}(id int PRIMARY KEY, ${fam.columns}); INSERT INTO ${fam.table} VALUES (1, ${fam.values})`);
    }
  });
  after(async () => {
    await pgc?.stop();
  });

  test('every family: snapshot row, streamed insert, update and delete', async () => {
    const task = await startTask({
      name: 'golden', 'database.hostname': pgc.host, 'database.port': String(pgc.port), 'database.user': 'postgres', 'database.password': 'postgres',
      'database.dbname': 'postgres', 'topic.prefix': 'g', 'table.include.list': 'public.g_.*', 'poll.interval.ms': '50',
    }, new MemoryOffsets());
    try {
      const snap = await pollN(task, FAMILIES.length);
      for (const fam of FAMILIES) {
        await sql(pgc, `INSERT INTO ${fam.table} VALUES (2, ${fam.values})`);
        await sql(pgc, `UPDATE ${fam.table} SET ${fam.update} WHERE id = 2`);
        await sql(pgc, `DELETE FROM ${fam.table} WHERE id = 2`);
      }
      const stream = await pollN(task, FAMILIES.length * 4);
      for (const [i, fam] of FAMILIES.entries()) {
        const expectedSchema = `{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},${fam.schemaFields.join(',')}],"optional":true,"name":"g.public.${fam.table}.Value","field":"after"}`;
        const r = snap.find((s) => s.topic === `g.public.${fam.table}`)!;
        assert.equal(payload(r).op, 'r');
        const fromSnapshot = afterBytes(r);
        assert.equal(fromSnapshot.schema, expectedSchema, `${fam.table}: schema`);
        assert.equal(fromSnapshot.payload, fam.payload, `${fam.table}: snapshot payload`);
        const [c, u, d, tomb] = stream.slice(i * 4, i * 4 + 4);
        assert.equal(c!.topic, `g.public.${fam.table}`);
        assert.equal(payload(c!).op, 'c');
        assert.deepEqual(afterBytes(c!), fromSnapshot, `${fam.table}: the streamed row is byte-identical to the snapshot row`);
        assert.equal(payload(u!).op, 'u');
        assert.equal(payload(u!).before, null);
        assert.notEqual(afterBytes(u!).payload, fam.payload, `${fam.table}: update changed the row`);
        assert.equal(payload(d!).op, 'd');
        const before = payload(d!).before as Record<string, unknown>;
        assert.equal(before.id, 2);
        assert.ok(Object.entries(before).every(([k, v]) => k === 'id' || v === null), `${fam.table}: only the key in a DEFAULT-identity delete`);
        assert.equal(tomb!.value, null);
      }
    } finally {
      await task.stop();
    }
  });
});
