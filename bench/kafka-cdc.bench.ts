/**
 * CDC into Kafka against the embedded mode, in the same run.
 *
 *   node --import tsx bench/kafka-cdc.bench.ts
 *   npx tsc -p tsconfig.bench.json && node .cache/bench/bench/kafka-cdc.bench.js      # as production runs (RSS)
 *   BENCH_ROWS=200000 BENCH_LATENCY_RATE=2000 BENCH_LATENCY_SECONDS=5 node --import tsx bench/kafka-cdc.bench.ts
 *
 * Throughput: the burst of bench/postgres-streaming.bench.ts (ROWS rows of int, text, double, timestamptz,
 * numeric, jsonb in transactions of 1000) is written while three pgoutput slots exist, so each holds the same
 * backlog. Then a standalone worker in this process runs the PostgreSQL connector (ExtractNewRecordState,
 * JsonConverter with schemas) on one slot into the embedded log (default fsync policy), and another on the
 * next slot into a local Kafka broker (acks=all); the clock runs from the connector's creation until the
 * topic's end offset reaches ROWS. Printed: rows/s of each and the Kafka/embedded ratio (goal >= 0.5).
 *
 * Latency: single-row autocommit inserts at LATENCY_RATE rows/s for LATENCY_SECONDS into a table of its own;
 * a sink connector in the same worker (a probe plugin) notes, at `put`, the time since the row's commit
 * (`source.ts_us`, added by the SMT). Printed for both modes: p50 / p99 / max (goal on Kafka: p99 < 100 ms).
 *
 * Memory: a worker child process (`tsconnect standalone`, Kafka) with two connectors, a PostgreSQL source and a
 * FileStreamSink on its topic: peak RSS at LATENCY_RATE rows/s for LATENCY_SECONDS (goal <= 200 MB), then
 * while a second source drains the third slot's ROWS backlog through the same sink (peak VmHWM).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ConfigDef, SinkConnector, SinkTask, type PluginDescriptor, type TaskFactory } from '../src/connect/api/index.js';
import { startStandalone, type StandaloneWorker } from '../src/connect/connect-standalone.js';
import type { SinkRecord, Struct } from '../src/connect/data/index.js';
import { configureLogging } from '../src/connect/logging.js';
import { applyWorkerHeapPolicy } from '../src/connect/heap-policy.js';
import { startKafka } from '../src/testing/kafka-cluster.js';
import { startPostgres } from '../src/testing/postgres-cluster.js';
import { COLUMNS, pacedInserts, percentile, ROW_SQL } from './support.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const TX = 1000;
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);
const ROOT = new URL('..', import.meta.url).pathname;

// ---- the latency probe: a sink whose put() notes how long ago each row was committed ----
const latencies: number[] = [];

class ProbeTask extends SinkTask {
  version(): string {
    return '1';
  }
  start(): void {}
  put(records: SinkRecord[]): void {
    const nowUs = Date.now() * 1000;
    for (const r of records) {
      const ts = (r.value as Struct | null)?.get('__source_ts_us');
      if (ts !== undefined && ts !== null) latencies.push((nowUs - Number(ts)) / 1000);
    }
  }
  stop(): void {}
}

class ProbeConnector extends SinkConnector {
  private props: Record<string, string> = {};
  version(): string {
    return '1';
  }
  config(): ConfigDef {
    return new ConfigDef();
  }
  start(props: Record<string, string>): void {
    this.props = props;
  }
  taskClass(): TaskFactory<SinkTask> {
    return ProbeTask;
  }
  taskConfigs(): Record<string, string>[] {
    return [this.props];
  }
  stop(): void {}
}

const probePlugin: PluginDescriptor = { className: 'bench.LatencyProbeSink', type: 'sink', version: '1', create: () => new ProbeConnector() };

// ---- helpers ----
async function post(url: string, name: string, config: Record<string, string>): Promise<void> {
  const res = await fetch(`${url}/connectors`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, config }) });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
}

function sourceConfig(db: { host: string; port: number }, prefix: string, slot: string, table: string): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': db.host, 'database.port': String(db.port), 'database.user': 'postgres',
    'database.password': 'postgres', 'database.dbname': 'postgres', 'topic.prefix': prefix, 'slot.name': slot,
    'table.include.list': `public.${table}`, 'snapshot.mode': 'no_data', 'poll.interval.ms': '10',
    transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.add.fields': 'source.ts_us',
  };
}

async function assertRunning(url: string, name: string): Promise<void> {
  const s = (await (await fetch(`${url}/connectors/${name}/status`)).json()) as { tasks?: { state: string; trace?: string }[] };
  const failed = s.tasks?.find((t) => t.state === 'FAILED');
  if (failed) throw new Error(`${name} failed: ${failed.trace}`);
}

/** Throughput of one worker: creation of the connector until ROWS records are on the topic. */
async function throughput(worker: StandaloneWorker, db: { host: string; port: number }, prefix: string, slot: string): Promise<number> {
  const t0 = performance.now();
  await post(worker.url, `burst-${prefix}`, sourceConfig(db, prefix, slot, 'bench_t'));
  const topic = `${prefix}.public.bench_t`;
  const endOf = async () => (await worker.backend.offsets(topic).catch(() => [])).reduce((s, p) => s + p.end, 0);
  for (let i = 0; (await endOf()) < ROWS; i++) {
    if (i % 20 === 0) await assertRunning(worker.url, `burst-${prefix}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return ROWS / ((performance.now() - t0) / 1000);
}

/** commit -> sink put latencies at RATE rows/s, through a fresh table, source and probe sink. */
async function latency(worker: StandaloneWorker, db: pg.Pool, dbAddr: { host: string; port: number }, prefix: string): Promise<{ p50: number; p99: number; max: number; n: number; rate: number }> {
  const table = `lat_${prefix}`;
  await db.query(`CREATE TABLE ${table}(${COLUMNS})`);
  latencies.length = 0;
  await post(worker.url, `lat-source-${prefix}`, sourceConfig(dbAddr, `lat${prefix}`, `lat_${prefix}`, table));
  await post(worker.url, `lat-sink-${prefix}`, {
    'connector.class': 'bench.LatencyProbeSink',
    topics: `lat${prefix}.public.${table}`,
    'consumer.override.fetch.max.wait.ms': '100',
  });
  // Warm up until a row makes it through (the slot, the topic and the sink group exist).
  for (let i = -1; latencies.length === 0; i--) {
    await db.query(`INSERT INTO ${table}(id, name, score, at, amount, doc) ${ROW_SQL} FROM generate_series(${i}, ${i}) g`);
    await new Promise((r) => setTimeout(r, 200));
  }
  latencies.length = 0;
  const total = RATE * SECONDS;
  const l0 = Date.now();
  await pacedInserts(db, table, total, RATE);
  const rate = total / ((Date.now() - l0) / 1000);
  const deadline = Date.now() + 30_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, n: sorted.length, rate };
}

async function rssOfChild(pid: number): Promise<{ rss: number; hwm: number }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024, hwm: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024 };
}

async function main(): Promise<void> {
  const [cluster, kafka] = await Promise.all([
    startPostgres({ extraConf: { shared_buffers: '256MB', max_wal_size: '2GB', logical_decoding_work_mem: '256MB' } }),
    startKafka({ jvmArgs: [], heap: '1g' }),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'tsconnect-bench-kafka-'));
  const db = new pg.Pool({ connectionString: cluster.connectionString, max: 8 });
  db.on('error', () => undefined); // idle clients see the server's shutdown at the end
  const logging = configureLogging({ level: process.env.TSCONNECT_LOG_LEVEL ?? 'error' });
  const workerProps = (extra: Record<string, string>) => ({
    listeners: 'http://127.0.0.1:0',
    'offset.flush.interval.ms': '1000',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    ...extra,
  });
  let worker: StandaloneWorker | null = null;
  try {
    await db.query(`CREATE TABLE bench_t(${COLUMNS}); CREATE PUBLICATION dbz_publication FOR ALL TABLES`);
    await db.query("SELECT pg_create_logical_replication_slot('emb', 'pgoutput'), pg_create_logical_replication_slot('kafka', 'pgoutput'), pg_create_logical_replication_slot('rss', 'pgoutput')");
    const t0 = performance.now();
    for (let i = 0; i < ROWS; i += TX) {
      await db.query(`INSERT INTO bench_t(id, name, score, at, amount, doc) ${ROW_SQL} FROM generate_series(${i + 1}, ${Math.min(i + TX, ROWS)}) g`);
    }
    console.log(`inserted ${ROWS} rows in ${ROWS / TX} transactions in ${((performance.now() - t0) / 1000).toFixed(2)} s; Kafka ${kafka.version} at ${kafka.bootstrapServers}`);
    const addr = { host: cluster.host, port: cluster.port };

    // Embedded log.
    // Each in-process worker gets the heap policy the tsconnect command would give it (src/connect/heap-policy.ts).
    const embeddedProps = workerProps({ 'offset.storage.file.filename': join(dir, 'embedded', 'connect.offsets') });
    applyWorkerHeapPolicy(embeddedProps);
    worker = await startStandalone(embeddedProps, [], logging);
    worker.registry.register(probePlugin);
    const embRate = await throughput(worker, addr, 'emb', 'emb');
    console.log(`embedded log   ${Math.round(embRate)} rows/s`);
    const embLat = await latency(worker, db, addr, 'e');
    await worker.stop();
    worker = null;

    // Kafka.
    const kafkaProps = workerProps({ 'bootstrap.servers': kafka.bootstrapServers, 'offset.storage.file.filename': join(dir, 'kafka', 'connect.offsets') });
    applyWorkerHeapPolicy(kafkaProps);
    worker = await startStandalone(kafkaProps, [], logging);
    worker.registry.register(probePlugin);
    const kafkaRate = await throughput(worker, addr, 'kafka', 'kafka');
    console.log(`Kafka          ${Math.round(kafkaRate)} rows/s`);
    console.log(`ratio Kafka / embedded ${(kafkaRate / embRate).toFixed(2)} (goal >= 0.5)`);
    const kafkaLat = await latency(worker, db, addr, 'k');
    await worker.stop();
    worker = null;
    for (const [name, l] of [['embedded log', embLat], ['Kafka', kafkaLat]] as const) {
      console.log(`latency commit -> sink put, ${name.padEnd(12)} at ${Math.round(l.rate)} rows/s (${l.n} rows): p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`);
    }
    console.log(`Kafka p99 ${kafkaLat.p99 < 100 ? '<' : '>='} 100 ms (goal < 100)`);

    // Memory: a worker process with two connectors on Kafka, draining the third slot's backlog.
    const port = 18000 + Math.floor(Math.random() * 20000);
    const props = join(dir, 'rss-worker.properties');
    const sinkFile = join(dir, 'rss-sink.txt');
    await writeFile(props, Object.entries(workerProps({
      listeners: `http://127.0.0.1:${port}`,
      'bootstrap.servers': kafka.bootstrapServers,
      'offset.storage.file.filename': join(dir, 'rss', 'connect.offsets'),
    })).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    // Compiled (tsconfig.bench.json), the worker runs the emitted JS like production; from sources, through tsx
    // (whose in-process transpiler costs the worker tens of MB).
    const compiled = import.meta.url.endsWith('.js');
    const cli = compiled ? [join(ROOT, 'src/cli.js')] : ['--import', 'tsx', join(ROOT, 'src/cli.ts')];
    const child = spawn(process.execPath, [...cli, 'standalone', props], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TSCONNECT_LOG_LEVEL: 'error' },
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        if (i > 300) throw new Error('worker did not start');
        if (await fetch(`${url}/`).then((r) => r.ok, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const idle = await rssOfChild(child.pid!);
      // Steady state first: the source on a fresh table at RATE rows/s for SECONDS, the sink writing them out.
      await db.query(`CREATE TABLE rss_t(${COLUMNS})`);
      await post(url, 'rss-steady', sourceConfig(addr, 'rsss', 'rss_steady', 'rss_t'));
      await post(url, 'rss-sink', {
        'connector.class': 'FileStreamSink', file: sinkFile, topics: 'rsss.public.rss_t,rss.public.bench_t',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      });
      const lineCount = async () => (existsSync(sinkFile) ? (await readFile(sinkFile, 'utf8')).split('\n').length - 1 : 0);
      const sampler = { peak: 0, stop: false };
      const sampling = (async () => {
        while (!sampler.stop) {
          sampler.peak = Math.max(sampler.peak, (await rssOfChild(child.pid!)).rss);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      for (let i = -1; (await lineCount()) === 0; i--) {
        await db.query(`INSERT INTO rss_t(id, name, score, at, amount, doc) ${ROW_SQL} FROM generate_series(${i}, ${i}) g`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const warm = await lineCount();
      await pacedInserts(db, 'rss_t', RATE * SECONDS, RATE);
      while ((await lineCount()) < warm + RATE * SECONDS) await new Promise((r) => setTimeout(r, 100));
      const steadyPeak = sampler.peak;
      const steadyNow = (await rssOfChild(child.pid!)).rss;
      // Then the burst: the PostgreSQL source drains the third slot's ROWS backlog, the sink writes it out.
      const r0 = performance.now();
      const before = await lineCount();
      await post(url, 'rss-source', sourceConfig(addr, 'rss', 'rss', 'bench_t'));
      while ((await lineCount()) < before + ROWS) {
        if (performance.now() - r0 > 600_000) throw new Error('the sink did not finish in 10 minutes');
        await new Promise((r) => setTimeout(r, 500));
      }
      sampler.stop = true;
      await sampling;
      const end = await rssOfChild(child.pid!);
      console.log(`worker process on Kafka (${compiled ? 'compiled JS' : 'through tsx'}), two connectors (PostgreSQL source, FileStreamSink): RSS idle ${idle.rss.toFixed(0)} MB; ` +
        `at ${RATE} rows/s peak ${steadyPeak.toFixed(0)} MB, now ${steadyNow.toFixed(0)} MB (goal <= 200); ` +
        `draining the ${ROWS}-row backlog (${((performance.now() - r0) / 1000).toFixed(1)} s) peak ${Math.max(sampler.peak, end.hwm).toFixed(0)} MB (VmHWM), after ${end.rss.toFixed(0)} MB`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await worker?.stop();
    await db.end();
    await Promise.all([cluster.stop(), kafka.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
