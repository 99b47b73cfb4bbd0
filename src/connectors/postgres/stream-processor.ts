/**
 * Turns decoded pgoutput messages into Debezium records with their offsets (specs/debezium-postgres.md
 * §1, §5): transactions, inserts/updates/deletes with tombstones and key changes, truncates, logical
 * messages, transaction metadata and heartbeats. It also skips what was already emitted before a restart:
 * whole transactions that committed at or before the stored `lsn_commit`, and, inside the transaction that
 * was half done, the changes up to the stored `lsn_proc`.
 */
import type { Logger } from 'pino';
import type { SourceRecord, SourceMap } from '../../connect/data/index.js';
import { ConnectException } from '../../connect/errors.js';
import type { PostgresConfig } from './config.js';
import type { EventFactory, TransactionBlock } from './events.js';
import { type MessageType, streamOffsetMap } from './offsets.js';
import type { Lsn, PgOutputMessage, RelationMessage, TupleValue } from './pgoutput/decoder.js';
import type { SourceFields } from './source-info.js';
import type { TableInfo, TableSchema } from './table-schema.js';

/** Where to resume: taken from the stored offset (or the in-memory position after a reconnect). */
export interface ResumePoint {
  lsnCommit: number | null;
  lsnProc: number | null;
  txId: number | null;
  eventsAtLsn: number;
  /** The stored offset was inside a transaction (a change message was the last one processed). */
  midTransaction: boolean;
}

/** Sees each emitted change of a captured table (incremental snapshots: signals and window dedup). */
export type ChangeObserver = (table: TableSchema, op: 'c' | 'u' | 'd', oldTuple: TupleValue[] | null, newTuple: TupleValue[] | null, offset: SourceMap) => void;

/** Resolves a RELATION message to the table's schema, or null when the table is not captured. */
export type RelationResolver = (rel: RelationMessage) => Promise<TableSchema | null>;

interface TxState {
  xid: number;
  commitTimeUs: number;
  finalLsn: Lsn;
  skipAll: boolean;
  skipUpTo: { lsn: number; events: number } | null;
  totalOrder: number;
  perTable: Map<string, number>;
  origin: string | null;
  originLsn: number | null;
}

export class StreamProcessor {
  private readonly relations = new Map<number, TableSchema | null>();
  private readonly pendingRelations = new Map<number, RelationMessage>();
  private tx: TxState | null = null;
  private lastCommitLsn: number | null;
  private lastLsn: number = 0;
  private lastLsnProc: number | null;
  private lastTxId: number | null;
  private lastTsUs: number;
  private lastType: MessageType | null = null;
  private eventsAtLsn = 0;
  private filteredSinceHeartbeat = 0;
  private lastHeartbeat = Date.now();
  /** True once any message was received (no LSN is confirmed before that, as in Debezium). */
  received = false;
  /** The slot's catalog_xmin as last fetched (xmin.fetch.interval.ms > 0), put in `source.xmin` and the offset. */
  slotXmin: number | null = null;

  constructor(
    private readonly cfg: PostgresConfig,
    private readonly events: EventFactory,
    private readonly resolve: RelationResolver,
    private resume: ResumePoint | null,
    private readonly log: Logger,
    start: { lsn: number; tsUs: number } = { lsn: 0, tsUs: Date.now() * 1000 },
  ) {
    this.lastCommitLsn = resume?.lsnCommit ?? null;
    this.lastLsnProc = resume?.lsnProc ?? null;
    this.lastTxId = resume?.txId ?? null;
    this.lastLsn = start.lsn;
    this.lastTsUs = start.tsUs;
  }

  /** A new replication session re-sends RELATION messages; forget the old ones. */
  resetSession(resume: ResumePoint | null): void {
    this.relations.clear();
    this.tx = null;
    this.resume = resume;
  }

  /** Between a BEGIN and its COMMIT. */
  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** The position after everything processed so far (used to resume after a reconnect). */
  position(): ResumePoint {
    const midTx = this.tx !== null && this.lastType !== null && this.lastType !== 'COMMIT' && this.lastType !== 'BEGIN';
    return {
      lsnCommit: this.lastCommitLsn,
      lsnProc: this.lastLsnProc,
      txId: this.lastTxId,
      eventsAtLsn: this.eventsAtLsn,
      midTransaction: midTx,
    };
  }

  private offset(lsn: number, type: MessageType, proc: boolean): SourceMap {
    this.lastLsn = lsn;
    this.lastType = type;
    if (proc) this.lastLsnProc = lsn;
    return this.currentOffset()!;
  }

