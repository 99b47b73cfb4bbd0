/**
 * Per-table settings against the throwaway cluster: replica.identity.autoset.values sets REPLICA IDENTITY at
 * start (FULL, INDEX <name>; a table two entries match is left alone), and skip.messages.without.change drops
 * updates that changed no captured column (specs/debezium-postgres.md §2, §4).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parsePostgresConfig } from '../../../src/connectors/postgres/config.js';
import { ConfigException } from '../../../src/connect/errors.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, payload, pollFor, pollN, sql, startTask, taskConfig } from './harness.js';

let pgc: PostgresCluster;

const identity = async (table: string) =>
  ((await sql(pgc, `SELECT c.relreplident AS k, (SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = c.oid AND x.indisreplident) AS idx FROM pg_class c WHERE c.oid = $1::regclass`, [table])).rows[0] as { k: string; idx: string | null });

describe('table settings', () => {
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, `CREATE TABLE ri_full(id int PRIMARY KEY, a text, b text); INSERT INTO ri_full VALUES (1, 'a', 'b');
      CREATE TABLE ri_idx(id int PRIMARY KEY, code text NOT NULL); CREATE UNIQUE INDEX ri_idx_code ON ri_idx(code);
      CREATE TABLE ri_two(id int PRIMARY KEY);
      CREATE TABLE sk_t(id int PRIMARY KEY, a int, b int); ALTER TABLE sk_t REPLICA IDENTITY FULL; INSERT INTO sk_t VALUES (1, 1, 1);`);
  });
  after(async () => {
    await pgc?.stop();
  });

  test('replica.identity.autoset.values: FULL and INDEX set at start; a table matched twice is left alone', async () => {
    const task = await startTask(taskConfig(pgc, 'ri', 'public.ri_.*', {
      'snapshot.mode': 'no_data', 'slot.drop.on.stop': 'true',
      'replica.identity.autoset.values': 'public.ri_full:FULL, PUBLIC.RI_IDX:INDEX ri_idx_code,public\\.ri_two:FULL,public\\.ri_t.*:NOTHING',
    }), new MemoryOffsets());
    try {
      assert.deepEqual(await identity('ri_full'), { k: 'f', idx: null });
      assert.deepEqual(await identity('ri_idx'), { k: 'i', idx: 'ri_idx_code' });
      assert.deepEqual(await identity('ri_two'), { k: 'd', idx: null }, 'two entries match: unchanged');
      // FULL: an update carries the whole old row.
      await sql(pgc, "UPDATE ri_full SET a = 'a2' WHERE id = 1");
      const [u] = await pollN(task, 1);
      assert.deepEqual(payload(u!).before, { id: 1, a: 'a', b: 'b' });
    } finally {
      await task.stop();
    }
  });

  test('replica.identity.autoset.values: a malformed entry is a config error naming it', () => {
    const base = { 'topic.prefix': 't', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd' };
    assert.throws(() => parsePostgresConfig({ ...base, 'replica.identity.autoset.values': 'public.t:SOMETIMES' }), (e: unknown) => e instanceof ConfigException && /public\.t:SOMETIMES.*invalid format/.test(e.message));
    assert.equal(parsePostgresConfig({ ...base, 'replica.identity.autoset.values': 'public.t:index t_idx' }).replicaIdentityRules[0]!.identity.index, 't_idx');
  });

  for (const skip of [true, false]) {
    test(`skip.messages.without.change=${skip}: an update of an excluded column only ${skip ? 'is dropped' : 'is emitted'}`, async () => {
      const prefix = skip ? 'sky' : 'skn';
      const task = await startTask(taskConfig(pgc, prefix, 'public.sk_t', {
        'snapshot.mode': 'no_data', 'slot.drop.on.stop': 'true', 'column.exclude.list': 'public.sk_t.b',
        'skip.messages.without.change': String(skip),
      }), new MemoryOffsets());
      try {
        await sql(pgc, 'UPDATE sk_t SET b = b + 1 WHERE id = 1');
        await sql(pgc, 'UPDATE sk_t SET a = a + 1 WHERE id = 1');
        const got = [...(await pollN(task, skip ? 1 : 2)), ...(await pollFor(task, 500))];
        const changes = got.map((r) => [(payload(r).before as { a: number }).a, (payload(r).after as { a: number }).a]);
        assert.equal(changes.length, skip ? 1 : 2);
        assert.deepEqual(changes.at(-1), [changes.at(-1)![1] - 1, changes.at(-1)![1]], 'the update of a is emitted');
      } finally {
        await task.stop();
      }
    });
  }
});
