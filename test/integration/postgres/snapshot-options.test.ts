/**
 * Debezium's further snapshot settings against the throwaway cluster (specs/debezium-postgres.md §4.3):
 * snapshot.mode=configuration_based with its snapshot.data / start.stream / snapshot.on.data.error keys,
 * snapshot.tables.order.by.row.count, snapshot.locking.mode=shared with snapshot.lock.timeout.ms,
 * snapshot.isolation.mode=read_committed with parallel readers, snapshot.delay.ms and streaming.delay.ms.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { SourceRecord } from '../../../src/connect/data/index.js';
import { beginSnapshot } from '../../../src/connectors/postgres/snapshot.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, commitRecords, dropSlot, payload, pollFor, pollN, sql, startTask, taskConfig } from './harness.js';

let pgc: PostgresCluster;

const ops = (rs: SourceRecord[]) => rs.map((r) => `${payload(r).op}${(payload(r).after as { id: number } | null)?.id ?? ''}`);
const tableOf = (r: SourceRecord) => (payload(r).source as { table: string }).table;

describe('snapshot options', () => {
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, `CREATE TABLE so_t(id int PRIMARY KEY); INSERT INTO so_t VALUES (1), (2);
      CREATE TABLE so_small(id int PRIMARY KEY); INSERT INTO so_small SELECT generate_series(1, 3);
      CREATE TABLE so_big(id int PRIMARY KEY); INSERT INTO so_big SELECT generate_series(1, 300);
      ANALYZE so_small; ANALYZE so_big;`);
  });
  after(async () => {
    await pgc?.stop();
  });

  test('configuration_based: snapshot.data without start.stream reads the data on every start and streams nothing', async () => {
    const offsets = new MemoryOffsets();
    const cfg = taskConfig(pgc, 'cbd', 'public.so_t', {
      'snapshot.mode': 'configuration_based', 'snapshot.mode.configuration.based.snapshot.data': 'true',
    });
    let task = await startTask(cfg, offsets);
    try {
      const snap = await pollN(task, 2);
      assert.deepEqual(ops(snap), ['r1', 'r2']);
      await commitRecords(task, snap, offsets);
      await sql(pgc, 'INSERT INTO so_t VALUES (7)');
      assert.equal((await pollFor(task, 400)).length, 0, 'no streaming');
    } finally {
      await task.stop();
    }
    task = await startTask(cfg, offsets);
    try {
      assert.deepEqual(ops(await pollN(task, 3)), ['r1', 'r2', 'r7'], 'snapshot.data=true: again, even with an offset');
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM so_t WHERE id > 2');
      await dropSlot(pgc, 'cbd_slot');
    }
  });

  test('configuration_based: start.stream alone streams; snapshot.on.data.error snapshots when the position is gone', async () => {
    const offsets = new MemoryOffsets();
    const cfg = taskConfig(pgc, 'cbs', 'public.so_t', {
      'snapshot.mode': 'configuration_based', 'snapshot.mode.configuration.based.start.stream': 'true',
      'snapshot.mode.configuration.based.snapshot.on.data.error': 'true',
    });
    let task = await startTask(cfg, offsets);
    try {
      assert.equal((await pollFor(task, 300)).length, 0, 'no snapshot');
      await sql(pgc, 'INSERT INTO so_t VALUES (8)');
      const recs = await pollN(task, 1);
      assert.deepEqual(ops(recs), ['c8']);
      await commitRecords(task, recs, offsets);
    } finally {
      await task.stop();
    }
    await dropSlot(pgc, 'cbs_slot');
    task = await startTask(cfg, offsets);
    try {
      assert.deepEqual(ops(await pollN(task, 3)), ['r1', 'r2', 'r8'], 'the slot is gone: a snapshot instead of an error');
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM so_t WHERE id > 2');
      await dropSlot(pgc, 'cbs_slot');
    }
  });

  test('configuration_based without snapshot.on.data.error fails when the position is gone', async () => {
    const offsets = new MemoryOffsets();
    const cfg = taskConfig(pgc, 'cbf', 'public.so_t', { 'snapshot.mode': 'configuration_based', 'snapshot.mode.configuration.based.start.stream': 'true' });
    const task = await startTask(cfg, offsets);
    try {
      await sql(pgc, 'INSERT INTO so_t VALUES (9)');
      await commitRecords(task, await pollN(task, 1), offsets);
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM so_t WHERE id > 2');
    }
    await dropSlot(pgc, 'cbf_slot');
    await assert.rejects(startTask(cfg, offsets), /no longer available on the server/);
  });

  test('snapshot.tables.order.by.row.count: descending reads the bigger table first, disabled keeps the include list order', async () => {
    const firstTable = async (prefix: string, order: string): Promise<string> => {
      const task = await startTask(taskConfig(pgc, prefix, 'public.so_small,public.so_big', { 'snapshot.tables.order.by.row.count': order, 'slot.drop.on.stop': 'true' }), new MemoryOffsets());
      try {
        return tableOf((await pollN(task, 1))[0]!);
      } finally {
        await task.stop();
      }
    };
    assert.equal(await firstTable('ordd', 'descending'), 'so_big');
    assert.equal(await firstTable('orda', 'ascending'), 'so_small');
    assert.equal(await firstTable('ordn', 'disabled'), 'so_small');
  });

  test('snapshot.locking.mode=shared: a table locked by another session fails the snapshot after snapshot.lock.timeout.ms', async () => {
    // The slot first: creating one waits for every open transaction, the locker's too.
    await sql(pgc, "SELECT pg_create_logical_replication_slot('lck_slot', 'pgoutput')");
    const locker = new pg.Client({ connectionString: pgc.connectionString });
    await locker.connect();
    try {
      await locker.query('BEGIN; LOCK TABLE so_t IN ACCESS EXCLUSIVE MODE');
      const task = await startTask(taskConfig(pgc, 'lck', 'public.so_t', {
        'snapshot.locking.mode': 'shared', 'snapshot.lock.timeout.ms': '300', 'slot.drop.on.stop': 'true',
      }), new MemoryOffsets());
      try {
        await assert.rejects(async () => {
          for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) await task.poll();
          throw new Error('the snapshot did not fail within 10 s');
        }, /Could not lock table public\.so_t IN ACCESS SHARE MODE .*snapshot\.lock\.timeout\.ms=300/);
      } finally {
        await task.stop();
      }
      await locker.query('ROLLBACK');
      // Without contention the shared locks are taken and the snapshot reads the table.
      const ok = await startTask(taskConfig(pgc, 'lck2', 'public.so_t', { 'snapshot.locking.mode': 'shared', 'slot.drop.on.stop': 'true' }), new MemoryOffsets());
      try {
        assert.deepEqual(ops(await pollN(ok, 2)), ['r1', 'r2']);
      } finally {
        await ok.stop();
      }
    } finally {
      await locker.end();
      await dropSlot(pgc, 'lck_slot');
    }
  });

  test('snapshot.isolation.mode: the BEGIN of each mode; read_committed with two readers and no exported snapshot completes', async () => {
    assert.equal(beginSnapshot('serializable'), 'BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE');
    assert.equal(beginSnapshot('repeatable_read'), 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    assert.equal(beginSnapshot('read_committed'), 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY');
    assert.equal(beginSnapshot('read_uncommitted'), 'BEGIN ISOLATION LEVEL READ UNCOMMITTED READ ONLY');
    // A slot created beforehand: the snapshot cannot use its exported snapshot, so the isolation mode applies.
    await sql(pgc, "SELECT pg_create_logical_replication_slot('iso_slot', 'pgoutput')");
    const task = await startTask(taskConfig(pgc, 'iso', 'public.so_small,public.so_big', {
      'snapshot.isolation.mode': 'read_committed', 'snapshot.max.threads': '2', 'slot.drop.on.stop': 'true',
    }), new MemoryOffsets());
    try {
      const rs = await pollN(task, 303, 30_000);
      assert.equal(rs.filter((r) => tableOf(r) === 'so_big').length, 300);
      assert.equal(rs.filter((r) => tableOf(r) === 'so_small').length, 3);
    } finally {
      await task.stop();
    }
  });

  test('snapshot.delay.ms: the snapshot begins only after the delay', async () => {
    const started = Date.now();
    const task = await startTask(taskConfig(pgc, 'dly', 'public.so_t', { 'snapshot.delay.ms': '1200', 'slot.drop.on.stop': 'true' }), new MemoryOffsets());
    try {
      assert.equal((await pollFor(task, 600)).length, 0, 'nothing during the delay');
      assert.deepEqual(ops(await pollN(task, 2)), ['r1', 'r2']);
      assert.ok(Date.now() - started >= 1200);
    } finally {
      await task.stop();
    }
  });

  test('streaming.delay.ms: changes are streamed only after the delay', async () => {
    const task = await startTask(taskConfig(pgc, 'sdly', 'public.so_t', { 'snapshot.mode': 'no_data', 'streaming.delay.ms': '1200', 'slot.drop.on.stop': 'true' }), new MemoryOffsets());
    try {
      await sql(pgc, 'INSERT INTO so_t VALUES (11)');
      assert.equal((await pollFor(task, 600)).length, 0, 'nothing during the delay');
      assert.deepEqual(ops(await pollN(task, 1)), ['c11']);
    } finally {
      await task.stop();
      await sql(pgc, 'DELETE FROM so_t WHERE id > 2');
    }
  });
});
