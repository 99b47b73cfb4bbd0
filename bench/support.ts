/**
 * Pieces the PostgreSQL benches share: the benchmark table's shape, a standalone worker in this process,
 * paced single-row inserts, percentiles and this process's peak RSS.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { startStandalone, type StandaloneWorker } from '../src/connect/connect-standalone.js';
import { configureLogging } from '../src/connect/logging.js';
import { applyWorkerHeapPolicy } from '../src/connect/heap-policy.js';

/** The columns of every benchmark table (int, text, double, timestamptz, numeric, jsonb). */
export const COLUMNS = 'id int PRIMARY KEY, name text, score double precision, at timestamptz, amount numeric(12,4), doc jsonb';
/** A `SELECT` of one row per `g` for those columns: append `FROM generate_series(a, b) g`. */
export const ROW_SQL = `SELECT g, 'name-' || g, g * 0.5, now(), g * 1.25, jsonb_build_object('k', g, 'tags', jsonb_build_array('a', 'b'))`;

/** This process's peak resident set (VmHWM), in MB. */
export async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** /proc/stat counts in USER_HZ ticks: 100 per second on Linux. */
export const CLOCK_TICKS = 100;

/** The bytes of the files under `dir` (recursively). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? e.path, e.name))).size;
  }
  return total;
}

/** The machine's CPU time counters from /proc/stat (jiffies): busy and total, over all cores. */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** The `p`th percentile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * A standalone worker in this process on the embedded log (JsonConverter, offsets in `dir`), with
 * BENCH_WORKER_PROPS (JSON) over those keys; this process gets the heap policy the `tsconnect` command gives
 * a worker (src/connect/heap-policy.ts).
 */
export function startBenchWorker(dir: string): Promise<StandaloneWorker> {
  const props = {
    'offset.storage.file.filename': join(dir, 'connect.offsets'),
    'offset.flush.interval.ms': '1000',
    listeners: 'http://127.0.0.1:0',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    ...(JSON.parse(process.env.BENCH_WORKER_PROPS ?? '{}') as Record<string, string>),
  };
  applyWorkerHeapPolicy(props);
  return startStandalone(props, [], configureLogging({ level: 'warn' }));
}

/** Single-row autocommit inserts into `table` (ids 1..total, ROW_SQL values) at `rate` rows/s. */
export async function pacedInserts(db: pg.Pool, table: string, total: number, rate: number): Promise<void> {
  const tick = 10;
  const perTick = Math.max(1, Math.round((rate * tick) / 1000));
  const l0 = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let sent = 0; sent < total; ) {
    for (let k = 0; k < perTick && sent < total; k++, sent++) {
      pending.push(db.query(`INSERT INTO ${table}(id, name, score, at, amount, doc) ${ROW_SQL} FROM generate_series(${sent + 1}, ${sent + 1}) g`));
    }
    const wait = l0 + (sent / perTick) * tick - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
}
