/**
 * The initial snapshot (and a blocking one, blocking-snapshot.ts): reads every captured table in read-only
 * transactions that all see one snapshot (the slot's exported snapshot when the slot was created in this run,
 * so snapshot and stream neither overlap nor leave a gap; otherwise, in `snapshot.isolation.mode`, one exported
 * by the first connection; read_committed / read_uncommitted share none), through cursors of
 * `snapshot.fetch.size` rows, and emits `op: r` events. `snapshot.locking.mode=shared` locks the tables first.
 *
 * With `snapshot.max.threads` > 1, that many connections read in parallel: whole tables, and large tables
 * in ctid-range chunks. Markers follow Debezium (specs/debezium-postgres.md §1.3): the first and last
 * record of each table are `first_in_data_collection` / `last_in_data_collection`, the very first record
 * is `first` (one thread only), and the very last emitted record is `last`; to know which records those
 * are, the last record of each table, and the last record of the most recently finished table, are held back.
 * Progress (table, rows, rows/s, ETA) is logged every 10 s.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SourceMap, SourceRecord } from '../../connect/data/index.js';
import { qualifiedName, quoteIdent } from './catalog.js';
import type { PostgresConfig, SnapshotIsolation } from './config.js';
import { ConnectException } from '../../connect/errors.js';
import type { EventFactory } from './events.js';
import { STREAM_QUEUE_FILL, estimateRecordBytes } from './change-queue.js';
import { snapshotOffsetMap } from './offsets.js';
import type { Lsn, TupleValue } from './pgoutput/decoder.js';
import type { SnapshotMarker, SourceFields } from './source-info.js';
import type { SnapshotMetrics } from './metrics.js';
import type { TableSchema } from './table-schema.js';
import { parseTimestamp } from './types/temporal.js';

export interface SnapshotContext {
  client: pg.Client;
  /** Opens another connection (for snapshot.max.threads > 1). */
  connect(): Promise<pg.Client>;
  cfg: PostgresConfig;
  events: EventFactory;
  tables: TableSchema[];
  /** Exported snapshot of a slot created in this run, or null. */
  snapshotName: string | null;
  /** The stream position the snapshot corresponds to. */
  lsn: Lsn;
  /** Hands records (of together about `bytes` estimated bytes) to the queue; resolves when there is room for more. */
  emit(records: SourceRecord[], bytes: number): Promise<void>;
  stopped(): boolean;
  log: Logger;
  /** Debezium's snapshot metrics (RowsScanned, RemainingTableCount, ...), updated per fetched batch. */
  metrics?: SnapshotMetrics;
  /** The offsets of the records (all but the last, the last): default an initial snapshot's (`snapshotOffsetMap`). */
  offsets?: { regular: SourceMap; last: SourceMap };
  /**
   * Blocking snapshots: a WHERE condition per table id (the signal's `additional-conditions`), applied to the
   * plain SELECT, and no `snapshot.select.statement.overrides` (Debezium's blocking snapshotting task replaces
   * the configured overrides with the signal's filters).
   */
  conditions?: ReadonlyMap<string, string>;
}

/** Part of a table read by one cursor: all of it, or the pages [fromPage, toPage) (toPage null = to the end). */
interface Unit {
  table: TableState;
  sql: string;
}

interface Held {
  table: TableState;
  row: TupleValue[];
  firstInTable: boolean;
}

interface TableState {
  schema: TableSchema;
  estimate: number;
  unitsLeft: number;
  rows: number;
  started: number;
  lastLog: number;
  held: Held | null;
  emittedAny: boolean;
}

/** Tables smaller than this many pages are read by one cursor even with several threads. */
const MIN_CHUNK_PAGES = 256;
const PROGRESS_EVERY_MS = 10_000;

