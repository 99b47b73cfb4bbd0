/**
 * What the demos share: the database (a throwaway PostgreSQL, or the user's with `--db`), a standalone
 * worker (on the embedded log, or on Kafka with `--bootstrap-servers`), REST calls, and topic tails.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { type StandaloneWorker, startStandalone } from '../connect/connect-standalone.js';
import { configureLogging } from '../connect/logging.js';
import type { TopicConsumer } from '../connect/topics/types.js';
import { startPostgres } from '../testing/postgres-cluster.js';

export interface DemoOptions {
  dataDir: string;
  port: number;
  keepRunning: boolean;
  /** `postgres://user:password@host:port/db` of the user's own database (must have wal_level=logical). */
  db?: string;
  /** Kafka brokers (`host:port,...`): the worker runs on Kafka instead of the embedded log. */
  bootstrapServers?: string;
  /** Where the demo's output goes (default: stdout). */
  out?: (line: string) => void;
  /** Progress bars redraw in place (default: when stderr is a terminal). */
  tty?: boolean;
}

/** The database the connector JSON points at. */
export interface DemoDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectionString: string;
  /** True for a throwaway cluster the demo started (and removes). */
  throwaway: boolean;
}

export interface DemoContext {
  pg: DemoDatabase;
  db: pg.Client;
  worker: StandaloneWorker;
  url: string;
  options: DemoOptions;
  /** A progress line with the elapsed time. */
  say(line: string): void;
  /** A line as is (tables, pictures). */
  print(line: string): void;
}

function parseDbUrl(url: string): DemoDatabase {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--db ${url}: expected postgres://user:password@host:port/database`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error(`--db ${url}: expected a postgres:// URL`);
  return {
    host: u.hostname || 'localhost',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password || ''),
    database: decodeURIComponent(u.pathname.replace(/^\//, '') || 'postgres'),
    connectionString: url,
    throwaway: false,
  };
}

export async function withDemoEnvironment<T>(options: DemoOptions, body: (ctx: DemoContext) => Promise<T>): Promise<T> {
  const out = options.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const started = Date.now();
  const say = (line: string) => out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

  let database: DemoDatabase;
  let stopCluster: (() => Promise<void>) | null = null;
  if (options.db) {
    database = parseDbUrl(options.db);
    say(`Using the database at ${database.host}:${database.port}/${database.database}`);
  } else {
    say('Starting a throwaway PostgreSQL (wal_level=logical)');
    const cluster = await startPostgres();
    stopCluster = () => cluster.stop();
    const { host, port, user, password, connectionString } = cluster;
    database = { host, port, user, password, database: cluster.database, connectionString, throwaway: true };
  }
  const db = new pg.Client({ connectionString: database.connectionString });
  let worker: StandaloneWorker | null = null;
  try {
    await db.connect();
    const dataDir = resolve(options.dataDir);
    await rm(dataDir, { recursive: true, force: true }); // a fresh run wants fresh offsets
    const props: Record<string, string> = {
      listeners: `http://127.0.0.1:${options.port}`,
      'offset.storage.file.filename': join(dataDir, 'connect.offsets'),
      'offset.flush.interval.ms': '1000',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'embedded.log.dir': join(dataDir, 'log'),
    };
    if (options.bootstrapServers) {
      props['bootstrap.servers'] = options.bootstrapServers;
      say(`Starting a standalone worker on Kafka at ${options.bootstrapServers}`);
    } else {
      say(`Starting a standalone worker on the embedded log in ${dataDir}`);
    }
    worker = await startStandalone(props, [], configureLogging({ level: process.env['TSCONNECT_LOG_LEVEL'] ?? 'WARN' }));
    say(`REST API at ${worker.url}`);
    const result = await body({ pg: database, db, worker, url: worker.url, options, say, print: out });
    if (options.keepRunning) {
      say(`Still running: REST API at ${worker.url}, PostgreSQL at ${database.host}:${database.port}. Ctrl-C stops.`);
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
    }
    return result;
  } finally {
    say('Stopping');
    await worker?.stop();
    if (!database.throwaway) await dropReplicationState(db, say);
    await db.end().catch(() => undefined);
    await stopCluster?.();
  }
}

/**
 * On the user's database: the Postgres connector left its replication slot ("debezium") and publication
 * behind, as Debezium does. A slot that nobody reads keeps WAL forever, so the demo drops them.
 */
async function dropReplicationState(db: pg.Client, say: (l: string) => void): Promise<void> {
  try {
    const slots = await db.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'debezium' AND NOT active");
    if (slots.rowCount) {
      await db.query("SELECT pg_drop_replication_slot('debezium')");
      say("Dropped the replication slot 'debezium' the connector created (an unread slot keeps WAL)");
    }
    await db.query('DROP PUBLICATION IF EXISTS dbz_publication');
  } catch (e) {
    say(`Could not drop the replication slot 'debezium': ${(e as Error).message}`);
  }
}

/** Fails when a demo table already exists in the user's database (the demo wants its own rows only). */
export async function requireFreshTables(ctx: DemoContext, tables: string[]): Promise<void> {
  const res = await ctx.db.query<{ relname: string }>(
    "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relname = ANY($1)",
    [tables],
  );
  if (res.rowCount) {
    const names = res.rows.map((r) => r.relname).join(', ');
    throw new Error(`Table ${names} already exists in ${ctx.pg.database}: drop it (DROP TABLE ${names};) or point --db at another database`);
  }
}

/** Where a blog connector JSON points: the blog's `postgres` user, password and database unless given. */
export interface ConnectorDatabase {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
}

/** The opening of the blog's register-postgres*.json files: the Debezium connector and its database. */
export function blogPostgresSource(db: ConnectorDatabase): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': db.host,
    'database.port': String(db.port),
    'database.user': db.user ?? 'postgres',
    'database.password': db.password ?? 'postgres',
    'database.dbname': db.database ?? 'postgres',
  };
}

