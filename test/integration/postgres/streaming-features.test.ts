/**
 * Streaming features against the throwaway cluster, one task (own slot, publication and topic prefix) per
 * test: heartbeats, transaction metadata, logical decoding messages, truncates, primary-key changes,
 * REPLICA IDENTITY variants, unchanged TOAST values, tombstones, key and column filters, unknown types and
 * snapshot SELECT overrides, slot xmin tracking (specs/debezium-postgres.md §1, §3.8, §4).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRecord, Struct } from '../../../src/connect/data/index.js';
import type { PostgresSourceTask } from '../../../src/connectors/postgres/task.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, asJson, commitRecords, confirmedFlush, payload, pollFor, pollN, sql, startTask, taskConfig } from './harness.js';

let pgc: PostgresCluster;

function config(prefix: string, tables: string, extra: Record<string, string> = {}): Record<string, string> {
  return taskConfig(pgc, prefix, tables, { 'slot.drop.on.stop': 'true', 'snapshot.mode': 'no_data', ...extra });
}

async function withTask(cfg: Record<string, string>, fn: (task: PostgresSourceTask, offsets: MemoryOffsets) => Promise<void>): Promise<void> {
  const offsets = new MemoryOffsets();
  const task = await startTask(cfg, offsets);
  try {
    await fn(task, offsets);
  } finally {
    await task.stop();
  }
}

const kind = (r: SourceRecord): string => (r.value === null ? 'tombstone' : String((r.value as Struct).get('op') ?? (r.value as Struct).get('status')));
const after_ = (r: SourceRecord) => payload(r).after as Record<string, unknown> | null;
const before_ = (r: SourceRecord) => payload(r).before as Record<string, unknown> | null;

describe('PostgreSQL streaming features', () => {
  before(async () => {
    pgc = await startPostgres();
  });
  after(async () => {
    await pgc?.stop();
  });

  test('heartbeats: topic, key, partition 0, current offset; action query runs; committing one advances the slot', async () => {
    await sql(pgc, 'CREATE TABLE hb_data(id int PRIMARY KEY); CREATE TABLE hb_beats(id serial PRIMARY KEY, at timestamptz DEFAULT now())');
    const cfg = config('hb', 'public.hb_data', { 'heartbeat.interval.ms': '200', 'heartbeat.action.query': 'INSERT INTO hb_beats DEFAULT VALUES', 'slot.drop.on.stop': 'false' });
    await withTask(cfg, async (task, offsets) => {
      await sql(pgc, 'INSERT INTO hb_data VALUES (1)');
      const [c] = await pollN(task, 1);
      assert.equal(payload(c!).op, 'c');
      await commitRecords(task, [c!], offsets);
      const beats: SourceRecord[] = [];
      const deadline = Date.now() + 10_000;
      while (beats.length < 3 && Date.now() < deadline) {
        for (const r of (await task.poll()) ?? []) if (r.topic.startsWith('__debezium-heartbeat')) beats.push(r);
      }
      assert.ok(beats.length >= 3, `expected heartbeats, got ${beats.length}`);
      const hb = beats.at(-1)!;
      assert.equal(hb.topic, '__debezium-heartbeat.hb');
      assert.equal(hb.kafkaPartition, 0);
      const j = asJson(hb);
      assert.deepEqual(j.key, {
        schema: { type: 'struct', fields: [{ type: 'string', optional: false, field: 'serverName' }], optional: false, name: 'io.debezium.connector.common.ServerNameKey', version: 1 },
        payload: { serverName: 'hb' },
      });
      const v = j.value as { schema: Record<string, unknown>; payload: { ts_ms: number } };
      assert.deepEqual(v.schema, { type: 'struct', fields: [{ type: 'int64', optional: false, field: 'ts_ms' }], optional: false, name: 'io.debezium.connector.common.Heartbeat', version: 1 });
      assert.ok(Math.abs(v.payload.ts_ms - Date.now()) < 60_000);
      assert.deepEqual(hb.sourcePartition, { server: 'hb' });
      // The action query wrote rows to a non-captured table: the heartbeat's offset moved past the data change.
      const n = Number((await sql(pgc, 'SELECT count(*) AS n FROM hb_beats')).rows[0].n);
      assert.ok(n >= 2, `action query ran ${n} times`);
      const hbLsn = Number(hb.sourceOffset!.lsn_commit);
      assert.ok(hbLsn > Number(c!.sourceOffset!.lsn), 'heartbeat offset is past the last data change');
      await commitRecords(task, [hb], offsets);
      let cf = 0;
      while (Date.now() < deadline + 10_000 && cf < hbLsn) {
        await task.poll();
        cf = (await confirmedFlush(pgc, 'hb_slot')) ?? 0;
      }
      assert.ok(cf >= hbLsn, 'committing a heartbeat moves confirmed_flush_lsn although only a non-captured table changed');
    });
    await sql(pgc, "SELECT pg_drop_replication_slot('hb_slot')");
  });

  test('provide.transaction.metadata: BEGIN, data events with transaction blocks, END with counts', async () => {
    await sql(pgc, 'CREATE TABLE tx_a(id int PRIMARY KEY); CREATE TABLE tx_b(id int PRIMARY KEY)');
    await withTask(config('txm', 'public.tx_.*', { 'provide.transaction.metadata': 'true' }), async (task) => {
      await sql(pgc, 'BEGIN; INSERT INTO tx_a VALUES (1); INSERT INTO tx_b VALUES (1); INSERT INTO tx_a VALUES (2); COMMIT');
      const recs = await pollN(task, 5);
      assert.deepEqual(recs.map((r) => r.topic), ['txm.transaction', 'txm.public.tx_a', 'txm.public.tx_b', 'txm.public.tx_a', 'txm.transaction']);
      const begin = asJson(recs[0]!);
      const end = asJson(recs[4]!);
      const xid = (payload(recs[1]!).source as { txId: number }).txId;
      const bv = (begin.value as { schema: { name: string; fields: { field: string }[] }; payload: Record<string, unknown> });
      assert.equal(bv.schema.name, 'io.debezium.connector.common.TransactionMetadataValue');
      assert.deepEqual(bv.schema.fields.map((f) => f.field), ['status', 'id', 'event_count', 'data_collections', 'ts_ms']);
      assert.equal(bv.payload.status, 'BEGIN');
      assert.match(String(bv.payload.id), new RegExp(`^${xid}:\\d+$`));
      assert.equal(bv.payload.event_count, null);
      assert.equal(bv.payload.data_collections, null);
      assert.deepEqual((begin.key as { payload: unknown }).payload, { id: bv.payload.id });
      const ep = (end.value as { payload: Record<string, unknown> }).payload;
      assert.equal(ep.status, 'END');
      assert.match(String(ep.id), new RegExp(`^${xid}:\\d+$`));
      assert.notEqual(ep.id, bv.payload.id, 'BEGIN and END ids carry their own LSNs');
      assert.equal(ep.event_count, 3);
      assert.deepEqual(ep.data_collections, [
        { data_collection: 'public.tx_a', event_count: 2 },
        { data_collection: 'public.tx_b', event_count: 1 },
      ]);
      assert.equal(ep.ts_ms, bv.payload.ts_ms);
      const blocks = recs.slice(1, 4).map((r) => payload(r).transaction as Record<string, unknown>);
      assert.deepEqual(blocks.map((b) => [b.total_order, b.data_collection_order]), [[1, 1], [2, 1], [3, 2]]);
      for (const [i, b] of blocks.entries()) assert.equal(b.id, `${xid}:${(payload(recs[i + 1]!).source as { lsn: number }).lsn}`);
    });
  });

  test('logical decoding messages: transactional and not, prefix filter, MessageValue shape', async () => {
    await withTask(config('msg', 'public.none', { 'message.prefix.exclude.list': 'skip.*' }), async (task) => {
      await sql(pgc, "BEGIN; SELECT pg_logical_emit_message(true, 'orders', 'hello'); SELECT pg_logical_emit_message(true, 'skipme', 'x'); COMMIT");
      await sql(pgc, "SELECT pg_logical_emit_message(false, 'audit', '\\x0102'::bytea)");
      const [m1, m2] = await pollN(task, 2);
      assert.equal(m1!.topic, 'msg.message');
      const j = asJson(m1!);
      assert.deepEqual(j.key, {
        schema: { type: 'struct', fields: [{ type: 'string', optional: true, field: 'prefix' }], optional: false, name: 'io.debezium.connector.postgresql.MessageKey', version: 1 },
        payload: { prefix: 'orders' },
      });
      const v = j.value as { schema: { name: string; fields: { field: string; name?: string; fields?: unknown[] }[] }; payload: Record<string, unknown> };
      assert.equal(v.schema.name, 'io.debezium.connector.postgresql.MessageValue');
      assert.deepEqual(v.schema.fields.map((f) => f.field), ['op', 'ts_ms', 'source', 'transaction', 'message']);
      assert.deepEqual(v.schema.fields[4], {
        type: 'struct', optional: false, name: 'io.debezium.connector.postgresql.Message', version: 1, field: 'message',
        fields: [{ type: 'string', optional: true, field: 'prefix' }, { type: 'bytes', optional: true, field: 'content' }],
      });
      assert.equal(v.payload.op, 'm');
      assert.deepEqual(v.payload.message, { prefix: 'orders', content: Buffer.from('hello').toString('base64') });
      const s1 = v.payload.source as Record<string, unknown>;
      assert.equal(s1.schema, '');
      assert.equal(s1.table, '');
      assert.equal(typeof s1.txId, 'number');
      const p2 = (asJson(m2!).value as { payload: Record<string, unknown> }).payload;
      assert.deepEqual(p2.message, { prefix: 'audit', content: Buffer.from([1, 2]).toString('base64') });
      assert.equal((p2.source as Record<string, unknown>).txId, null);
      assert.equal(m2!.sourceOffset!.lsn_commit, m2!.sourceOffset!.lsn, 'a non-transactional message commits at its own LSN');
      assert.equal((await pollFor(task, 300)).length, 0, 'the excluded prefix is not emitted');
    });
  });

  test('xmin.fetch.interval.ms: source.xmin and the offset carry the slot\'s catalog_xmin; off by default', async () => {
    await sql(pgc, 'CREATE TABLE xm_t(id int PRIMARY KEY)');
    const slotXmin = async (slot: string) => Number(((await sql(pgc, 'SELECT catalog_xmin::text AS x FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0] as { x: string }).x);
    await withTask(config('xm', 'public.xm_t', { 'xmin.fetch.interval.ms': '100' }), async (task) => {
      await sql(pgc, 'INSERT INTO xm_t VALUES (1)');
      const [r] = await pollN(task, 1);
      const expected = await slotXmin('xm_slot');
      assert.ok(expected > 0);
      assert.equal((payload(r!).source as { xmin: number }).xmin, expected);
      assert.equal(r!.sourceOffset!.xmin, expected);
    });
    await withTask(config('xn', 'public.xm_t'), async (task) => {
      await sql(pgc, 'INSERT INTO xm_t VALUES (2)');
      const [r] = await pollN(task, 1);
      assert.equal((payload(r!).source as { xmin: number | null }).xmin, null);
      assert.equal('xmin' in r!.sourceOffset!, false);
    });
  });

  test('event.processing.failure.handling.mode: a NaN numeric under precise mode fails the task naming its offset, or is skipped', async () => {
    await sql(pgc, 'CREATE TABLE ef_t(id int PRIMARY KEY, n numeric(10,2))');
    await withTask(config('efw', 'public.ef_t', { 'event.processing.failure.handling.mode': 'warn' }), async (task) => {
      await sql(pgc, "INSERT INTO ef_t VALUES (1, 'NaN'); INSERT INTO ef_t VALUES (2, 1.5)");
      const got = [...(await pollN(task, 1)), ...(await pollFor(task, 300))];
      assert.deepEqual(got.map((r) => (after_(r) as { id: number }).id), [2], 'the NaN row is skipped, the next one emitted');
    });
    await withTask(config('eff', 'public.ef_t'), async (task) => {
      await sql(pgc, "INSERT INTO ef_t VALUES (3, 'NaN')");
      const failed = async () => {
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) await task.poll();
      };
      await assert.rejects(failed(), /Error while processing event at offset \{"lsn_proc":\d+,"messageType":"INSERT".*Column public\.ef_t\.n: numeric value NaN cannot be represented/);
    });
  });

  test('truncates are skipped by default and emitted with skipped.operations=none', async () => {
    await sql(pgc, 'CREATE TABLE tr_t(id int PRIMARY KEY); INSERT INTO tr_t VALUES (1)');
    await withTask(config('trd', 'public.tr_t'), async (task) => {
      await sql(pgc, 'TRUNCATE tr_t');
      await sql(pgc, 'INSERT INTO tr_t VALUES (2)');
      const recs = await pollN(task, 1);
      assert.deepEqual(recs.map(kind), ['c']);
      assert.equal((await pollFor(task, 200)).length, 0);
    });
    await withTask(config('trn', 'public.tr_t', { 'skipped.operations': 'none' }), async (task) => {
      await sql(pgc, 'TRUNCATE tr_t');
      await sql(pgc, 'INSERT INTO tr_t VALUES (3)');
      const [t, c] = await pollN(task, 2);
      assert.equal(kind(t!), 't');
      assert.equal(t!.topic, 'trn.public.tr_t');
      assert.equal(t!.key, null);
      assert.equal(t!.keySchema, null);
      const p = payload(t!);
      assert.equal(p.before, null);
      assert.equal(p.after, null);
      assert.equal((p.source as Record<string, unknown>).snapshot, 'false');
      assert.equal(t!.sourceOffset!.messageType, 'TRUNCATE');
      assert.equal(kind(c!), 'c');
    });
  });

  test('primary-key change: delete + tombstone under the old key, create under the new, with key headers', async () => {
    await sql(pgc, 'CREATE TABLE pk_t(id int PRIMARY KEY, v text NOT NULL, w int)');
    await withTask(config('pk', 'public.pk_t'), async (task) => {
      await sql(pgc, "INSERT INTO pk_t VALUES (1, 'a', 7)");
      await sql(pgc, 'UPDATE pk_t SET id = 2 WHERE id = 1');
      const [, d, tomb, c] = await pollN(task, 4);
      assert.deepEqual([d, tomb, c].map((r) => kind(r!)), ['d', 'tombstone', 'c']);
      assert.deepEqual(asJson(d!).key, asJson(tomb!).key);
      assert.deepEqual((asJson(d!).key as { payload: unknown }).payload, { id: 1 });
      assert.deepEqual((asJson(c!).key as { payload: unknown }).payload, { id: 2 });
      // Under DEFAULT identity the old tuple holds the key only: NOT NULL columns get their fallback.
      assert.deepEqual(before_(d!), { id: 1, v: '', w: null });
      assert.equal(after_(d!), null);
      assert.deepEqual(after_(c!), { id: 2, v: 'a', w: 7 });
      assert.equal(before_(c!), null);
      const header = (r: SourceRecord, name: string) => r.headers.lastWithName(name);
      const nk = header(d!, '__debezium.newkey')!;
      assert.equal((nk.value as Struct).get('id'), 2);
      assert.equal(nk.schema, d!.keySchema);
      assert.equal((header(tomb!, '__debezium.newkey')!.value as Struct).get('id'), 2);
      assert.equal(header(d!, '__debezium.oldkey'), undefined);
      assert.equal((header(c!, '__debezium.oldkey')!.value as Struct).get('id'), 1);
      assert.equal(header(c!, '__debezium.newkey'), undefined);
      assert.deepEqual(d!.sourceOffset, c!.sourceOffset);
    });
  });

  test('REPLICA IDENTITY FULL, USING INDEX and NOTHING', async () => {
    await sql(pgc, `CREATE TABLE ri_full(id int PRIMARY KEY, a text, b int);
      ALTER TABLE ri_full REPLICA IDENTITY FULL;
      CREATE TABLE ri_idx(a int NOT NULL, b text NOT NULL, c int);
      CREATE UNIQUE INDEX ri_idx_a ON ri_idx(a);
      ALTER TABLE ri_idx REPLICA IDENTITY USING INDEX ri_idx_a;
      CREATE TABLE ri_none(id int PRIMARY KEY, a text);
      ALTER TABLE ri_none REPLICA IDENTITY NOTHING;`);
    await withTask(config('ri', 'public.ri_.*'), async (task) => {
      await sql(pgc, "INSERT INTO ri_full VALUES (1, 'x', 1)");
      await sql(pgc, 'UPDATE ri_full SET b = 2');
      await sql(pgc, 'DELETE FROM ri_full');
      const [, u, d] = await pollN(task, 4);
      assert.deepEqual(before_(u!), { id: 1, a: 'x', b: 1 });
      assert.deepEqual(after_(u!), { id: 1, a: 'x', b: 2 });
      assert.deepEqual(before_(d!), { id: 1, a: 'x', b: 2 });

      await sql(pgc, "INSERT INTO ri_idx VALUES (1, 'y', 5)");
      await sql(pgc, "UPDATE ri_idx SET b = 'z'");
      await sql(pgc, 'DELETE FROM ri_idx');
      const [ic, iu, id_, itomb] = await pollN(task, 4);
      assert.equal(ic!.topic, 'ri.public.ri_idx');
      assert.deepEqual((asJson(ic!).key as { payload: unknown }).payload, { a: 1 }, 'the unique index is the key');
      assert.equal(before_(iu!), null, 'index columns unchanged: no old tuple');
      assert.deepEqual(before_(id_!), { a: 1, b: '', c: null });
      assert.equal(kind(itomb!), 'tombstone');

      await sql(pgc, "INSERT INTO ri_none VALUES (1, 'n')");
      await assert.rejects(sql(pgc, "UPDATE ri_none SET a = 'm'"), /does not have a replica identity/);
      const [nc] = await pollN(task, 1);
      assert.equal(kind(nc!), 'c');
      assert.deepEqual(after_(nc!), { id: 1, a: 'n' });
    });
  });

  test('unchanged TOAST values: placeholder under DEFAULT identity, the real value under FULL', async () => {
    await sql(pgc, 'CREATE TABLE toast_t(id int PRIMARY KEY, big text, tags text[], blob bytea, n int); ALTER TABLE toast_t ALTER big SET STORAGE EXTERNAL, ALTER tags SET STORAGE EXTERNAL, ALTER blob SET STORAGE EXTERNAL');
    const big = 'x'.repeat(20_000);
    await withTask(config('toast', 'public.toast_t'), async (task) => {
      await sql(pgc, `INSERT INTO toast_t VALUES (1, '${big}', ARRAY['${big}'], convert_to('${big}', 'UTF8'), 1)`);
      await sql(pgc, 'UPDATE toast_t SET n = 2');
      const [c, u] = await pollN(task, 2);
      assert.equal((after_(c!)!.big as string).length, 20_000);
      assert.deepEqual(after_(u!), {
        id: 1, big: '__debezium_unavailable_value', tags: ['__debezium_unavailable_value'],
        blob: Buffer.from('__debezium_unavailable_value').toString('base64'), n: 2,
      });
      await sql(pgc, 'ALTER TABLE toast_t REPLICA IDENTITY FULL');
      await sql(pgc, 'UPDATE toast_t SET n = 3');
      const [f] = await pollN(task, 1);
      assert.equal(after_(f!)!.big, big);
      assert.equal(before_(f!)!.big, big);
      assert.equal(after_(f!)!.n, 3);
    });
  });

  test('tombstones.on.delete=false emits the delete alone', async () => {
    await sql(pgc, 'CREATE TABLE tomb_t(id int PRIMARY KEY)');
    await withTask(config('tomb', 'public.tomb_t', { 'tombstones.on.delete': 'false' }), async (task) => {
      await sql(pgc, 'INSERT INTO tomb_t VALUES (1)');
      await sql(pgc, 'DELETE FROM tomb_t');
      await sql(pgc, 'INSERT INTO tomb_t VALUES (2)');
      assert.deepEqual((await pollN(task, 3)).map(kind), ['c', 'd', 'c']);
    });
  });

  test('message.key.columns, column.exclude.list and column.include.list in snapshot and stream', async () => {
    await sql(pgc, "CREATE TABLE keys_t(id int PRIMARY KEY, code text NOT NULL, secret text, note text); INSERT INTO keys_t VALUES (1, 'A', 's', 'n')");
    const cfg = config('mk', 'public.keys_t', { 'snapshot.mode': 'initial', 'message.key.columns': 'public.keys_t:code', 'column.exclude.list': 'public.keys_t.secret' });
    await withTask(cfg, async (task) => {
      const [r] = await pollN(task, 1);
      const k = asJson(r!).key as { schema: { name: string; fields: unknown[] }; payload: unknown };
      assert.equal(k.schema.name, 'mk.public.keys_t.Key');
      assert.deepEqual(k.schema.fields, [{ type: 'string', optional: false, field: 'code' }]);
      assert.deepEqual(k.payload, { code: 'A' });
      assert.deepEqual(after_(r!), { id: 1, code: 'A', note: 'n' });
      await sql(pgc, "INSERT INTO keys_t VALUES (2, 'B', 's', 'm')");
      const [c] = await pollN(task, 1);
      assert.deepEqual((asJson(c!).key as { payload: unknown }).payload, { code: 'B' });
      assert.deepEqual(after_(c!), { id: 2, code: 'B', note: 'm' });
    });
    await withTask(config('ci', 'public.keys_t', { 'snapshot.mode': 'initial', 'column.include.list': 'public.keys_t.note' }), async (task) => {
      const recs = await pollN(task, 2);
      assert.deepEqual(recs.map(after_), [{ id: 1, note: 'n' }, { id: 2, note: 'm' }], 'key columns stay in the value');
    });
  });

  test('include.unknown.datatypes: unknown columns left out, or their text as bytes', async () => {
    await sql(pgc, "CREATE TABLE unk_t(id int PRIMARY KEY, l pg_lsn, q tsquery); INSERT INTO unk_t VALUES (1, '16/B374D848', 'fat & rat')");
    await withTask(config('unk', 'public.unk_t', { 'snapshot.mode': 'initial' }), async (task) => {
      const [r] = await pollN(task, 1);
      assert.deepEqual(after_(r!), { id: 1 });
    });
    await withTask(config('unk2', 'public.unk_t', { 'snapshot.mode': 'initial', 'include.unknown.datatypes': 'true', 'binary.handling.mode': 'bytes' }), async (task) => {
      const [r] = await pollN(task, 1);
      const fields = (asJson(r!).value as { schema: { fields: { fields: unknown[] }[] } }).schema.fields[1]!.fields;
      assert.deepEqual(fields, [
        { type: 'int32', optional: false, field: 'id' },
        { type: 'bytes', optional: true, field: 'l' },
        { type: 'bytes', optional: true, field: 'q' },
      ]);
      assert.deepEqual(after_(r!), { id: 1, l: Buffer.from('16/B374D848').toString('base64'), q: Buffer.from("'fat' & 'rat'").toString('base64') });
      await sql(pgc, "INSERT INTO unk_t VALUES (2, '0/1', 'cat')");
      const [c] = await pollN(task, 1);
      assert.deepEqual(after_(c!), { id: 2, l: Buffer.from('0/1').toString('base64'), q: Buffer.from("'cat'").toString('base64') });
    });
  });

  test('snapshot.select.statement.overrides limits the snapshot of one table', async () => {
    await sql(pgc, 'CREATE TABLE ov_t(id int PRIMARY KEY, v int); INSERT INTO ov_t SELECT g, g * 10 FROM generate_series(1, 5) g; CREATE TABLE ov_u(id int PRIMARY KEY); INSERT INTO ov_u VALUES (1), (2)');
    const cfg = config('ov', 'public.ov_t,public.ov_u', {
      'snapshot.mode': 'initial',
      'snapshot.select.statement.overrides': 'public.ov_t',
      'snapshot.select.statement.overrides.public.ov_t': 'SELECT * FROM public.ov_t WHERE id > 3 ORDER BY id DESC',
    });
    await withTask(cfg, async (task) => {
      const recs = await pollN(task, 4);
      assert.deepEqual(recs.map((r) => [r.topic, after_(r)!.id]), [['ov.public.ov_t', 5], ['ov.public.ov_t', 4], ['ov.public.ov_u', 1], ['ov.public.ov_u', 2]]);
      assert.deepEqual(recs.map((r) => (payload(r).source as { snapshot: string }).snapshot), ['first', 'last_in_data_collection', 'first_in_data_collection', 'last']);
      assert.equal((await pollFor(task, 200)).length, 0);
    });
  });
});
