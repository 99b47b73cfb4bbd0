/**
 * Pieces the PostgreSQL benches share: the benchmark table's shape, a standalone worker in this process,
 * paced single-row inserts, percentiles, this process's peak RSS, bytes on disk and CPU per row.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
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

/** The bytes of the files under `dir` (recursively); a file replaced or deleted meanwhile counts 0. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  // Relative paths rather than Dirents: Dirent.parentPath is only in Node >= 20.12 (before it, `path`).
  for (const name of await readdir(dir, { recursive: true })) {
    const s = await stat(join(dir, name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null; // e.g. the offsets file's temporary copy, renamed since
      throw e;
    });
    if (s?.isFile()) total += s.size;
  }
  return total;
}

/** /proc/stat counts in USER_HZ ticks: 100 per second on Linux (every architecture Node runs on). */
const CLOCK_TICKS = 100;

/**
 * CPU time the whole machine (all processes, all cores) has spent working since boot, in µs: from /proc/stat's
 * `cpu` line, user + nice + system + irq + softirq. Not idle or iowait (waiting is idle), not steal (another
 * guest of the hypervisor ran), not guest/guest_nice (already counted in user/nice).
 */
async function machineBusyUs(): Promise<number> {
  const f = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return ((f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) / CLOCK_TICKS) * 1e6;
}

/** A starting point of cpuPerRow(): this process's CPU usage and the machine's busy time. */
export interface CpuMark {
  process: NodeJS.CpuUsage;
  machineBusyUs: number;
}

export async function cpuMark(): Promise<CpuMark> {
  return { process: process.cpuUsage(), machineBusyUs: await machineBusyUs() };
}

/**
 * Where the CPU went since `mark` for `rows` rows: this process (the worker, all its threads) and the rest of
 * the machine (PostgreSQL, and whatever else ran meanwhile), per row; `bound` is the rate all `cores` could
 * reach at that cost, whatever the split of the work over them.
 */
export async function cpuPerRow(mark: CpuMark, rows: number): Promise<{ workerSeconds: number; workerUs: number; restUs: number; cores: number; bound: number }> {
  const own = process.cpuUsage(mark.process);
  const machineUs = (await machineBusyUs()) - mark.machineBusyUs;
  const workerUs = own.user + own.system;
  const restUs = Math.max(0, machineUs - workerUs);
  const cores = availableParallelism();
  return { workerSeconds: workerUs / 1e6, workerUs: workerUs / rows, restUs: restUs / rows, cores, bound: (cores * 1e6 * rows) / (workerUs + restUs) };
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
