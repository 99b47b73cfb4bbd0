/**
 * Signals and incremental snapshots against the throwaway cluster (specs/debezium-postgres.md §4.6):
 * snapshot.mode=no_data + a signal table; an execute-snapshot INSERT reads a 5,000-row table in chunks
 * while a loop updates, deletes and inserts rows; the replayed topic equals the table; composite keys and
 * additional conditions; stop-snapshot; a restart mid-snapshot resumes from the stored offset; a table
 * without a primary key is skipped unless a surrogate key is given (sent through the file channel); a blocking
 * snapshot holds the stream while it reads.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceRecord } from '../../../src/connect/data/index.js';
import type { PostgresSourceTask } from '../../../src/connectors/postgres/task.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, commitRecords, payload, pollFor, sql, startTask, taskConfig } from './harness.js';

let pgc: PostgresCluster;

function config(prefix: string, tables: string, extra: Record<string, string> = {}): Record<string, string> {
  return taskConfig(pgc, prefix, tables, { 'publication.autocreate.mode': 'filtered', 'snapshot.mode': 'no_data', 'signal.data.collection': 'public.dbz_signal', 'slot.drop.on.stop': 'true', ...extra });
}

type P = Record<string, unknown> & { op: string; after: Record<string, unknown> | null; before: Record<string, unknown> | null; source: Record<string, unknown> };
const p = (r: SourceRecord) => payload(r) as P;
const dataOf = (rs: SourceRecord[], topic: string) => rs.filter((r) => r.topic === topic && r.value !== null);
const reads = (rs: SourceRecord[], topic: string) => dataOf(rs, topic).filter((r) => p(r).op === 'r');

let signalSeq = 0;
async function signal(type: string, data: unknown): Promise<void> {
  await sql(pgc, 'INSERT INTO dbz_signal VALUES ($1, $2, $3)', [`sig-${++signalSeq}`, type, JSON.stringify(data)]);
}

/** Several signals in one transaction. */
async function signals(list: [string, unknown][]): Promise<void> {
  const values = list.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
  await sql(pgc, `INSERT INTO dbz_signal VALUES ${values}`, list.flatMap(([t, d]) => [`sig-${++signalSeq}`, t, JSON.stringify(d)]));
}

