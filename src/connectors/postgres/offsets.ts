/**
 * Debezium's source partition and offset maps (specs/debezium-postgres.md §5.1), and reading them back.
 */
import type { SourceMap } from '../../connect/data/index.js';

export type MessageType = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'BEGIN' | 'COMMIT' | 'MESSAGE';

/** Where the stream stands after an event. */
export interface StreamOffset {
  lsn: number;
  /** LSN of the last completely processed message. */
  lsnProc: number | null;
  /** End LSN of the last processed COMMIT (or non-transactional message). */
  lsnCommit: number | null;
  txId: number | null;
  tsUsec: number;
  messageType: MessageType | null;
  /** How many change events at `lsnProc` were emitted (several rows can share one LSN). */
  eventsAtLsn: number;
  /** The slot's catalog_xmin (only when xmin.fetch.interval.ms tracks it). */
  xmin?: number | null;
}

export interface SnapshotOffset {
  lsn: number;
  txId: number;
  tsUsec: number;
  lastSnapshotRecord: boolean;
}

export function sourcePartition(serverName: string): SourceMap {
  return { server: serverName };
}

export function streamOffsetMap(o: StreamOffset): SourceMap {
  // Built once per event: the keys go in this order (the stored JSON shows it).
  const m: SourceMap = {};
  if (o.lsnProc !== null) m.lsn_proc = o.lsnProc;
  if (o.messageType !== null) m.messageType = o.messageType;
  if (o.lsnCommit !== null) m.lsn_commit = o.lsnCommit;
  m.lsn = o.lsn;
  if (o.txId !== null) m.txId = o.txId;
  if (o.xmin !== undefined && o.xmin !== null) m.xmin = o.xmin;
  m.ts_usec = o.tsUsec;
  if (o.eventsAtLsn > 1) m.lsn_events_processed = o.eventsAtLsn;
  return m;
}

export function snapshotOffsetMap(o: SnapshotOffset): SourceMap {
  return {
    last_snapshot_record: o.lastSnapshotRecord,
    lsn: o.lsn,
    txId: o.txId,
    ts_usec: o.tsUsec,
    snapshot: 'INITIAL',
    snapshot_completed: o.lastSnapshotRecord,
  };
}

/** A stored offset as the task reads it on start. */
export interface LoadedOffset {
  lsn: number | null;
  lsnProc: number | null;
  lsnCommit: number | null;
  txId: number | null;
  tsUsec: number | null;
  messageType: string | null;
  eventsAtLsn: number;
  /** An initial snapshot was running and had not emitted its last record. */
  snapshotInProgress: boolean;
  /** The offset comes from a snapshot record (completed or not). */
  fromSnapshot: boolean;
}

const num = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/**
 * The offset of a blocking snapshot's records: the stream's position (where streaming resumes, also after a
 * restart: a blocking snapshot is not an initial one to redo) without the transaction and incremental snapshot
 * keys, which are not stored while it runs, and marked `snapshot: "BLOCKING"`.
 */
export function blockingSnapshotOffsetMap(stream: SourceMap, lastSnapshotRecord: boolean): SourceMap {
  const m: SourceMap = {};
  for (const [k, v] of Object.entries(stream)) {
    if (!k.startsWith('transaction_') && !k.startsWith('incremental_snapshot_')) m[k] = v;
  }
  m.snapshot = 'BLOCKING';
  m.last_snapshot_record = lastSnapshotRecord;
  m.snapshot_completed = lastSnapshotRecord;
  return m;
}

/**
 * Reads an offset written by us or by Debezium (≤3.0 `snapshot: true` or 3.1+ `"INITIAL"`). A `"BLOCKING"`
 * offset is a streaming position: streaming resumes from it and no snapshot is redone.
 */
export function loadOffset(m: SourceMap | null): LoadedOffset | null {
  if (!m) return null;
  const snap = m.snapshot;
  const inSnapshot = snap === true || snap === 'true' || snap === 'INITIAL';
  const last = m.last_snapshot_record === true || m.last_snapshot_record === 'true' || m.snapshot_completed === true;
  return {
    lsn: num(m.lsn),
    lsnProc: num(m.lsn_proc),
    lsnCommit: num(m.lsn_commit),
    txId: num(m.txId),
    tsUsec: num(m.ts_usec),
    messageType: typeof m.messageType === 'string' ? m.messageType : null,
    eventsAtLsn: num(m.lsn_events_processed) ?? 1,
    snapshotInProgress: inSnapshot && !last,
    fromSnapshot: inSnapshot,
  };
}

/**
 * The LSN that may be confirmed to the server for a committed offset: the end of the last completed
 * transaction (`lsn_commit`), else `lsn_proc`, else (snapshot offsets) `lsn`, as Debezium flushes.
 */
export function flushLsnOf(m: SourceMap): number | null {
  const o = loadOffset(m);
  if (!o) return null;
  return o.lsnCommit ?? o.lsnProc ?? o.lsn;
}