export async function runSnapshot(ctx: SnapshotContext): Promise<{ rows: number }> {
  const { client, cfg, log } = ctx;
  const threads = Math.max(1, cfg.snapshotMaxThreads);
  const extra: pg.Client[] = [];
  await client.query(beginSnapshot(ctx.snapshotName !== null ? 'repeatable_read' : cfg.snapshotIsolation));
  try {
    let snapshotName = ctx.snapshotName;
    if (snapshotName) await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`);
    else if (threads > 1 && sharesSnapshot(cfg.snapshotIsolation)) snapshotName = ((await client.query('SELECT pg_export_snapshot() AS s')).rows[0] as { s: string }).s;
    if (cfg.snapshotSharedLocks) await lockTables(client, ctx.tables, cfg.snapshotLockTimeoutMs);
    const info = await client.query('SELECT pg_current_xact_id()::text AS xid, CURRENT_TIMESTAMP::text AS ts');
    const row0 = info.rows[0] as { xid: string; ts: string };
    const txId = Number(row0.xid);
    const tsUs = parseTimestamp(row0.ts);
    log.info({ tables: ctx.tables.map((t) => t.id), lsn: ctx.lsn, threads }, 'Snapshot started');
    ctx.metrics?.started(ctx.tables.map((t) => t.id));

    const units = await planUnits(client, cfg, ctx.tables, threads, ctx.conditions);
    // snapshot.tables.order.by.row.count: by estimated rows (a stable sort keeps each table's chunks in page order).
    if (cfg.snapshotTableOrder !== 'disabled') {
      const sign = cfg.snapshotTableOrder === 'ascending' ? 1 : -1;
      units.sort((a, b) => sign * (a.table.estimate - b.table.estimate));
    }
    for (const u of units) ctx.metrics?.estimate(u.table.schema.id, u.table.estimate);
    const emitter = new MarkerEmitter(ctx, txId, tsUs, threads === 1);

    const connections: pg.Client[] = [client];
    for (let i = 1; i < Math.min(threads, units.length); i++) {
      const c = await ctx.connect();
      extra.push(c);
      if (snapshotName) {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`);
      } else {
        // read_committed / read_uncommitted: no snapshot to share; each statement sees what is committed.
        await c.query(beginSnapshot(cfg.snapshotIsolation));
      }
      connections.push(c);
    }
    let next = 0;
    let cursorSeq = 0;
    // Each connection takes the next unit until none are left (tables in snapshot order, chunks in page order).
    await Promise.all(connections.map(async (conn) => {
      while (next < units.length && !ctx.stopped()) {
        const unit = units[next++]!;
        await readUnit(conn, unit, `dbz_snapshot_${cursorSeq++}`, ctx, emitter, log);
      }
    }));
    if (ctx.stopped()) {
      ctx.metrics?.abort();
      return { rows: emitter.total };
    }
    await emitter.finish();
    await client.query('COMMIT');
    for (const c of extra) await c.query('COMMIT').catch(() => {});
    log.info({ rows: emitter.total }, 'Snapshot completed');
    ctx.metrics?.finished();
    return { rows: emitter.total };
  } catch (e) {
    ctx.metrics?.abort();
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    for (const c of extra) await c.end().catch(() => {});
  }
}

/**
 * The snapshot transaction's BEGIN (spec §4.3): a slot's exported snapshot is read in REPEATABLE READ; otherwise
 * `snapshot.isolation.mode` decides, read only (serializable also deferrable: it waits for a safe snapshot).
 */
export function beginSnapshot(isolation: SnapshotIsolation): string {
  switch (isolation) {
    case 'serializable':
      return 'BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE';
    case 'repeatable_read':
      return 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    case 'read_committed':
      return 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY';
    case 'read_uncommitted':
      return 'BEGIN ISOLATION LEVEL READ UNCOMMITTED READ ONLY';
  }
}

/** Whether transactions of this isolation can import an exported snapshot (so parallel readers see one state). */
function sharesSnapshot(isolation: SnapshotIsolation): boolean {
  return isolation === 'serializable' || isolation === 'repeatable_read';
}

