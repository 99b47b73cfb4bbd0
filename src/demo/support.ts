/** What the demos share: a throwaway PostgreSQL, a standalone worker on the embedded log, REST calls, topic reads. */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { type StandaloneWorker, startStandalone } from '../connect/connect-standalone.js';
import { configureLogging } from '../connect/logging.js';
import { type PostgresCluster, startPostgres } from '../testing/postgres-cluster.js';

export interface DemoOptions {
  dataDir: string;
  port: number;
  keepRunning: boolean;
  /** Where progress goes (default: stdout). */
  out?: (line: string) => void;
}

export interface DemoContext {
  pg: PostgresCluster;
  db: pg.Client;
  worker: StandaloneWorker;
  url: string;
  say(line: string): void;
  print(line: string): void;
}

export async function withDemoEnvironment<T>(options: DemoOptions, body: (ctx: DemoContext) => Promise<T>): Promise<T> {
  const out = options.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const started = Date.now();
  const say = (line: string) => out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  say('Starting a throwaway PostgreSQL (wal_level=logical)');
  const cluster = await startPostgres();
  const db = new pg.Client({ connectionString: cluster.connectionString });
  let worker: StandaloneWorker | null = null;
  try {
    await db.connect();
    const dataDir = resolve(options.dataDir);
    await rm(dataDir, { recursive: true, force: true }); // a fresh database wants fresh offsets
    say(`Starting a standalone worker on the embedded log in ${dataDir}`);
    worker = await startStandalone(
      {
        'listeners': `http://127.0.0.1:${options.port}`,
        'offset.storage.file.filename': join(dataDir, 'connect.offsets'),
        'offset.flush.interval.ms': '1000',
        'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      },
      [],
      configureLogging({ level: process.env['TSCONNECT_LOG_LEVEL'] ?? 'WARN' }),
    );
    say(`REST API at ${worker.url}`);
    const result = await body({ pg: cluster, db, worker, url: worker.url, say, print: out });
    if (options.keepRunning) {
      say(`Still running: REST API at ${worker.url}, PostgreSQL at ${cluster.connectionString}. Ctrl-C stops.`);
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
    }
    return result;
  } finally {
    say('Stopping');
    await worker?.stop();
    await db.end().catch(() => undefined);
    await cluster.stop();
  }
}

/** `curl -X POST -H "Content-Type: application/json" --data @file.json <url>/connectors` */
export async function postConnector(url: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/connectors`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST /connectors answered ${res.status}: ${await res.text()}`);
}

/** Reads a topic from the beginning until `count` records arrived (or fails after `timeoutMs`); values as text. */
export async function readTopic(ctx: DemoContext, topic: string, count: number, timeoutMs = 120_000): Promise<string[]> {
  const backend = ctx.worker.backend;
  const consumer = backend.consumer(`demo-reader-${Date.now()}`, { clientId: 'demo-reader' });
  await consumer.subscribe([topic]);
  const out: string[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < count) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} records on ${topic} (got ${out.length})`);
      for (const r of await consumer.poll(500)) out.push(r.value === null ? 'null' : r.value.toString('utf8'));
    }
  } finally {
    await consumer.close();
  }
  return out;
}