/** `curl -X POST -H "Content-Type: application/json" --data @file.json <url>/connectors` */
export async function postConnector(url: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/connectors`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST /connectors answered ${res.status}: ${await res.text()}`);
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Throws with the task's trace when a connector or one of its tasks FAILED. */
export async function assertRunning(url: string, connector: string): Promise<void> {
  const res = await fetch(`${url}/connectors/${connector}/status`);
  if (!res.ok) return;
  const s = (await res.json()) as { connector: { state: string; trace?: string }; tasks: { id: number; state: string; trace?: string }[] };
  if (s.connector.state === 'FAILED') throw new Error(`Connector ${connector} FAILED: ${s.connector.trace ?? ''}`);
  const failed = s.tasks.find((t) => t.state === 'FAILED');
  if (failed) throw new Error(`Task ${connector}-${failed.id} FAILED: ${failed.trace ?? ''}`);
}

/**
 * Polls `probe` until it returns a value (not undefined), checking the connectors are healthy on the way;
 * fails after `timeoutMs`.
 */
export async function waitUntil<T>(
  ctx: DemoContext,
  what: string,
  probe: () => Promise<T | undefined>,
  connectors: string[],
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    for (const c of connectors) await assertRunning(ctx.url, c);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface TailedRecord {
  key: string | null;
  value: string | null;
  timestamp: number;
  offset: number;
}

/**
 * Reads a topic from where it ended when the tail was opened (so records of earlier runs on a Kafka
 * cluster are not shown again). The topic is created when missing.
 */
export class TopicTail {
  private constructor(
    private readonly consumer: TopicConsumer,
    readonly topic: string,
  ) {}

  static async open(ctx: DemoContext, topic: string): Promise<TopicTail> {
    const backend = ctx.worker.backend;
    await backend.createTopics([{ name: topic, partitions: 1 }]);
    const ends = await backend.offsets(topic);
    const consumer = backend.consumer(`demo-tail-${topic}-${Date.now()}`, { clientId: 'demo-tail' });
    await consumer.subscribe([topic], {
      onPartitionsAssigned: (partitions) => {
        for (const tp of partitions) consumer.seek(tp, ends.find((e) => e.partition === tp.partition)?.end ?? 0);
      },
      onPartitionsRevoked: () => undefined,
    });
    return new TopicTail(consumer, topic);
  }

  /** The next `count` records (fails after `timeoutMs`, or when `check` throws). */
  async read(count: number, options: { timeoutMs?: number; check?: () => Promise<void>; onProgress?: (n: number) => void } = {}): Promise<TailedRecord[]> {
    const out: TailedRecord[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    let lastCheck = Date.now();
    while (out.length < count) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} records on ${this.topic} (got ${out.length})`);
      for (const r of await this.consumer.poll(200)) {
        out.push({ key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null, timestamp: r.timestamp, offset: r.offset });
      }
      options.onProgress?.(out.length);
      if (options.check && Date.now() - lastCheck > 1000) {
        lastCheck = Date.now();
        await options.check();
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.consumer.close();
  }
}
