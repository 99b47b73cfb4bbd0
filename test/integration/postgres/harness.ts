/**
 * Drives the PostgreSQL source task directly (start / poll / commit / stop), with an in-memory offset
 * store standing in for the runtime: `commit(records)` stores the last offset of the records and then calls
 * `task.commit(...)`, as the worker does after an offset flush.
 */
import pg from 'pg';
import type { SourceRecord, SourceMap } from '../../../src/connect/data/index.js';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { PostgresSourceTask } from '../../../src/connectors/postgres/task.js';
import type { PostgresCluster } from '../../../src/testing/postgres-cluster.js';

export class MemoryOffsets {
  readonly offsets = new Map<string, SourceMap>();
  reader = {
    offset: async (partition: SourceMap) => this.offsets.get(JSON.stringify(partition)) ?? null,
    offsets: async (partitions: SourceMap[]) => new Map(partitions.map((p) => [p, this.offsets.get(JSON.stringify(p)) ?? null])),
  };
}

export function blogConfig(c: PostgresCluster, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: 'iris-connector-flink',
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': c.host,
    'database.port': String(c.port),
    'database.user': 'postgres',
    'database.password': 'postgres',
    'database.dbname': 'postgres',
    'topic.prefix': 'flink',
    'table.include.list': 'public.iris_.*',
    'poll.interval.ms': '100',
    ...overrides,
  };
}

/**
 * The base of the per-test configs: own topic prefix, slot and publication (`<prefix>_slot`, `<prefix>_pub`),
 * the cluster's superuser, a short poll interval; `extra` adds or overrides.
 */
export function taskConfig(c: PostgresCluster, prefix: string, tables: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    name: `${prefix}-connector`,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': c.host,
    'database.port': String(c.port),
    'database.user': 'postgres',
    'database.password': 'postgres',
    'database.dbname': 'postgres',
    'topic.prefix': prefix,
    'slot.name': `${prefix}_slot`,
    'publication.name': `${prefix}_pub`,
    'table.include.list': tables,
    'poll.interval.ms': '50',
    ...extra,
  };
}

export async function startTask(config: Record<string, string>, offsets: MemoryOffsets): Promise<PostgresSourceTask> {
  const task = new PostgresSourceTask();
  task.initialize({ taskId: { connector: config.name ?? 'c', task: 0 }, configs: config, offsetStorageReader: offsets.reader });
  await task.start(config);
  return task;
}

/** Polls until `n` records arrived (or fails after `timeoutMs`). */
export async function pollN(task: PostgresSourceTask, n: number, timeoutMs = 20_000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} records, got ${out.length}: ${out.map((r) => r.topic).join(',')}`);
    const batch = await task.poll();
    if (batch) out.push(...batch);
  }
  return out;
}

/** Polls for `ms` and returns whatever arrived (to check that nothing more comes). */
export async function pollFor(task: PostgresSourceTask, ms: number): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const batch = await task.poll();
    if (batch) out.push(...batch);
  }
  return out;
}

/** What the worker does after writing `records` and flushing offsets. */
export async function commitRecords(task: PostgresSourceTask, records: SourceRecord[], offsets: MemoryOffsets): Promise<void> {
  const last = records[records.length - 1];
  if (!last?.sourcePartition || !last.sourceOffset) return;
  offsets.offsets.set(JSON.stringify(last.sourcePartition), last.sourceOffset);
  await task.commit([{ partition: last.sourcePartition, offset: last.sourceOffset }]);
}

export async function sql(c: PostgresCluster, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: c.connectionString });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

const keyJson = new JsonConverter();
keyJson.configure({ 'schemas.enable': 'true' }, true);
const valueJson = new JsonConverter();
valueJson.configure({ 'schemas.enable': 'true' }, false);

/** The record as JsonConverter (schemas.enable=true) would write it: parsed JSON of key and value. */
export function asJson(r: SourceRecord): { key: unknown; value: unknown } {
  const k = keyJson.fromConnectData(r.topic, r.keySchema, r.key);
  const v = valueJson.fromConnectData(r.topic, r.valueSchema, r.value);
  return { key: k ? JSON.parse(k.toString('utf8')) : null, value: v ? JSON.parse(v.toString('utf8')) : null };
}

/** The envelope payload with the wall-clock fields removed. */
export function payload(r: SourceRecord): Record<string, unknown> {
  const p = (asJson(r).value as { payload: Record<string, unknown> }).payload;
  delete p.ts_ms;
  delete p.ts_us;
  delete p.ts_ns;
  return p;
}

export async function confirmedFlush(c: PostgresCluster, slot = 'debezium'): Promise<number | null> {
  const r = await sql(c, "SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1", [slot]);
  const l = (r.rows[0] as { l: string | null } | undefined)?.l;
  if (!l) return null;
  const [hi, lo] = l.split('/');
  return parseInt(hi!, 16) * 4294967296 + parseInt(lo!, 16);
}

/** Drops the replication slot `name` if it exists (cleanup between tests that keep their slot). */
export async function dropSlot(c: PostgresCluster, name: string): Promise<void> {
  await sql(c, 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [name]);
}
