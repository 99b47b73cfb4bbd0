/**
 * No data loss with a real worker process (`tsconnect standalone` on the embedded log):
 * - kill -9 of the worker during the snapshot of a 100k-row table, and during streaming of a 100k-row insert
 *   burst: after a restart every row is on the topic at least once, and the slot's confirmed_flush_lsn never
 *   passed a change that was not on the topic when the worker died;
 * - PostgreSQL restarted mid-stream: the connector reconnects with backoff and loses nothing;
 * - PostgreSQL gone for longer than `errors.max.retries` allows: the task goes FAILED with a clear trace.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedTopicBackend } from '../../../src/connect/topics/embedded/index.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { WorkerProcess, freePort, waitFor } from '../../helpers/worker-process.js';
import { confirmedFlush, sql } from './harness.js';

const ROWS = 100_000;
const TOPIC = 'crash.public.crash_t';

/** Every row id on the topic (with repeats), read from the beginning through a read-only view of the log. */
async function topicIds(logDir: string): Promise<number[]> {
  const backend = new EmbeddedTopicBackend({ dir: logDir, access: 'auto' });
  await backend.start();
  try {
    const end = (await backend.offsets(TOPIC).catch(() => [{ end: 0 }]))[0]!.end;
    const ids: number[] = [];
    if (end === 0) return ids;
    const c = backend.consumer(`reader-${Date.now()}-${Math.random()}`, { clientId: 'reader', properties: { 'max.poll.records': '5000', 'auto.offset.reset': 'earliest' } });
    await c.subscribe([TOPIC]);
    let read = 0;
    while (read < end) {
      for (const r of await c.poll(500)) {
        read++;
        if (!r.value) continue;
        const v = JSON.parse(r.value.toString('utf8')) as { after: { id: number } | null };
        if (v.after) ids.push(v.after.id);
      }
    }
    await c.close();
    return ids;
  } finally {
    await backend.close();
  }
}

async function topicSize(logDir: string): Promise<number> {
  const backend = new EmbeddedTopicBackend({ dir: logDir, access: 'auto' });
  await backend.start();
  try {
    return (await backend.offsets(TOPIC).catch(() => [{ end: 0 }]))[0]!.end;
  } finally {
    await backend.close();
  }
}

function missing(ids: number[], from: number, to: number): number[] {
  const seen = new Set(ids);
  const out: number[] = [];
  for (let i = from; i <= to; i++) if (!seen.has(i)) out.push(i);
  return out;
}

const lsnOf = (text: string): number => {
  const [hi, lo] = text.split('/');
  return parseInt(hi!, 16) * 4294967296 + parseInt(lo!, 16);
};