  /** Incremental snapshots: see a captured change (signals, window dedup) and add their keys to offsets. */
  changeObserver: ChangeObserver | null = null;
  offsetDecorator: ((m: SourceMap) => SourceMap) | null = null;

  /** The current offset (for heartbeats), or null before anything was processed. */
  currentOffset(): SourceMap | null {
    const m = this.plainOffset();
    return m && this.offsetDecorator ? this.offsetDecorator(m) : m;
  }

  /** The stream's offset without incremental snapshot keys. */
  plainOffset(): SourceMap | null {
    if (!this.lastType) return null;
    return streamOffsetMap({
      lsn: this.lastLsn, lsnProc: this.lastLsnProc, lsnCommit: this.lastCommitLsn, txId: this.lastTxId,
      tsUsec: this.lastTsUs, messageType: this.lastType, eventsAtLsn: this.eventsAtLsn, xmin: this.slotXmin,
    });
  }

  /** RELATION messages that must be resolved (async, catalog lookups) before `process` is called. */
  needsResolve(msg: PgOutputMessage): boolean {
    return msg.tag === 'relation';
  }

  async resolveRelation(rel: RelationMessage): Promise<void> {
    this.relations.set(rel.relationId, await this.resolve(rel));
  }

  /** Processes one message; returns the records to emit (possibly none). */
  process(msg: PgOutputMessage, lsn: Lsn): SourceRecord[] {
    this.received = true;
    switch (msg.tag) {
      case 'begin':
        return this.begin(msg.xid, msg.finalLsn, msg.commitTimeUs, lsn);
      case 'commit':
        return this.commit(lsn, msg.commitTimeUs);
      case 'origin':
        if (this.tx) {
          this.tx.origin = msg.name;
          this.tx.originLsn = msg.originLsn;
        }
        return [];
      case 'relation':
      case 'type':
        return [];
      case 'insert':
        return this.change(msg.relationId, 'c', null, null, msg.newTuple, lsn, 'INSERT');
      case 'update':
        return this.change(msg.relationId, 'u', msg.oldKind, msg.oldTuple, msg.newTuple, lsn, 'UPDATE');
      case 'delete':
        return this.change(msg.relationId, 'd', msg.oldKind, msg.oldTuple, null, lsn, 'DELETE');
      case 'truncate':
        return this.truncate(msg.relationIds, lsn);
      case 'message':
        return this.message(msg.transactional, msg.prefix, msg.content, lsn);
    }
  }

  private begin(xid: number, finalLsn: Lsn, commitTimeUs: number, lsn: Lsn): SourceRecord[] {
    const r = this.resume;
    const skipAll = r !== null && r.lsnCommit !== null && finalLsn < r.lsnCommit;
    const skipUpTo = !skipAll && r !== null && r.midTransaction && r.txId === xid && r.lsnProc !== null
      ? { lsn: r.lsnProc, events: r.eventsAtLsn }
      : null;
    this.tx = { xid, commitTimeUs, finalLsn, skipAll, skipUpTo, totalOrder: 0, perTable: new Map(), origin: null, originLsn: null };
    if (skipAll) return [];
    this.lastTxId = xid;
    this.lastTsUs = commitTimeUs;
    const off = this.offset(lsn, 'BEGIN', false);
    if (!this.cfg.provideTransactionMetadata) return [];
    return [this.events.transaction('BEGIN', `${xid}:${lsn}`, Math.floor(commitTimeUs / 1000), off, null)];
  }

  private commit(lsn: Lsn, commitTimeUs: number): SourceRecord[] {
    const tx = this.tx;
    this.tx = null;
    if (tx?.skipAll) return [];
    // Past the half-done transaction: nothing more to skip.
    if (tx?.skipUpTo) this.resume = null;
    this.lastCommitLsn = lsn;
    this.eventsAtLsn = 0;
    this.lastTsUs = commitTimeUs;
    const off = this.offset(lsn, 'COMMIT', true);
    const out: SourceRecord[] = [];
    if (this.cfg.provideTransactionMetadata && tx) {
      out.push(this.events.transaction('END', `${tx.xid}:${lsn}`, Math.floor(commitTimeUs / 1000), off, tx.perTable));
    }
    this.maybeHeartbeat(out);
    return out;
  }

  /** Whether this change was emitted before the restart. Counts changes sharing one LSN. */
  private alreadyEmitted(lsn: Lsn): boolean {
    this.eventsAtLsn = lsn === this.lastLsnProc ? this.eventsAtLsn + 1 : 1;
    const s = this.tx?.skipUpTo;
    if (!s) return false;
    if (lsn < s.lsn) return true;
    if (lsn === s.lsn && this.eventsAtLsn <= s.events) return true;
    return false;
  }