/** `snapshot.locking.mode=shared`: every table locked IN ACCESS SHARE MODE until the snapshot commits. */
async function lockTables(client: pg.Client, tables: TableSchema[], timeoutMs: number): Promise<void> {
  await client.query(`SET LOCAL lock_timeout = ${Math.floor(timeoutMs)}`);
  for (const t of tables) {
    const qualified = qualifiedName(t.info.schema, t.info.table);
    try {
      await client.query(`LOCK TABLE ${qualified} IN ACCESS SHARE MODE`);
    } catch (e) {
      throw new ConnectException(`Could not lock table ${t.id} IN ACCESS SHARE MODE for the snapshot within snapshot.lock.timeout.ms=${timeoutMs}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** One cursor per unit; chunked by ctid ranges when several threads share a large table. */
async function planUnits(client: pg.Client, cfg: PostgresConfig, tables: TableSchema[], threads: number, conditions?: ReadonlyMap<string, string>): Promise<Unit[]> {
  const units: Unit[] = [];
  for (const schema of tables) {
    const qualified = qualifiedName(schema.info.schema, schema.info.table);
    // A partitioned table has no rows or pages of its own: its estimate is its partitions' (and it is not chunked).
    const est = await client.query(
      `SELECT (GREATEST(c.reltuples, 0) + COALESCE((SELECT SUM(GREATEST(p.reltuples, 0)) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                WHERE i.inhparent = c.oid AND c.relkind = 'p'), 0))::int8 AS n, c.relpages::int8 AS p
         FROM pg_class c WHERE c.oid = $1::regclass`,
      [qualified],
    );
    const r = est.rows[0] as { n: string; p: string } | undefined;
    const table: TableState = {
      schema, estimate: Number(r?.n ?? 0), unitsLeft: 0, rows: 0, started: 0, lastLog: 0, held: null, emittedAny: false,
    };
    const override = conditions ? undefined : cfg.snapshotOverrides.get(schema.id);
    const condition = conditions?.get(schema.id);
    const select = `SELECT ${schema.columnNames.map(quoteIdent).join(', ')} FROM ${qualified}`;
    const pages = Number(r?.p ?? 0);
    const chunks = threads > 1 && !override ? Math.min(threads * cfg.snapshotThreadsMultiplier, Math.floor(pages / MIN_CHUNK_PAGES)) : 1;
    const where = (ctidRange: string | null) => [condition, ctidRange].filter(Boolean).join(' AND ');
    if (chunks <= 1) {
      const w = where(null);
      units.push({ table, sql: override ?? (w ? `${select} WHERE ${w}` : select) });
    } else {
      // The last chunk is open-ended: relpages is an estimate and the table may have grown since.
      const step = Math.ceil(pages / chunks);
      for (let i = 0; i < chunks; i++) {
        const lower = `ctid >= '(${i * step},0)'::tid`;
        const upper = i === chunks - 1 ? '' : ` AND ctid < '(${(i + 1) * step},0)'::tid`;
        units.push({ table, sql: `${select} WHERE ${where(lower + upper)}` });
      }
    }
    table.unitsLeft = Math.max(chunks, 1);
  }
  return units;
}

async function readUnit(conn: pg.Client, unit: Unit, cursor: string, ctx: SnapshotContext, emitter: MarkerEmitter, log: Logger): Promise<void> {
  const { cfg } = ctx;
  const t = unit.table;
  if (!t.started) t.started = t.lastLog = Date.now();
  await conn.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${unit.sql}`);
  for (;;) {
    const r = await conn.query({ text: `FETCH ${cfg.snapshotFetchSize} FROM ${cursor}`, rowMode: 'array' });
    const batch = r.rows as TupleValue[][];
    if (batch.length) await emitter.rows(t, batch);
    if (batch.length < cfg.snapshotFetchSize || ctx.stopped()) break;
    const now = Date.now();
    if (now - t.lastLog >= PROGRESS_EVERY_MS) {
      t.lastLog = now;
      const rate = t.rows / ((now - t.started) / 1000);
      const eta = t.estimate > t.rows && rate > 0 ? Math.round((t.estimate - t.rows) / rate) : null;
      log.info({ table: t.schema.id, rows: t.rows, rowsPerSecond: Math.round(rate), estimatedRows: t.estimate, etaSeconds: eta }, 'Snapshot progress');
    }
  }
  await conn.query(`CLOSE ${cursor}`);
  if (--t.unitsLeft === 0 && !ctx.stopped()) {
    ctx.metrics?.tableCompleted(t.schema.id, t.rows);
    const secs = (Date.now() - t.started) / 1000;
    log.info({ table: t.schema.id, rows: t.rows, seconds: secs, rowsPerSecond: secs > 0 ? Math.round(t.rows / secs) : t.rows }, 'Snapshot of table finished');
    await emitter.tableDone(t);
  }
}

/**
 * Builds the records and decides their markers. Holds back the newest row of each table (it may be the
 * table's last) and the last row of the most recently finished table (it may be the snapshot's last).
 */
class MarkerEmitter {
  total = 0;
  private firstPending: boolean;
  private lastOfFinished: Held | null = null;
  private readonly offset: SourceMap;
  private readonly lastOffset: SourceMap;

  constructor(private readonly ctx: SnapshotContext, private readonly txId: number, private readonly tsUs: number, withFirst: boolean) {
    this.firstPending = withFirst;
    // Every record but the last shares one offset (the runtime only reads it).
    this.offset = ctx.offsets?.regular ?? snapshotOffsetMap({ lsn: ctx.lsn, txId, tsUsec: tsUs, lastSnapshotRecord: false });
    this.lastOffset = ctx.offsets?.last ?? snapshotOffsetMap({ lsn: ctx.lsn, txId, tsUsec: tsUs, lastSnapshotRecord: true });
  }

  /**
   * Builds and hands over the records of a fetched batch a slice at a time (STREAM_QUEUE_FILL rows), each
   * once the queue has room: records are built just before poll() takes them, so they die young (see
   * change-queue.ts) instead of a whole fetch of them waiting in the heap.
   */
  async rows(t: TableState, batch: TupleValue[][]): Promise<void> {
    for (let from = 0; from < batch.length; from += STREAM_QUEUE_FILL) {
      const slice = batch.length <= STREAM_QUEUE_FILL ? batch : batch.slice(from, from + STREAM_QUEUE_FILL);
      const out: SourceRecord[] = [];
      for (const row of slice) {
        if (t.held) this.release(t.held, false, out);
        t.held = { table: t, row, firstInTable: !t.emittedAny };
        t.emittedAny = true;
      }
      t.rows += slice.length;
      this.total += slice.length;
      this.ctx.metrics?.rows(t.schema.id, slice.length, t.rows);
      if (out.length) await this.ctx.emit(out, estimateRowsBytes(slice));
    }
  }

  async tableDone(t: TableState): Promise<void> {
    const held = t.held;
    t.held = null;
    if (!held) return;
    const out: SourceRecord[] = [];
    if (this.lastOfFinished) this.release(this.lastOfFinished, true, out);
    this.lastOfFinished = held;
    if (out.length) await this.ctx.emit(out, estimateRecordBytes(rowBytes(held.row)));
  }

  /** The last record of the whole snapshot. */
  async finish(): Promise<void> {
    const held = this.lastOfFinished;
    this.lastOfFinished = null;
    if (held) await this.ctx.emit([this.build(held, 'last', this.lastOffset)], estimateRecordBytes(rowBytes(held.row)));
  }

  /** Emits a held row (first flushing the previous table's last row, which must come before it). */
  private release(h: Held, lastInTable: boolean, out: SourceRecord[]): void {
    if (!lastInTable && this.lastOfFinished) {
      const prev = this.lastOfFinished;
      this.lastOfFinished = null;
      this.release(prev, true, out);
    }
    let marker: SnapshotMarker;
    if (this.firstPending) marker = 'first';
    else if (lastInTable) marker = 'last_in_data_collection';
    else if (h.firstInTable) marker = 'first_in_data_collection';
    else marker = 'true';
    this.firstPending = false;
    out.push(this.build(h, marker, this.offset));
  }

  private build(h: Held, marker: SnapshotMarker, offset: SourceMap): SourceRecord {
    const t = h.table.schema;
    const src: SourceFields = {
      tsUs: this.tsUs, snapshot: marker, schema: t.info.schema, table: t.info.table, txId: this.txId, lsn: this.ctx.lsn,
      lastCommitLsn: null, origin: null, originLsn: null,
    };
    return this.ctx.events.change(t, 'r', t.key(h.row), null, t.value(h.row, null, false), src, offset, null);
  }
}

/** Bytes of a row's values as received (text length, or bytes in binary form). */
function rowBytes(row: readonly TupleValue[]): number {
  let n = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'string' || v instanceof Uint8Array) n += v.length;
  }
  return n;
}

/** Estimated in-memory size of the records of a fetched batch of rows (for `max.queue.size.in.bytes`). */
export function estimateRowsBytes(batch: readonly (readonly TupleValue[])[]): number {
  let n = 0;
  for (let i = 0; i < batch.length; i++) n += estimateRecordBytes(rowBytes(batch[i]!));
  return n;
}
