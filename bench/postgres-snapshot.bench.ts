/**
 * PostgreSQL snapshot throughput against `COPY (SELECT ...) TO STDOUT` measured in the same run.
 *
 *   node --import tsx bench/postgres-snapshot.bench.ts
 *   npx tsc -p tsconfig.bench.json && node .cache/bench/bench/postgres-snapshot.bench.js   # compiled, as production runs
 *   BENCH_ROWS=1000000 BENCH_THREADS=1,2 node --import tsx bench/postgres-snapshot.bench.ts
 *
 * ROWS rows (int, text, double, timestamptz, numeric, jsonb). Reference: psql runs
 * `COPY (SELECT <columns> FROM snap_t) TO STDOUT` into /dev/null. Then, for each `snapshot.max.threads`
 * value in BENCH_THREADS, a standalone worker in this process (embedded log, fsync=always; JsonConverter
 * with schemas.enable=true; no SMT) snapshots the table until every row is on the topic. Printed: rows/s,
 * ratio to COPY (goal >= 0.3), peak RSS of this process (the worker).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findPostgresBinDir, startPostgres } from '../src/testing/postgres-cluster.js';
import { COLUMNS, cpuMark, cpuPerRow, directoryBytes, peakRssMb, ROW_SQL, startBenchWorker } from './support.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const THREADS = (process.env.BENCH_THREADS ?? '1').split(',').map(Number);
const execFileP = promisify(execFile);

async function main(): Promise<void> {
  const cluster = await startPostgres({ extraConf: { shared_buffers: '512MB', max_wal_size: '4GB' } });
  const client = new pg.Client({ connectionString: cluster.connectionString });
  await client.connect();
  try {
    await client.query(`CREATE TABLE snap_t(${COLUMNS})`);
    const t0 = performance.now();
    await client.query(`INSERT INTO snap_t ${ROW_SQL} FROM generate_series(1, ${ROWS}) g`);
    await client.query('VACUUM ANALYZE snap_t');
    console.log(`loaded ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const r0 = performance.now();
    await execFileP(join(findPostgresBinDir(), 'psql'), [
      '-h', cluster.host, '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '-q', '-o', '/dev/null',
      '-c', 'COPY (SELECT id, name, score, at, amount, doc FROM snap_t) TO STDOUT',
    ], { env: { ...process.env, PGPASSWORD: 'postgres' }, maxBuffer: 1024 * 1024 });
    const refS = (performance.now() - r0) / 1000;
    const refRate = ROWS / refS;
    console.log(`COPY TO STDOUT  ${refS.toFixed(2)} s  ${Math.round(refRate)} rows/s`);

    for (const threads of THREADS) {
      const dir = await mkdtemp(join(tmpdir(), 'tsconnect-bench-snap-'));
      const worker = await startBenchWorker(dir);
      try {
        const c0 = performance.now();
        const cpu0 = await cpuMark();
        const res = await fetch(`${worker.url}/connectors`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            name: 'snap',
            config: {
              'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
              'database.hostname': cluster.host, 'database.port': String(cluster.port), 'database.user': 'postgres',
              'database.password': 'postgres', 'database.dbname': 'postgres', 'topic.prefix': `snap${threads}`,
              'slot.name': `snap${threads}`, 'slot.drop.on.stop': 'true', 'table.include.list': 'public.snap_t',
              'snapshot.mode': 'initial_only', 'snapshot.max.threads': String(threads),
              ...(JSON.parse(process.env.BENCH_CONNECTOR_PROPS ?? '{}') as Record<string, string>),
            },
          }),
        });
        if (res.status !== 201) throw new Error(`create connector: ${res.status} ${await res.text()}`);
        const topic = `snap${threads}.public.snap_t`;
        while (((await worker.backend.offsets(topic).catch(() => [{ end: 0 }]))[0]!.end) < ROWS) await new Promise((r) => setTimeout(r, 50));
        const s = (performance.now() - c0) / 1000;
        const cpu = await cpuPerRow(cpu0, ROWS);
        const rate = ROWS / s;
        console.log(`connector (snapshot.max.threads=${threads})  ${s.toFixed(2)} s  ${Math.round(rate)} rows/s  ratio ${(rate / refRate).toFixed(2)} (goal >= 0.3); worker CPU ${((cpu.workerSeconds / s) * 100).toFixed(0)}% of one core; peak RSS ${(await peakRssMb()).toFixed(0)} MB`);
        // What the run cost: bytes written per record (the log's size on disk), CPU per row in this process and in
        // the rest of the machine (PostgreSQL), and the rate all cores could reach at that cost.
        const bytes = await directoryBytes(dir);
        console.log(`  ${Math.round(bytes / ROWS)} bytes per record on disk (${(bytes / s / 1e6).toFixed(0)} MB/s written); CPU per row: worker ${cpu.workerUs.toFixed(1)} µs, rest ${cpu.restUs.toFixed(1)} µs; all ${cpu.cores} cores at that cost: ${Math.round(cpu.bound)} rows/s, ratio ${(cpu.bound / refRate).toFixed(2)}`);
        await fetch(`${worker.url}/connectors/snap`, { method: 'DELETE' });
      } finally {
        await worker.stop();
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await client.end();
    await cluster.stop();
  }
}

await main();
