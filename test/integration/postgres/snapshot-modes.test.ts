/**
 * snapshot.mode against the throwaway cluster: no_data (and its alias never), always, when_needed,
 * initial_only; a snapshot interrupted before its last record restarts from scratch; snapshot markers over
 * several tables with an empty last table (specs/debezium-postgres.md §1.3, §4).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRecord } from '../../../src/connect/data/index.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, commitRecords, dropSlot, payload, pollFor, pollN, sql, startTask, taskConfig } from './harness.js';

let pgc: PostgresCluster;

function config(prefix: string, tables: string, extra: Record<string, string> = {}): Record<string, string> {
  return taskConfig(pgc, prefix, tables, extra);
}

const ops = (rs: SourceRecord[]) => rs.map((r) => r.value === null ? 'tombstone' : `${payload(r).op}${(payload(r).after as { id: number } | null)?.id ?? ''}`);
const markers = (rs: SourceRecord[]) => rs.map((r) => (payload(r).source as { snapshot: string }).snapshot);

describe('snapshot modes', () => {
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, 'CREATE TABLE sm_t(id int PRIMARY KEY); INSERT INTO sm_t VALUES (1), (2)');
  });
  after(async () => {
    await pgc?.stop();
  });

  for (const mode of ['no_data', 'never']) {
    test(`${mode}: no snapshot records, streaming only`, async () => {
      const task = await startTask(config(`nd_${mode}`, 'public.sm_t', { 'snapshot.mode': mode, 'slot.drop.on.stop': 'true' }), new MemoryOffsets());
      try {
        assert.equal((await pollFor(task, 300)).length, 0);
        await sql(pgc, 'INSERT INTO sm_t VALUES (100)');
        await sql(pgc, 'DELETE FROM sm_t WHERE id = 100');
        assert.deepEqual(ops(await pollN(task, 3)), ['c100', 'd', 'tombstone']);
      } finally {
        await task.stop();
      }
    });
  }

  test('always: a snapshot on every start, then streaming without duplicating what the snapshot read', async () => {
    const offsets = new MemoryOffsets();
    const cfg = config('alw', 'public.sm_t', { 'snapshot.mode': 'always' });
    let task = await startTask(cfg, offsets);
    try {
      const snap = await pollN(task, 2);
      assert.deepEqual(ops(snap), ['r1', 'r2']);
      await commitRecords(task, snap, offsets);
    } finally {
      await task.stop();
    }
    await sql(pgc, 'INSERT INTO sm_t VALUES (3)');
    task = await startTask(cfg, offsets);
    try {
      const snap = await pollN(task, 3);
      assert.deepEqual(ops(snap), ['r1', 'r2', 'r3']);
      assert.equal((await pollFor(task, 300)).length, 0, 'the row read by the snapshot is not streamed again');
      await sql(pgc, 'INSERT INTO sm_t VALUES (4)');
      assert.deepEqual(ops(await pollN(task, 1)), ['c4']);
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM sm_t WHERE id > 2');
      await dropSlot(pgc, 'alw_slot');
    }
  });

  test('initial_only: the snapshot and nothing after it, also after a restart', async () => {
    const offsets = new MemoryOffsets();
    const cfg = config('ionly', 'public.sm_t', { 'snapshot.mode': 'initial_only' });
    let task = await startTask(cfg, offsets);
    try {
      const snap = await pollN(task, 2);
      assert.deepEqual(ops(snap), ['r1', 'r2']);
      await commitRecords(task, snap, offsets);
      await sql(pgc, 'INSERT INTO sm_t VALUES (5)');
      assert.equal((await pollFor(task, 400)).length, 0, 'no streaming');
    } finally {
      await task.stop();
    }
    task = await startTask(cfg, offsets);
    try {
      assert.equal((await pollFor(task, 300)).length, 0, 'a completed snapshot is not repeated');
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM sm_t WHERE id > 2');
      await dropSlot(pgc, 'ionly_slot');
    }
  });

  test('when_needed: snapshot without offset, none with offset and slot, again when the slot is gone', async () => {
    const offsets = new MemoryOffsets();
    const cfg = config('wn', 'public.sm_t', { 'snapshot.mode': 'when_needed' });
    let task = await startTask(cfg, offsets);
    try {
      const snap = await pollN(task, 2);
      assert.deepEqual(ops(snap), ['r1', 'r2']);
      await commitRecords(task, snap, offsets);
    } finally {
      await task.stop();
    }
    task = await startTask(cfg, offsets);
    try {
      await sql(pgc, 'INSERT INTO sm_t VALUES (6)');
      const recs = await pollN(task, 1);
      assert.deepEqual(ops(recs), ['c6']);
      await commitRecords(task, recs, offsets);
    } finally {
      await task.stop();
    }
    await dropSlot(pgc, 'wn_slot');
    task = await startTask(cfg, offsets);
    try {
      assert.deepEqual(ops(await pollN(task, 3)), ['r1', 'r2', 'r6']);
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM sm_t WHERE id > 2');
      await dropSlot(pgc, 'wn_slot');
    }
  });

  test('initial: a snapshot stopped before its last record starts over; then streaming', async () => {
    await sql(pgc, 'CREATE TABLE big_t(id int PRIMARY KEY); INSERT INTO big_t SELECT generate_series(1, 3000)');
    const offsets = new MemoryOffsets();
    const cfg = config('intr', 'public.big_t', { 'snapshot.fetch.size': '100', 'max.batch.size': '100', 'max.queue.size': '200' });
    let task = await startTask(cfg, offsets);
    try {
      const part = await pollN(task, 500);
      assert.ok(part.length < 3000);
      await commitRecords(task, part, offsets);
      assert.equal(part.at(-1)!.sourceOffset!.last_snapshot_record, false);
    } finally {
      await task.stop();
    }
    task = await startTask(cfg, offsets);
    try {
      const all = await pollN(task, 3000, 60_000);
      assert.deepEqual(all.map((r) => (payload(r).after as { id: number }).id), Array.from({ length: 3000 }, (_, i) => i + 1));
      assert.equal(markers(all)[0], 'first');
      assert.equal(markers(all)[2999], 'last');
      assert.equal(all.at(-1)!.sourceOffset!.snapshot_completed, true);
      await commitRecords(task, all, offsets);
      await sql(pgc, 'INSERT INTO big_t VALUES (3001)');
      assert.deepEqual(ops(await pollN(task, 1)), ['c3001']);
    } finally {
      await task.stop();
      await dropSlot(pgc, 'intr_slot');
    }
  });

  test('markers over several tables: first, last_in_data_collection, first_in_data_collection, last (empty last table)', async () => {
    await sql(pgc, 'CREATE TABLE mk_a(id int PRIMARY KEY); CREATE TABLE mk_b(id int PRIMARY KEY); CREATE TABLE mk_c(id int PRIMARY KEY); CREATE TABLE mk_d(id int PRIMARY KEY)');
    await sql(pgc, 'INSERT INTO mk_a VALUES (1), (2), (3); INSERT INTO mk_b VALUES (1), (2); INSERT INTO mk_c VALUES (1)');
    const task = await startTask(config('mkr', 'public.mk_.*', { 'slot.drop.on.stop': 'true' }), new MemoryOffsets());
    try {
      const recs = await pollN(task, 6);
      assert.deepEqual(recs.map((r) => r.topic.split('.').pop()), ['mk_a', 'mk_a', 'mk_a', 'mk_b', 'mk_b', 'mk_c']);
      assert.deepEqual(markers(recs), ['first', 'true', 'last_in_data_collection', 'first_in_data_collection', 'last_in_data_collection', 'last']);
      assert.deepEqual(recs.map((r) => r.sourceOffset!.last_snapshot_record), [false, false, false, false, false, true]);
    } finally {
      await task.stop();
    }
  });

  test('snapshot.max.threads=2: parallel tables and ctid chunks from one snapshot; markers; concurrent inserts streamed once', async () => {
    await sql(pgc, `CREATE TABLE par_big(id int PRIMARY KEY, filler text); CREATE TABLE par_s1(id int PRIMARY KEY); CREATE TABLE par_s2(id int PRIMARY KEY);
      INSERT INTO par_big SELECT g, repeat('x', 200) FROM generate_series(1, 30000) g; INSERT INTO par_s1 SELECT generate_series(1, 5); INSERT INTO par_s2 VALUES (1);
      ANALYZE par_big`);
    const pages = Number((await sql(pgc, "SELECT relpages FROM pg_class WHERE relname = 'par_big'")).rows[0].relpages);
    assert.ok(pages >= 512, `par_big has ${pages} pages: enough for two chunks`);
    const cfg = config('par', 'public.par_.*', { 'snapshot.max.threads': '2', 'snapshot.fetch.size': '500', 'max.batch.size': '500', 'max.queue.size': '1000', 'slot.drop.on.stop': 'true' });
    const task = await startTask(cfg, new MemoryOffsets());
    try {
      const first = await pollN(task, 1000);
      await sql(pgc, 'INSERT INTO par_big SELECT g, NULL FROM generate_series(30001, 30100) g'); // after the snapshot point
      const rest = await pollN(task, 30106 - first.length, 60_000);
      const all = [...first, ...rest];
      const snap = all.slice(0, 30006);
      const streamed = all.slice(30006);
      const key = (r: SourceRecord) => `${r.topic.split('.').pop()}:${(payload(r).after as { id: number }).id}`;
      assert.equal(new Set(snap.map(key)).size, 30006, 'every snapshot row exactly once');
      assert.ok(snap.every((r) => payload(r).op === 'r'));
      assert.ok(snap.every((r) => Number((payload(r).after as { id: number }).id) <= 30000), 'rows inserted after the snapshot point are not in it');
      assert.deepEqual(streamed.map((r) => payload(r).op), Array(100).fill('c'));
      const m = markers(snap);
      assert.equal(m.filter((x) => x === 'first').length, 0, 'no first/last-table distinction with several threads');
      assert.equal(m.at(-1), 'last');
      assert.equal(m.filter((x) => x === 'last').length, 1);
      for (const t of ['par_big', 'par_s1', 'par_s2']) {
        const mt = snap.filter((r) => r.topic.endsWith(t)).map((r) => (payload(r).source as { snapshot: string }).snapshot);
        assert.equal(mt.filter((x) => x === 'first_in_data_collection').length + (mt.length === 1 ? 1 : 0) >= 1, true, t);
        assert.equal(mt.filter((x) => x === 'last_in_data_collection' || x === 'last').length, 1, `${t}: one last record`);
        assert.equal(mt.at(-1) === 'last_in_data_collection' || mt.at(-1) === 'last', true, `${t}: its last record is marked`);
      }
      assert.deepEqual(snap.map((r) => r.sourceOffset!.last_snapshot_record).filter(Boolean), [true]);
      // Chunks of the big table were read side by side: its ids do not arrive in one ascending run.
      const ids = snap.filter((r) => r.topic.endsWith('par_big')).map((r) => (payload(r).after as { id: number }).id);
      assert.ok(ids.some((id, i) => i > 0 && id < ids[i - 1]!), 'ctid chunks interleave');
    } finally {
      await task.stop();
    }
  });
});
