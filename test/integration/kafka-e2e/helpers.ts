/**
 * Shared pieces of the Kafka end-to-end tests: reading topics with kcat (the Debian package `kcat`) and with
 * `tsconnect consume`, a standalone worker on Kafka, the iris tables, SQL and replication-slot helpers.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startStandalone, type StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import { configureLogging } from '../../../src/connect/logging.js';
import type { ConsumedRecord, TopicBackend } from '../../../src/connect/topics/types.js';
import type { PostgresCluster } from '../../../src/testing/postgres-cluster.js';

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;

/**
 * An in-process standalone worker on Kafka (REST on a free port, offsets in `dir`, String converters) with
 * no connectors; `props` adds or overrides worker keys (e.g. security settings).
 */
export function startStandaloneOnKafka(bootstrapServers: string, dir: string, props: Record<string, string> = {}): Promise<StandaloneWorker> {
  return startStandalone(
    {
      listeners: 'http://127.0.0.1:0',
      'bootstrap.servers': bootstrapServers,
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '300',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      ...props,
    },
    [],
    configureLogging({ level: process.env.TSCONNECT_LOG_LEVEL ?? 'error' }),
  );
}

/** One record as text: key, value (null as `<null>`) and headers as kcat's `%h` prints them (`k=v,k=v`). */
export interface TextRecord {
  key: string;
  value: string;
  headers: string;
}

const NULL = '<null>';

/**
 * Every record of `topic` read with kcat from the beginning to the current end (`-e`). Lengths (`%K`/`%S`,
 * -1 for null) tell a null value from an empty one; JsonConverter output holds no tab or newline.
 */
export async function kcat(bootstrap: string, topic: string): Promise<TextRecord[]> {
  const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%K\t%k\t%S\t%s\t%h\n'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [kl, k, vl, v, h] = line.split('\t');
      return { key: kl === '-1' ? NULL : k!, value: vl === '-1' ? NULL : v!, headers: h ?? '' };
    });
}

/** kcat's metadata listing (`-L`), to see that a topic exists. */
export async function kcatTopics(bootstrap: string): Promise<string> {
  return (await run('kcat', ['-L', '-b', bootstrap])).stdout;
}

export function textOf(r: ConsumedRecord): TextRecord {
  return {
    key: r.key === null ? NULL : r.key.toString('utf8'),
    value: r.value === null ? NULL : r.value.toString('utf8'),
    headers: r.headers.map((h) => `${h.key}=${h.value === null ? '' : h.value.toString('utf8')}`).join(','),
  };
}

/** Every record of `topic` on `backend` from the beginning, once at least `min` arrived and a poll brought nothing. */
export async function readAll(backend: TopicBackend, topic: string, min: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const consumer = backend.consumer(`read-${topic}-${Math.random().toString(36).slice(2, 8)}`, {
    clientId: 'e2e-reader',
    properties: { 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false' },
  });
  await consumer.subscribe([topic]);
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const got = await consumer.poll(300);
      out.push(...got);
      if (got.length === 0 && out.length >= min) return out;
      if (Date.now() > deadline) throw new Error(`${topic}: ${out.length} of at least ${min} records within ${timeoutMs} ms`);
    }
  } finally {
    await consumer.close();
  }
}

/** `tsconnect consume ...` as a user runs it; resolves with stdout. */
export async function tsconnectConsume(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `${ROOT}src/cli.ts`, 'consume', ...args], {
    cwd: ROOT,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Replaces the values of the wall-clock fields (`ts_ms`, `ts_us`, `ts_ns`, wherever they occur) by 0. */
export function maskWallClock(json: string): string {
  return json.replace(/"(ts_ms|ts_us|ts_ns)":-?\d+/g, '"$1":0');
}

export const IRIS_TABLE = (name: string) =>
  `CREATE TABLE IF NOT EXISTS ${name}(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int);`;

export const irisRow = (table: string, v: readonly number[], c: number) =>
  `INSERT INTO ${table}(sepal_length, sepal_width, petal_length, petal_width, iris_class) VALUES(${v.join(', ')}, ${c});`;

export async function sql(c: PostgresCluster, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: c.connectionString });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** `X/Y` LSN text as a number (exact below 2^53). */
export function lsnNumber(text: string): number {
  const [hi, lo] = text.split('/');
  return parseInt(hi!, 16) * 4294967296 + parseInt(lo!, 16);
}

/** The slot's `confirmed_flush_lsn` (through an open client, so sampling during a broker outage is cheap). */
export async function confirmedFlush(client: pg.Client, slot: string): Promise<number | null> {
  const r = await client.query('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  const l = (r.rows[0] as { l: string | null } | undefined)?.l;
  return l ? lsnNumber(l) : null;
}

export async function slotNames(c: PostgresCluster): Promise<string[]> {
  return (await sql(c, 'SELECT slot_name FROM pg_replication_slots ORDER BY 1')).rows.map((r) => (r as { slot_name: string }).slot_name);
}
