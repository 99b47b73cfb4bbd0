/**
 * The embedded engine against the worker, on the same PostgreSQL connector in the same run.
 *
 *   node --import tsx bench/engine.bench.ts
 *   BENCH_ROWS=200000 BENCH_REPEAT=1 BENCH_FSYNC=always BENCH_SIDES=worker,json,connect node --import tsx bench/engine.bench.ts
 *
 * For each side a fresh table and slot; once the connector streams, one INSERT ... SELECT generate_series writes
 * BENCH_ROWS rows in one transaction; the clock runs from the INSERT's commit until the last change arrived:
 * - reference: a standalone worker (embedded log on a temporary directory, JsonConverter keys and values,
 *   `embedded.log.fsync` BENCH_FSYNC) until the topic's end offset reaches BENCH_ROWS;
 * - engine: a batch handler that only marks each batch finished (no-op), in the `json` format (the same
 *   JsonConverter bytes the worker writes, as text) and in the `connect` format (no serialization).
 * Rows/s of each, and the engine's as a ratio to the worker's. With BENCH_REPEAT > 1 the best run of each is kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startStandalone } from '../src/connect/connect-standalone.js';
import { configureLogging } from '../src/connect/logging.js';
import { createEngine, type EngineFormat } from '../src/engine/index.js';
import { startPostgres, type PostgresCluster } from '../src/testing/postgres-cluster.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 1);
const FSYNC = process.env.BENCH_FSYNC ?? 'always';
/** Which runs to do (for profiling one side): worker, json, connect. */
const SIDES = (process.env.BENCH_SIDES ?? 'worker,json,connect').split(',');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sql(c: PostgresCluster, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: c.connectionString });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function slotActive(c: PostgresCluster, slot: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: c.connectionString });
  await client.connect();
  try {
    const r = await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return (r.rows[0] as { active?: boolean } | undefined)?.active === true;
  } finally {
    await client.end();
  }
}

function connectorConfig(c: PostgresCluster, id: string): Record<string, string> {
  return {
    name: id,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': c.host,
    'database.port': String(c.port),
    'database.user': c.user,
    'database.password': c.password,
    'database.dbname': c.database,
    'topic.prefix': id,
    'slot.name': id,
    'table.include.list': `public.${id}`,
  };
}

async function createTable(c: PostgresCluster, table: string): Promise<void> {
  await sql(c, `CREATE TABLE ${table}(id int PRIMARY KEY, sepal_length float8, sepal_width float8, petal_length float8, petal_width float8, iris_class int)`);
}

/** The burst; resolves with the time of its commit. */
async function insertBurst(c: PostgresCluster, table: string): Promise<number> {
  await sql(c, `INSERT INTO ${table} SELECT i, 5.1, 3.5, 1.4, 0.2, i % 3 FROM generate_series(1, ${ROWS}) i`);
  return performance.now();
}

async function waitUntil(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

async function workerRun(c: PostgresCluster, run: number): Promise<number> {
  const id = `bench_worker_${run}`;
  await createTable(c, id);
  const dir = await mkdtemp(join(tmpdir(), 'tsconnect-bench-engine-'));
  const worker = await startStandalone(
    {
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'offset.storage.file.filename': join(dir, 'offsets.json'),
      'embedded.log.fsync': FSYNC,
      listeners: 'http://127.0.0.1:0',
    },
    [{ name: id, config: connectorConfig(c, id) }],
    configureLogging({ level: 'warn' }),
  );
  try {
    await waitUntil(() => slotActive(c, id), 'worker streaming');
    const topic = `${id}.public.${id}`;
    const t0 = await insertBurst(c, id);
    await waitUntil(async () => {
      const offsets = await worker.backend.offsets(topic).catch(() => []);
      return offsets.reduce((n, p) => n + p.end, 0) >= ROWS;
    }, 'worker burst');
    return (performance.now() - t0) / 1000;
  } finally {
    await worker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function engineRun(c: PostgresCluster, run: number, format: EngineFormat): Promise<number> {
  const id = `bench_engine_${format.replace('-', '_')}_${run}`;
  await createTable(c, id);
  let seen = 0;
  const engine = createEngine({
    properties: { ...connectorConfig(c, id), 'offset.storage': 'memory' },
    format,
    handler: (records, committer) => {
      seen += records.length;
      committer.markBatchFinished();
    },
  });
  await engine.start();
  try {
    await waitUntil(() => slotActive(c, id), 'engine streaming');
    const t0 = await insertBurst(c, id);
    await waitUntil(() => seen >= ROWS, 'engine burst');
    return (performance.now() - t0) / 1000;
  } finally {
    await engine.stop();
  }
}

const pgc = await startPostgres();
try {
  const best = { worker: Infinity, json: Infinity, connect: Infinity };
  for (let run = 0; run < REPEAT; run++) {
    if (SIDES.includes('worker')) best.worker = Math.min(best.worker, await workerRun(pgc, run));
    if (SIDES.includes('json')) best.json = Math.min(best.json, await engineRun(pgc, run, 'json'));
    if (SIDES.includes('connect')) best.connect = Math.min(best.connect, await engineRun(pgc, run, 'connect'));
  }
  const rate = (s: number) => Math.round(ROWS / s);
  console.log(`${ROWS} rows in one transaction, best of ${REPEAT}`);
  console.log(`worker -> embedded log (fsync=${FSYNC}), JsonConverter: ${best.worker.toFixed(2)} s, ${rate(best.worker)} rows/s (reference)`);
  console.log(`engine, json format, no-op handler:    ${best.json.toFixed(2)} s, ${rate(best.json)} rows/s, ratio ${(best.worker / best.json).toFixed(2)}`);
  console.log(`engine, connect format, no-op handler: ${best.connect.toFixed(2)} s, ${rate(best.connect)} rows/s, ratio ${(best.worker / best.connect).toFixed(2)}`);
} finally {
  await pgc.stop();
}
