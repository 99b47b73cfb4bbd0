/**
 * PostgreSQL streaming throughput and latency, against pg_recvlogical measured in the same run.
 *
 *   node --import tsx bench/postgres-streaming.bench.ts
 *   npx tsc -p tsconfig.bench.json && node .cache/bench/bench/postgres-streaming.bench.js   # compiled, as production runs
 *   BENCH_ROWS=200000 BENCH_LATENCY_RATE=2000 BENCH_LATENCY_SECONDS=5 node --import tsx bench/postgres-streaming.bench.ts
 *
 * Throughput: ROWS rows (int, text, double, timestamptz, numeric, jsonb) inserted in transactions of 1000
 * while two pgoutput slots exist, so both hold the same backlog. Reference: `pg_recvlogical` (proto 1, the
 * same publication) drains its slot into /dev/null up to the end LSN. Then a standalone worker (in this
 * process, the embedded log with fsync=always) runs the PostgreSQL connector with ExtractNewRecordState and
 * JsonConverter (schemas.enable=true) on the other slot until every row is on the topic. Printed: rows/s of
 * each, their ratio (goal >= 0.6), and the worker's peak RSS (goal <= 150 MB; this process is the worker).
 *
 * Latency: single-row autocommit inserts (synchronous_commit=on) at LATENCY_RATE rows/s for LATENCY_SECONDS;
 * for each row, the time from its commit (`source.ts_us`, added to the row by the SMT) to the moment a
 * consumer of the embedded log sees it. Printed: p50 / p99 / max.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { StandaloneWorker } from '../src/connect/connect-standalone.js';
import { findPostgresBinDir, startPostgres } from '../src/testing/postgres-cluster.js';
import { COLUMNS, cpuMark, cpuPerRow, pacedInserts, peakRssMb, percentile, ROW_SQL, startBenchWorker } from './support.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const TX = 1000;
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);
const execFileP = promisify(execFile);

async function main(): Promise<void> {
  const cluster = await startPostgres({ extraConf: { shared_buffers: '256MB', max_wal_size: '2GB', logical_decoding_work_mem: '256MB' } });
  const dir = await mkdtemp(join(tmpdir(), 'tsconnect-bench-pg-'));
  const client = new pg.Client({ connectionString: cluster.connectionString });
  await client.connect();
  let worker: StandaloneWorker | null = null;
  try {
    await client.query(`CREATE TABLE bench_t(${COLUMNS}); CREATE TABLE lat_t(${COLUMNS}); CREATE PUBLICATION dbz_publication FOR ALL TABLES`);
    await client.query("SELECT pg_create_logical_replication_slot('recv', 'pgoutput'), pg_create_logical_replication_slot('debezium', 'pgoutput')");
    const t0 = performance.now();
    for (let i = 0; i < ROWS; i += TX) {
      await client.query(`INSERT INTO bench_t(id, name, score, at, amount, doc) ${ROW_SQL} FROM generate_series(${i + 1}, ${Math.min(i + TX, ROWS)}) g`);
    }
    const insertS = (performance.now() - t0) / 1000;
    const endLsn = ((await client.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0] as { l: string }).l;
    console.log(`inserted ${ROWS} rows in ${ROWS / TX} transactions in ${insertS.toFixed(2)} s; end LSN ${endLsn}`);

    // Reference: pg_recvlogical drains the same changes from its own slot.
    const bin = findPostgresBinDir();
    const r0 = performance.now();
    await execFileP(join(bin, 'pg_recvlogical'), [
      '-h', cluster.host, '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '--slot', 'recv', '--start',
      '-o', 'proto_version=1', '-o', 'publication_names=dbz_publication', '--endpos', endLsn, '--no-loop', '-f', '/dev/null',
    ], { env: { ...process.env, PGPASSWORD: 'postgres' } });
    const refS = (performance.now() - r0) / 1000;

    // The connector in a standalone worker in this process.
    worker = await startBenchWorker(dir);
    const c0 = performance.now();
    const cpu0 = await cpuMark();
    const res = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'bench',
        config: {
          'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
          'database.hostname': cluster.host, 'database.port': String(cluster.port), 'database.user': 'postgres',
          'database.password': 'postgres', 'database.dbname': 'postgres', 'topic.prefix': 'bench',
          'table.include.list': 'public.bench_t,public.lat_t', 'snapshot.mode': 'no_data', 'poll.interval.ms': '10',
          transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.add.fields': 'source.ts_us',
          ...(JSON.parse(process.env.BENCH_CONNECTOR_PROPS ?? '{}') as Record<string, string>),
        },
      }),
    });
    if (res.status !== 201) throw new Error(`create connector: ${res.status} ${await res.text()}`);
    const backend = worker.backend;
    const endOf = async (topic: string) => (await backend.offsets(topic).catch(() => [{ end: 0 }]))[0]!.end;
    let maxHeap = 0;
    let maxExternal = 0;
    let firstS = 0;
    for (let end = 0; end < ROWS; end = await endOf('bench.public.bench_t')) {
      if (end > 0 && firstS === 0) firstS = (performance.now() - c0) / 1000;
      const m = process.memoryUsage();
      maxHeap = Math.max(maxHeap, m.heapUsed);
      maxExternal = Math.max(maxExternal, m.external); // arrayBuffers is part of external
      await new Promise((r) => setTimeout(r, 20));
    }
    if (process.env.BENCH_VERBOSE) console.log(`first record on the topic after ${firstS.toFixed(2)} s; max heap used ${(maxHeap / 1e6).toFixed(0)} MB, max external ${(maxExternal / 1e6).toFixed(0)} MB`);
    const conS = (performance.now() - c0) / 1000;
    const cpu = await cpuPerRow(cpu0, ROWS);
    const refRate = ROWS / refS;
    const conRate = ROWS / conS;
    console.log(`pg_recvlogical  ${refS.toFixed(2)} s  ${Math.round(refRate)} rows/s`);
    console.log(`connector       ${conS.toFixed(2)} s  ${Math.round(conRate)} rows/s  (ExtractNewRecordState + JsonConverter -> embedded log); worker CPU ${((cpu.workerSeconds / conS) * 100).toFixed(0)}% of one core`);
    console.log(`ratio ${(conRate / refRate).toFixed(2)} (goal >= 0.6); peak RSS ${(await peakRssMb()).toFixed(0)} MB (goal <= 150)`);
    // Where the CPU went: this process (the worker, all its threads) and the rest of the machine (mostly the
    // walsender decoding for it). Their sum bounds what any split of the work over the cores could reach.
    console.log(`CPU per row: worker ${cpu.workerUs.toFixed(1)} µs, rest of the machine ${cpu.restUs.toFixed(1)} µs; with all ${cpu.cores} cores busy at that cost: ${Math.round(cpu.bound)} rows/s, ratio ${(cpu.bound / refRate).toFixed(2)}`);

    // Latency at RATE rows/s.
    const consumer = backend.consumer('latency', { clientId: 'latency', properties: { 'auto.offset.reset': 'earliest' } });
    await consumer.subscribe(['bench.public.lat_t']);
    const latencies: number[] = [];
    const total = RATE * SECONDS;
    let consuming = true;
    const consume = (async () => {
      while (consuming && latencies.length < total) {
        for (const r of await consumer.poll(100)) {
          const now = Date.now() * 1000;
          const v = JSON.parse(r.value!.toString('utf8')) as { payload: { __source_ts_us: number } };
          latencies.push((now - v.payload.__source_ts_us) / 1000);
        }
      }
    })();
    // A few connections, so that a slow commit (fsync) does not hold back the pace.
    const ins = new pg.Pool({ connectionString: cluster.connectionString, max: 8 });
    const l0 = Date.now();
    await pacedInserts(ins, 'lat_t', total, RATE);
    const achieved = total / ((Date.now() - l0) / 1000);
    await ins.end();
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    consuming = false;
    await consume;
    await consumer.close();
    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p: number) => percentile(sorted, p);
    console.log(`latency commit -> topic at ${Math.round(achieved)} rows/s (${sorted.length} rows): p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
  } finally {
    await worker?.stop();
    await client.end();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