  private src(t: TableSchema, lsn: Lsn): SourceFields {
    const tx = this.tx;
    return {
      tsUs: this.lastTsUs, snapshot: null, schema: t.info.schema, table: t.info.table, txId: this.lastTxId, lsn,
      lastCommitLsn: this.lastCommitLsn, origin: tx?.origin ?? null, originLsn: tx?.originLsn ?? null, xmin: this.slotXmin,
    };
  }

  private txBlock(t: TableSchema, lsn: Lsn): TransactionBlock | null {
    if (!this.cfg.provideTransactionMetadata || !this.tx) return null;
    const tx = this.tx;
    tx.totalOrder++;
    const n = (tx.perTable.get(t.id) ?? 0) + 1;
    tx.perTable.set(t.id, n);
    return { id: `${tx.xid}:${lsn}`, totalOrder: tx.totalOrder, dataCollectionOrder: n };
  }

  private change(
    relId: number, op: 'c' | 'u' | 'd', oldKind: 'K' | 'O' | null, oldTuple: TupleValue[] | null,
    newTuple: TupleValue[] | null, lsn: Lsn, type: MessageType,
  ): SourceRecord[] {
    if (this.tx?.skipAll) return [];
    const skip = this.alreadyEmitted(lsn);
    const table = this.relations.get(relId);
    if (table === undefined) throw new Error(`pgoutput: change for unknown relation ${relId} (no RELATION message seen)`);
    const off = this.offset(lsn, type, true);
    const out: SourceRecord[] = [];
    if (skip) return out;
    if (!table || this.cfg.skippedOperations.has(op)) {
      this.filteredSinceHeartbeat++;
      if (this.filteredSinceHeartbeat % 10_000 === 0 && this.cfg.heartbeatIntervalMs === 0) {
        this.log.warn(`Received ${this.filteredSinceHeartbeat} events which were all filtered out, so no offset could be committed. Consider heartbeat.interval.ms to avoid WAL growth.`);
      }
      this.maybeHeartbeat(out);
      return out;
    }
    this.filteredSinceHeartbeat = 0;
    try {
      this.emitChange(table, op, oldKind, oldTuple, newTuple, lsn, off, out);
    } catch (e) {
      this.eventFailed(e as Error, off);
      out.length = 0;
    }
    this.maybeHeartbeat(out);
    return out;
  }

  /**
   * `event.processing.failure.handling.mode` for a change that could not be turned into records (Debezium's
   * EventDispatcher): fail stops the task, naming the event's offset; warn and skip drop the event (its
   * position is processed all the same, so the stream moves on).
   */
  private eventFailed(e: Error, offset: SourceMap): void {
    const message = `Error while processing event at offset ${JSON.stringify(offset)}`;
    switch (this.cfg.eventProcessingFailureMode) {
      case 'fail':
        throw new ConnectException(`${message}: ${e.message}`, { cause: e });
      case 'warn':
        this.log.warn({ err: e.message, offset }, message);
        return;
      default:
        this.log.debug({ err: e.message, offset }, message);
    }
  }

  /** The records of one captured change (delete + tombstone + create for a key change) into `out`. */
  private emitChange(
    table: TableSchema, op: 'c' | 'u' | 'd', oldKind: 'K' | 'O' | null, oldTuple: TupleValue[] | null,
    newTuple: TupleValue[] | null, lsn: Lsn, off: SourceMap, out: SourceRecord[],
  ): void {
    const src = this.src(table, lsn);
    if (op === 'c') {
      out.push(this.events.change(table, 'c', table.key(newTuple!), null, table.value(newTuple!, null, true), src, off, this.txBlock(table, lsn)));
    } else if (op === 'u') {
      const before = oldTuple ? table.value(oldTuple, null, false) : null;
      const after = table.value(newTuple!, oldKind === 'O' ? oldTuple : null, true);
      const newKey = table.key(newTuple!);
      const oldKey = oldTuple ? table.key(oldTuple) : null;
      if (oldKey && table.keySchema && !oldKey.equals(newKey)) {
        // Primary key change: delete (+ tombstone) under the old key, create under the new one.
        const delHeaders = this.events.headersFor(newKey ? [['__debezium.newkey', newKey, table.keySchema]] : []);
        const del = this.events.change(table, 'd', oldKey, before, null, src, off, this.txBlock(table, lsn), delHeaders);
        out.push(del);
        if (this.cfg.tombstonesOnDelete) out.push(this.events.tombstone(del));
        const createHeaders = this.events.headersFor([['__debezium.oldkey', oldKey, table.keySchema]]);
        out.push(this.events.change(table, 'c', newKey, null, after, src, off, this.txBlock(table, lsn), createHeaders));
      } else if (this.cfg.skipMessagesWithoutChange && before !== null && before.equals(after)) {
        // skip.messages.without.change: no captured column changed (needs the old row: REPLICA IDENTITY FULL).
      } else {
        out.push(this.events.change(table, 'u', newKey, before, after, src, off, this.txBlock(table, lsn)));
      }
    } else {
      const del = this.events.change(table, 'd', table.key(oldTuple!), table.value(oldTuple!, null, false), null, src, off, this.txBlock(table, lsn));
      out.push(del);
      if (this.cfg.tombstonesOnDelete) out.push(this.events.tombstone(del));
    }
    this.changeObserver?.(table, op, oldTuple, newTuple, off);
  }

