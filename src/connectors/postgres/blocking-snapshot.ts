/**
 * Ad hoc blocking snapshots (`execute-snapshot` with `"type": "blocking"`, Debezium 2.4+): streaming waits
 * while the listed tables are read as an initial snapshot would read them (`op: r`, the same snapshot markers,
 * `snapshot.max.threads`, `snapshot.fetch.size`), each `additional-conditions` filter becoming the table's
 * WHERE clause and `snapshot.select.statement.overrides` not applying (as in Debezium, whose blocking snapshotting
 * task takes the signal's filters in place of the configured overrides); then streaming goes on from where it waited. Changes committed meanwhile may therefore arrive
 * both in the snapshot and, afterwards, from the stream (at least once, as with Debezium).
 *
 * The records carry the stream's position marked `snapshot: "BLOCKING"` (offsets.ts), so a task that restarts
 * during a blocking snapshot resumes streaming; the interrupted snapshot is not redone (send the signal again).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SourceMap, SourceRecord } from '../../connect/data/index.js';
import type { PostgresConfig } from './config.js';
import type { EventFactory } from './events.js';
import { blockingSnapshotOffsetMap } from './offsets.js';
import { runSnapshot } from './snapshot.js';
import type { TableSchema } from './table-schema.js';

export interface BlockingSnapshotDeps {
  cfg: PostgresConfig;
  events: EventFactory;
  log: Logger;
  connect(): Promise<pg.Client>;
  schemaFor(schema: string, table: string): Promise<TableSchema | null>;
  /** Hands records (of together about `bytes` estimated bytes) to the queue; resolves when there is room again. */
  emit(records: SourceRecord[], bytes: number): Promise<void>;
  /** The stream's current offset, or null before anything was streamed. */
  streamOffset(): SourceMap | null;
  stopped(): boolean;
}

export interface BlockingSnapshotTable {
  /** `schema.table` */
  id: string;
  /** The additional condition for this table, in parentheses, or null. */
  condition: string | null;
}

/** Reads `tables` (captured ones; others are logged and skipped) while the caller holds the stream. */
export async function runBlockingSnapshot(d: BlockingSnapshotDeps, tables: BlockingSnapshotTable[]): Promise<number> {
  const schemas: TableSchema[] = [];
  const conditions = new Map<string, string>();
  for (const t of tables) {
    const dot = t.id.indexOf('.');
    const schema = dot > 0 ? await d.schemaFor(t.id.slice(0, dot), t.id.slice(dot + 1)) : null;
    if (!schema) {
      d.log.warn(`Blocking snapshot: table '${t.id}' is not captured or does not exist; skipped`);
      continue;
    }
    schemas.push(schema);
    if (t.condition) conditions.set(schema.id, t.condition);
  }
  if (schemas.length === 0) return 0;
  const stream = d.streamOffset() ?? {};
  const lsn = typeof stream.lsn === 'number' ? stream.lsn : 0;
  const client = await d.connect();
  try {
    d.log.info({ tables: schemas.map((s) => s.id) }, 'Blocking snapshot started; streaming waits until it completes');
    const { rows } = await runSnapshot({
      client,
      connect: d.connect,
      cfg: d.cfg,
      conditions,
      events: d.events,
      tables: schemas,
      snapshotName: null,
      lsn,
      emit: d.emit,
      stopped: d.stopped,
      log: d.log,
      offsets: { regular: blockingSnapshotOffsetMap(stream, false), last: blockingSnapshotOffsetMap(stream, true) },
    });
    d.log.info({ rows }, 'Blocking snapshot completed; streaming resumes');
    return rows;
  } finally {
    await client.end().catch(() => {});
  }
}
