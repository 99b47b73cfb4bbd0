/**
 * Per-table settings against the throwaway cluster: replica.identity.autoset.values sets REPLICA IDENTITY at
 * start (FULL, INDEX <name>; a table two entries match is left alone), and skip.messages.without.change drops
 * updates that changed no captured column; partitioned tables are captured, with publish.via.partition.root
 * sending their partitions' changes to the root table's topic (specs/debezium-postgres.md §2, §4).
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
      CREATE TABLE sk_t(id int PRIMARY KEY, a int, b int); ALTER TABLE sk_t REPLICA IDENTITY FULL; INSERT INTO sk_t VALUES (1, 1, 1);
      CREATE TABLE pt(id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
      CREATE TABLE pt_eu PARTITION OF pt FOR VALUES IN ('eu'); CREATE TABLE pt_us PARTITION OF pt FOR VALUES IN ('us');
      INSERT INTO pt VALUES (1, 'eu', 10), (2, 'us', 20), (3, 'us', 30);`);
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

  test('publish.via.partition.root: the partitioned table is snapshotted whole and its partitions stream to its topic', async () => {
    const task = await startTask(taskConfig(pgc, 'pvr', 'public.pt', {
      'publish.via.partition.root': 'true', 'publication.autocreate.mode': 'filtered', 'slot.drop.on.stop': 'true',
      'skipped.operations': 'none',
    }), new MemoryOffsets());
    try {
      const pub = (await sql(pgc, "SELECT pubviaroot FROM pg_publication WHERE pubname = 'pvr_pub'")).rows[0] as { pubviaroot: boolean };
      assert.equal(pub.pubviaroot, true, 'created WITH (publish_via_partition_root = true)');
      const snap = await pollN(task, 3);
      assert.deepEqual(snap.map((r) => [r.topic, payload(r).op, (payload(r).after as { id: number }).id]).sort(), [
        ['pvr.public.pt', 'r', 1], ['pvr.public.pt', 'r', 2], ['pvr.public.pt', 'r', 3],
      ]);
      await sql(pgc, "INSERT INTO pt VALUES (4, 'eu', 40); UPDATE pt SET v = 21 WHERE id = 2");
      const streamed = await pollN(task, 2);
      assert.deepEqual(streamed.map((r) => [r.topic, payload(r).op, (payload(r).source as { table: string }).table, (payload(r).after as { v: number }).v]), [
        ['pvr.public.pt', 'c', 'pt', 40], ['pvr.public.pt', 'u', 'pt', 21],
      ]);
      assert.deepEqual((streamed[0]!.key as { get(f: string): unknown }).get('region'), 'eu', 'the key is the partitioned table\'s primary key');
    } finally {
      await task.stop();
    }
  });

  test('without publish.via.partition.root a partition streams to its own topic; skipped operations are not published', async () => {
    const task = await startTask(taskConfig(pgc, 'pvp', 'public.pt_us', {
      'snapshot.mode': 'no_data', 'publication.autocreate.mode': 'filtered', 'slot.drop.on.stop': 'true', 'skipped.operations': 'd,t',
    }), new MemoryOffsets());
    try {
      const pub = (await sql(pgc, "SELECT pubviaroot, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'pvp_pub'")).rows[0];
      assert.deepEqual(pub, { pubviaroot: false, pubinsert: true, pubupdate: true, pubdelete: false, pubtruncate: false }, "WITH (publish = 'insert,update')");
      await sql(pgc, "INSERT INTO pt VALUES (5, 'eu', 50), (6, 'us', 60)");
      const [r, ...more] = [...(await pollN(task, 1)), ...(await pollFor(task, 500))];
      assert.deepEqual([r!.topic, (payload(r!).after as { id: number }).id, more.length], ['pvp.public.pt_us', 6, 0]);
    } finally {
      await task.stop();
    }
  });
});