describe('no data loss with a real worker: kill -9, PostgreSQL restart, retries exhausted', { timeout: 200_000 }, () => {
  let pgc: PostgresCluster;
  let dir: string;
  let worker: WorkerProcess;
  let logDir: string;

  const connector = (name: string, extra: Record<string, string> = {}) => ({
    name,
    config: {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': pgc.host,
      'database.port': String(pgc.port),
      'database.user': 'postgres',
      'database.password': 'postgres',
      'database.dbname': 'postgres',
      'topic.prefix': 'crash',
      'table.include.list': 'public.crash_t',
      'snapshot.fetch.size': '2000',
      'retriable.restart.connector.wait.ms': '300',
      ...extra,
    },
  });

  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, `CREATE TABLE crash_t(id int PRIMARY KEY, payload text NOT NULL);
      INSERT INTO crash_t SELECT g, md5(g::text) FROM generate_series(1, ${ROWS}) g`);
    dir = await mkdtemp(join(tmpdir(), 'tsconnect-pg-crash-'));
    logDir = join(dir, 'log');
    worker = new WorkerProcess(dir, await freePort(), {
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '200',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter.schemas.enable': 'false',
    });
  });
  after(async () => {
    await worker?.stop();
    await pgc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('kill -9 during the snapshot: the snapshot starts over and every row arrives', async (t) => {
    await worker.start();
    const res = await worker.request('POST', '/connectors', connector('crash'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await waitFor('part of the snapshot on the topic', async () => (await topicSize(logDir)) >= 15_000, 60_000);
    await worker.kill9();
    const atCrash = await topicIds(logDir);
    t.diagnostic(`killed with ${atCrash.length} of ${ROWS} snapshot rows on the topic`);
    assert.ok(atCrash.length < ROWS, 'the crash happened mid-snapshot');

    await worker.start();
    const ids = await waitFor('every snapshot row on the topic', async () => {
      const ids = await topicIds(logDir);
      return new Set(ids).size >= ROWS ? ids : undefined;
    }, 90_000);
    assert.deepEqual(missing(ids, 1, ROWS), []);
  });

  test('kill -9 during a 100k-row insert burst: nothing lost, the slot never ahead of the topic', async (t) => {
    const client = new pg.Client({ connectionString: pgc.connectionString });
    await client.connect();
    // 100 transactions of 1000 rows; after each commit, an LSN at or after its end.
    const commits: { end: number; from: number; to: number }[] = [];
    const burst = (async () => {
      for (let i = 0; i < 100; i++) {
        const from = ROWS + i * 1000 + 1;
        const to = from + 999;
        await client.query('INSERT INTO crash_t SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g', [from, to]);
        const r = await client.query('SELECT pg_current_wal_lsn()::text AS l');
        commits.push({ end: lsnOf((r.rows[0] as { l: string }).l), from, to });
      }
    })();
    const samples: number[] = [];
    await waitFor('streamed rows on the topic', async () => {
      const cf = await confirmedFlush(pgc, 'debezium');
      if (cf) samples.push(cf);
      // Crash once some burst transactions are confirmed to the server, while the stream is still behind.
      return cf !== null && commits.some((c) => c.end <= cf) && (await topicSize(logDir)) >= ROWS + 20_000;
    }, 60_000);
    await worker.kill9();
    await burst;
    await client.end();

    const cf = (await confirmedFlush(pgc, 'debezium'))!;
    const atCrash = await topicIds(logDir);
    const onTopic = new Set(atCrash);
    const streamed = atCrash.filter((id) => id > ROWS).length;
    t.diagnostic(`killed with ${streamed} streamed rows on the topic; confirmed_flush_lsn ${cf}; ${samples.length} samples`);
    assert.ok(new Set(atCrash.filter((id) => id > ROWS)).size < 100_000, 'the crash happened mid-stream');
    assert.ok(samples.every((s, i) => i === 0 || s >= samples[i - 1]!), 'confirmed_flush_lsn never moves backwards');
    // Every transaction that ended at or before the confirmed LSN is entirely on the topic.
    const confirmedTx = commits.filter((c) => c.end <= cf);
    assert.ok(confirmedTx.length > 0, 'the slot advanced during the burst (the check is not vacuous)');
    for (const c of confirmedTx) {
      for (let id = c.from; id <= c.to; id++) assert.ok(onTopic.has(id), `row ${id} was confirmed to the server (tx ending ${c.end} <= ${cf}) but is not on the topic`);
    }

    await worker.start();
    const ids = await waitFor('every row on the topic', async () => {
      const ids = await topicIds(logDir);
      return new Set(ids).size >= ROWS + 100_000 ? ids : undefined;
    }, 90_000);
    assert.deepEqual(missing(ids, 1, ROWS + 100_000), []);
  });

  test('PostgreSQL restarted mid-stream: the connector reconnects and loses nothing', async () => {
    const base = ROWS + 100_000;
    await sql(pgc, 'INSERT INTO crash_t SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g', [base + 1, base + 5000]);
    await pgc.restart();
    await sql(pgc, 'INSERT INTO crash_t SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g', [base + 5001, base + 10_000]);
    const ids = await waitFor('rows from before and after the restart', async () => {
      const ids = await topicIds(logDir);
      return new Set(ids).size >= base + 10_000 ? ids : undefined;
    }, 60_000);
    assert.deepEqual(missing(ids, 1, base + 10_000), []);
    assert.match(worker.logs, /Replication stream lost; reconnecting/, 'the stream was lost and re-established');
    const status = await worker.request('GET', '/connectors/crash/status');
    assert.equal((status.body as { tasks: { state: string }[] }).tasks[0]!.state, 'RUNNING');
  });

  test('retries exhausted while PostgreSQL is down: the task goes FAILED with a clear trace', async () => {
    const res = await worker.request('POST', '/connectors', connector('fragile', {
      'topic.prefix': 'fragile', 'slot.name': 'fragile', 'snapshot.mode': 'no_data', 'errors.max.retries': '2', 'retriable.restart.connector.wait.ms': '200',
    }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await waitFor('fragile RUNNING', async () => {
      const s = await worker.request('GET', '/connectors/fragile/status');
      return (s.body as { tasks?: { state: string }[] }).tasks?.[0]?.state === 'RUNNING';
    });
    await waitFor('the slot in use', async () => (await sql(pgc, "SELECT active FROM pg_replication_slots WHERE slot_name = 'fragile'")).rows[0]?.active === true);
    await pgc.kill9();
    try {
      const task = await waitFor('fragile FAILED', async () => {
        const s = await worker.request('GET', '/connectors/fragile/status');
        const task = (s.body as { tasks: { state: string; trace?: string }[] }).tasks[0];
        return task?.state === 'FAILED' ? task : undefined;
      }, 30_000);
      assert.match(task.trace ?? '', /errors\.max\.retries=2/);
      assert.match(task.trace ?? '', /ConnectException/);
    } finally {
      await pgc.restart();
    }
  });
});