/** Polls until `done(all)` holds, then a little longer to catch stragglers. */
async function pollUntil(task: PostgresSourceTask, done: (all: SourceRecord[]) => boolean, timeoutMs = 60_000, settleMs = 300): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(all)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${all.length} records`);
    const b = await task.poll();
    if (b) all.push(...b);
  }
  if (settleMs) all.push(...(await pollFor(task, settleMs)));
  return all;
}

/** Replays change events per key (r/c/u set the row, d removes it) into a map id -> row. */
function replay(rs: SourceRecord[], topic: string, keyOf: (row: Record<string, unknown>) => string): Map<string, Record<string, unknown>> {
  const state = new Map<string, Record<string, unknown>>();
  for (const r of dataOf(rs, topic)) {
    const v = p(r);
    if (v.op === 'd') state.delete(keyOf(v.before!));
    else state.set(keyOf(v.after!), v.after!);
  }
  return state;
}

describe('incremental snapshots', () => {
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, `CREATE TABLE dbz_signal(id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
      CREATE TABLE is_big(id int PRIMARY KEY, v int NOT NULL, note text);
      INSERT INTO is_big SELECT g, 0, 'row ' || g FROM generate_series(1, 5000) g;
      CREATE TABLE is_comp(a int, b text, v int, PRIMARY KEY (a, b));
      INSERT INTO is_comp SELECT g % 5, 'k' || g, g FROM generate_series(1, 40) g;
      CREATE TABLE is_stop(id bigint PRIMARY KEY, v int);
      INSERT INTO is_stop SELECT g, g FROM generate_series(1, 3000) g;
      CREATE TABLE is_restart(id bigint PRIMARY KEY, v int);
      INSERT INTO is_restart SELECT g, g FROM generate_series(1, 2000) g;
      CREATE TABLE is_nopk(sk int NOT NULL, v text);
      INSERT INTO is_nopk SELECT g, 'n' || g FROM generate_series(1, 25) g;
      CREATE TABLE is_after(id int PRIMARY KEY);
      INSERT INTO is_after SELECT generate_series(1, 10);
      CREATE TABLE is_block(id int PRIMARY KEY, v int);
      INSERT INTO is_block SELECT g, g FROM generate_series(1, 3000) g;`);
  });
  after(async () => {
    await pgc?.stop();
  });

  test('5,000 rows arrive as incremental reads while rows change; the replayed topic equals the table', async () => {
    const task = await startTask(config('isb', 'public.is_big', { 'incremental.snapshot.chunk.size': '250' }), new MemoryOffsets());
    let churn = true;
    try {
      assert.equal((await pollFor(task, 300)).length, 0, 'no_data: nothing before the signal');
      await signal('execute-snapshot', { 'data-collections': ['public.is_big'], type: 'incremental' });
      // Change random rows (updates, deletes, re-inserts) while chunks are read.
      const loop = (async () => {
        let n = 0;
        while (churn && n < 400) {
          const id = 1 + Math.floor(Math.random() * 5000);
          const k = n++ % 4;
          if (k === 0) await sql(pgc, 'DELETE FROM is_big WHERE id = $1', [id]);
          else if (k === 1) await sql(pgc, "INSERT INTO is_big VALUES ($1, 100, 'again') ON CONFLICT (id) DO UPDATE SET v = is_big.v + 1000", [id]);
          else await sql(pgc, 'UPDATE is_big SET v = v + 1 WHERE id = $1', [id]);
        }
      })();
      const closes = (rs: SourceRecord[]) => dataOf(rs, 'isb.public.dbz_signal').filter((r) => p(r).after?.type === 'snapshot-window-close').length;
      // 5,000 rows / 250 = 20 chunks, plus the empty chunk that ends the table.
      const all = await pollUntil(task, (rs) => closes(rs) >= 21);
      churn = false;
      await loop;
      // The table no longer changes: poll until the topic has caught up with it (a loaded machine may take a
      // while), or a minute has passed — a lost or resurrected row never catches up and fails below.
      const table = (await sql(pgc, 'SELECT id, v, note FROM is_big ORDER BY id')).rows as { id: number; v: number; note: string }[];
      const caughtUp = () => {
        const t = replay(all, 'isb.public.is_big', (row) => String(row.id));
        return t.size === table.length && table.every((row) => isDeepStrictEqual(t.get(String(row.id)), row));
      };
      const deadline = Date.now() + 60_000;
      do all.push(...(await pollFor(task, 500)));
      while (!caughtUp() && Date.now() < deadline);

      const r = reads(all, 'isb.public.is_big');
      assert.ok(r.length > 4000, `most rows come as reads (${r.length})`);
      for (const rec of r) {
        const s = p(rec).source;
        assert.equal(s.snapshot, 'incremental');
        assert.equal(s.txId, null);
        assert.equal(s.lsn, null);
        assert.equal(s.xmin, null);
        assert.equal(p(rec).before, null);
      }
      const ids = r.map((x) => p(x).after!.id as number);
      assert.equal(new Set(ids).size, ids.length, 'each row is read once');
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'reads come in key order');

      const watermarks = dataOf(all, 'isb.public.dbz_signal').map((x) => p(x).after!);
      const opens = watermarks.filter((w) => w.type === 'snapshot-window-open');
      assert.ok(opens.length >= 21);
      assert.match(opens[0]!.id as string, /^[0-9a-f-]{36}-open$/);
      assert.match(opens[0]!.data as string, /^\{"openWindowTimestamp": "[^"]+", "correlationId": "sig-\d+", "dataCollectionId": "public.is_big"\}$/);

      const topic = replay(all, 'isb.public.is_big', (row) => String(row.id));
      assert.equal(topic.size, table.length, 'no lost and no resurrected rows');
      for (const row of table) assert.deepEqual(topic.get(String(row.id)), row, `row ${row.id} is current`);

      const last = all[all.length - 1]!.sourceOffset!;
      assert.equal(last.incremental_snapshot_collections, undefined, 'the offset drops the snapshot keys when done');
      const mid = r[10]!.sourceOffset!;
      assert.equal(mid.snapshot, 'INCREMENTAL');
      assert.equal(typeof mid.incremental_snapshot_primary_key, 'string');
      assert.match(mid.incremental_snapshot_collections as string, /"incremental_snapshot_collections_id":"public.is_big"/);
    } finally {
      churn = false;
      await task.stop();
    }
  });

  test('composite keys with an additional condition', async () => {
    const task = await startTask(config('isc', 'public.is_comp', { 'incremental.snapshot.chunk.size': '7' }), new MemoryOffsets());
    try {
      await signal('execute-snapshot', { 'data-collections': ['public\\.is_c.*'], 'additional-conditions': [{ 'data-collection': 'public.is_comp', filter: 'a >= 2' }] });
      const all = await pollUntil(task, (rs) => reads(rs, 'isc.public.is_comp').length >= 24, 30_000);
      const got = reads(all, 'isc.public.is_comp').map((x) => `${p(x).after!.a}/${p(x).after!.b}`);
      const want = ((await sql(pgc, 'SELECT a, b FROM is_comp WHERE a >= 2 ORDER BY a, b')).rows as { a: number; b: string }[]).map((x) => `${x.a}/${x.b}`);
      assert.deepEqual(got, want);
    } finally {
      await task.stop();
    }
  });

  test('pause-snapshot, resume-snapshot and stop-snapshot', async () => {
    const task = await startTask(config('iss', 'public.is_stop', { 'incremental.snapshot.chunk.size': '50', 'max.queue.size': '120', 'max.batch.size': '50' }), new MemoryOffsets());
    try {
      // Both in one transaction: the pause is applied before the second chunk is read.
      await signals([['execute-snapshot', { 'data-collections': ['public.is_stop'] }], ['pause-snapshot', {}]]);
      const first = await pollUntil(task, (rs) => reads(rs, 'iss.public.is_stop').length >= 50, 20_000);
      first.push(...(await pollFor(task, 1000)));
      assert.equal(reads(first, 'iss.public.is_stop').length, 50, 'paused after the first chunk');
      await signal('resume-snapshot', {});
      // Stop polling at once: the small queue then holds the snapshot back until the signals are read.
      const resumed = await pollUntil(task, (rs) => reads(rs, 'iss.public.is_stop').length >= 100, 20_000, 0);
      await signals([['pause-snapshot', {}], ['stop-snapshot', { 'data-collections': ['public.is_stop'], type: 'INCREMENTAL' }]]);
      // Until the stop has taken effect: a second without reads (a chunk read before it may still arrive).
      const rest: SourceRecord[] = [];
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
        const got = await pollFor(task, 1000);
        rest.push(...got);
        if (reads(got, 'iss.public.is_stop').length === 0) break;
      }
      const n = reads([...first, ...resumed, ...rest], 'iss.public.is_stop').length;
      assert.ok(n < 3000, `stopped before the end (${n} rows)`);
      await signal('resume-snapshot', {});
      assert.equal(reads(await pollFor(task, 1000), 'iss.public.is_stop').length, 0, 'nothing after the stop, even when resumed');
      await sql(pgc, 'UPDATE is_stop SET v = 0 WHERE id = 1');
      const after = await pollUntil(task, (rs) => dataOf(rs, 'iss.public.is_stop').length >= 1, 10_000);
      assert.equal(after.at(-1)!.sourceOffset!.incremental_snapshot_collections, undefined);
    } finally {
      await task.stop();
    }
  });

  test('a restart mid-snapshot resumes from the stored offset and completes', async () => {
    const offsets = new MemoryOffsets();
    const cfg = config('isr', 'public.is_restart', { 'incremental.snapshot.chunk.size': '100', 'slot.drop.on.stop': 'false' });
    let task = await startTask(cfg, offsets);
    let firstRun: number[];
    try {
      await signal('execute-snapshot', { 'data-collections': ['public.is_restart'] });
      const rs = await pollUntil(task, (x) => reads(x, 'isr.public.is_restart').length >= 500, 30_000);
      const cut = rs.indexOf(reads(rs, 'isr.public.is_restart')[499]!);
      const committed = rs.slice(0, cut + 1);
      await commitRecords(task, committed, offsets);
      firstRun = reads(committed, 'isr.public.is_restart').map((x) => Number(p(x).after!.id));
    } finally {
      await task.stop();
    }
    const stored = [...offsets.offsets.values()][0]!;
    assert.equal(typeof stored.incremental_snapshot_primary_key, 'string', 'the offset holds the snapshot position');

    task = await startTask(cfg, offsets);
    try {
      const rs = await pollUntil(task, (x) => {
        const r = reads(x, 'isr.public.is_restart');
        return r.length > 0 && Number(p(r.at(-1)!).after!.id) === 2000;
      }, 30_000);
      const second = reads(rs, 'isr.public.is_restart').map((x) => Number(p(x).after!.id));
      assert.equal(second[0], firstRun.at(-1)! + 1, 'resumes right after the last committed row');
      const all = new Set([...firstRun, ...second]);
      assert.equal(all.size, 2000, 'every row read');
      assert.equal(firstRun.length + second.length, 2000, 'no row read twice');
    } finally {
      await task.stop();
      await sql(pgc, "SELECT pg_drop_replication_slot('isr_slot')");
    }
  });

  test('a table without a primary key is skipped unless a surrogate key is given (file channel); a table added later is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signals-'));
    const file = join(dir, 'signals.txt');
    const task = await startTask(config('isn', 'public.is_nopk,public.is_after', {
      'signal.enabled.channels': 'source,file', 'signal.file': file, 'signal.poll.interval.ms': '100', 'incremental.snapshot.chunk.size': '10',
    }), new MemoryOffsets());
    try {
      // Without a key the table is skipped with a warning and the next table is read.
      await signal('execute-snapshot', { 'data-collections': ['public.is_nopk', 'public.is_after'] });
      const first = await pollUntil(task, (rs) => reads(rs, 'isn.public.is_after').length >= 10, 20_000);
      assert.equal(reads(first, 'isn.public.is_nopk').length, 0);
      await writeFile(file, `${JSON.stringify({ id: 'f-1', type: 'execute-snapshot', data: { 'data-collections': ['public.is_nopk'], 'surrogate-key': 'sk' } })}\n`);
      const second = await pollUntil(task, (rs) => reads(rs, 'isn.public.is_nopk').length >= 25, 20_000);
      assert.deepEqual(reads(second, 'isn.public.is_nopk').map((x) => p(x).after!.sk), Array.from({ length: 25 }, (_, i) => i + 1));
    } finally {
      await task.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a blocking snapshot: streaming waits while the rows matching the condition are read, then goes on; a restart in the middle resumes streaming', async () => {
    const offsets = new MemoryOffsets();
    const cfg = config('isb', 'public.is_block', { 'snapshot.fetch.size': '100', 'slot.drop.on.stop': 'false' });
    let task = await startTask(cfg, offsets);
    try {
      await signal('execute-snapshot', {
        'data-collections': ['public.is_block'], type: 'blocking',
        'additional-conditions': [{ 'data-collection': 'public.is_block', filter: 'id <= 2000' }],
      });
      // Committed right after the signal: the stream reaches it only once the snapshot is done.
      await sql(pgc, 'INSERT INTO is_block VALUES (5000, 5000)');
      const all = await pollUntil(task, (rs) => dataOf(rs, 'isb.public.is_block').some((r) => p(r).op === 'c'), 60_000);
      const events = dataOf(all, 'isb.public.is_block');
      const readIds = reads(all, 'isb.public.is_block').map((r) => p(r).after!.id as number);
      assert.deepEqual([...readIds].sort((a, b) => a - b), Array.from({ length: 2000 }, (_, i) => i + 1));
      // Not interleaved: every read comes before the insert, and the insert comes once.
      const created = events.findIndex((r) => p(r).op === 'c');
      assert.equal(events.slice(0, created).filter((r) => p(r).op === 'r').length, 2000);
      assert.deepEqual(events.filter((r) => p(r).op === 'c').map((r) => p(r).after!.id), [5000]);
      // Marked like an initial snapshot; the offsets are the stream's position marked BLOCKING.
      const rs = reads(all, 'isb.public.is_block');
      assert.equal(p(rs[0]!).source.snapshot, 'first');
      assert.equal(p(rs.at(-1)!).source.snapshot, 'last');
      // The stream's position when it stopped to wait: that of the signal row, the last record before the reads.
      const before = all[all.indexOf(rs[0]!) - 1]!.sourceOffset!;
      assert.equal(before.messageType, 'INSERT');
      assert.deepEqual(rs[0]!.sourceOffset, { ...before, snapshot: 'BLOCKING', last_snapshot_record: false, snapshot_completed: false });
      assert.deepEqual(rs.at(-1)!.sourceOffset, { ...before, snapshot: 'BLOCKING', last_snapshot_record: true, snapshot_completed: true });

      // As if the task died half way through the snapshot: its offsets end at a blocking snapshot record. The
      // restarted task (snapshot.mode=no_data) streams on from the signal's position; no snapshot is redone.
      await commitRecords(task, all.slice(0, all.indexOf(rs[1000]!)), offsets);
      await task.stop();
      task = await startTask(cfg, offsets);
      await sql(pgc, 'INSERT INTO is_block VALUES (6000, 6000)');
      const again = await pollUntil(task, (got) => dataOf(got, 'isb.public.is_block').some((r) => p(r).after?.id === 6000), 30_000);
      assert.equal(reads(again, 'isb.public.is_block').length, 0);
    } finally {
      await task.stop();
      await sql(pgc, "SELECT pg_drop_replication_slot('isb_slot')");
    }
  });
});