  private truncate(relIds: number[], lsn: Lsn): SourceRecord[] {
    if (this.tx?.skipAll) return [];
    const skip = this.alreadyEmitted(lsn);
    const out: SourceRecord[] = [];
    const tables = relIds.map((id) => this.relations.get(id)).filter((t): t is TableSchema => !!t);
    const off = this.offset(lsn, 'TRUNCATE', true);
    if (skip || this.cfg.skippedOperations.has('t')) return out;
    for (const t of tables) out.push(this.events.change(t, 't', null, null, null, this.src(t, lsn), off, this.txBlock(t, lsn)));
    return out;
  }

  private message(transactional: boolean, prefix: string, content: Uint8Array, lsn: Lsn): SourceRecord[] {
    if (transactional && this.tx?.skipAll) return [];
    const out: SourceRecord[] = [];
    if (!transactional) {
      // Non-transactional: its own "commit" (Debezium moves lsn_commit to it).
      if (this.resume?.lsnCommit !== null && this.resume !== null && lsn <= this.resume.lsnCommit!) return out;
      this.lastTxId = null;
      this.lastTsUs = Date.now() * 1000;
      this.lastCommitLsn = lsn;
      this.eventsAtLsn = 0;
    } else if (this.alreadyEmitted(lsn)) {
      return out;
    }
    const off = this.offset(lsn, 'MESSAGE', !transactional);
    if (!this.filtersMessage(prefix)) return out;
    const src: SourceFields = {
      tsUs: this.lastTsUs, snapshot: null, schema: '', table: '', txId: transactional ? this.lastTxId : null, lsn,
      lastCommitLsn: this.lastCommitLsn, origin: this.tx?.origin ?? null, originLsn: this.tx?.originLsn ?? null, xmin: this.slotXmin,
    };
    let tx: TransactionBlock | null = null;
    if (transactional && this.cfg.provideTransactionMetadata && this.tx) {
      this.tx.totalOrder++;
      const n = (this.tx.perTable.get('LOGICAL_DECODING_MESSAGE') ?? 0) + 1;
      this.tx.perTable.set('LOGICAL_DECODING_MESSAGE', n);
      tx = { id: `${this.tx.xid}:${lsn}`, totalOrder: this.tx.totalOrder, dataCollectionOrder: n };
    }
    out.push(this.events.message(prefix, content, src, off, tx));
    return out;
  }

  messagePrefixFilter: (prefix: string) => boolean = () => true;
  private filtersMessage(prefix: string): boolean {
    return this.messagePrefixFilter(prefix);
  }

  /** Emits a heartbeat into `out` when the interval elapsed (called at Debezium's check points). */
  maybeHeartbeat(out: SourceRecord[]): void {
    if (this.cfg.heartbeatIntervalMs <= 0) return;
    const now = Date.now();
    if (now - this.lastHeartbeat < this.cfg.heartbeatIntervalMs) return;
    const off = this.currentOffset();
    if (!off) return;
    this.lastHeartbeat = now;
    out.push(this.events.heartbeat(off));
    this.onHeartbeat?.();
  }

  onHeartbeat: (() => void) | null = null;
}

/** Builds a TableInfo from a RELATION message plus catalog facts (nullability, defaults, keys). */
export function tableInfoFromRelation(rel: RelationMessage, catalog: TableInfo | null): TableInfo {
  const byName = new Map((catalog?.columns ?? []).map((c) => [c.name, c]));
  return {
    schema: rel.schema,
    table: rel.name,
    columns: rel.columns.map((c) => {
      const k = byName.get(c.name);
      return { name: c.name, typeOid: c.typeOid, typeMod: c.typeMod, notNull: k?.notNull ?? false, defaultExpr: k?.defaultExpr ?? null };
    }),
    primaryKey: catalog?.primaryKey ?? rel.columns.filter((c) => c.isKey).map((c) => c.name),
    uniqueIndex: catalog?.uniqueIndex ?? [],
  };
}
