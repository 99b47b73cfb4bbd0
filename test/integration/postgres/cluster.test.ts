import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';

async function query(c: PostgresCluster, sql: string, password = c.password): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: c.host, port: c.port, user: c.user, password, database: c.database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('throwaway PostgreSQL cluster', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('runs with logical WAL and enough replication slots', async () => {
    const r = await query(cluster, "SELECT current_setting('wal_level') AS w, current_setting('max_replication_slots')::int AS s, current_setting('max_wal_senders')::int AS m");
    assert.equal(r.rows[0].w, 'logical');
    assert.ok(r.rows[0].s >= 10);
    assert.ok(r.rows[0].m >= 10);
    assert.match(cluster.connectionString, new RegExp(`:${cluster.port}/postgres$`));
    assert.equal(cluster.host, '127.0.0.1');
  });

  test('rejects a wrong password over TCP', async () => {
    await assert.rejects(query(cluster, 'SELECT 1', 'wrong'), /password authentication failed/);
  });

  test('accepts a replication connection with the password', async () => {
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: 'postgres', password: 'postgres', database: 'postgres', replication: 'database' } as pg.ClientConfig);
    await client.connect();
    const r = await client.query('IDENTIFY_SYSTEM');
    await client.end();
    assert.equal(r.rows.length, 1);
    assert.ok(r.rows[0].xlogpos);
  });

  test('restart keeps data; kill9 then restart recovers', async () => {
    await query(cluster, 'CREATE TABLE t(id int primary key); INSERT INTO t VALUES (1),(2)');
    await cluster.restart();
    assert.equal((await query(cluster, 'SELECT count(*)::int AS n FROM t')).rows[0].n, 2);
    await query(cluster, 'INSERT INTO t VALUES (3)');
    await cluster.kill9();
    await assert.rejects(query(cluster, 'SELECT 1'));
    await cluster.restart();
    assert.equal((await query(cluster, 'SELECT count(*)::int AS n FROM t')).rows[0].n, 3);
  });

  test('stop removes the data directory', async () => {
    const other = await startPostgres({ walLevel: 'replica', extraConf: { work_mem: '8MB' } });
    const r = await query(other, "SELECT current_setting('wal_level') AS w, current_setting('work_mem') AS m");
    assert.equal(r.rows[0].w, 'replica');
    assert.equal(r.rows[0].m, '8MB');
    assert.ok(existsSync(other.dataDir));
    await other.stop();
    assert.equal(existsSync(other.dataDir), false);
  });
});
