/**
 * Incremental snapshots driven by signals (Debezium's SignalBasedIncrementalSnapshotChangeEventSource and
 * SignalProcessor, specs/debezium-postgres.md §4.6). Runs beside streaming:
 *
 * - `execute-snapshot` queues tables; the first chunk is read at once. A chunk: insert the open watermark
 *   `<chunk>-open` into the signal table, SELECT the next `incremental.snapshot.chunk.size` rows in key
 *   order into the window, insert the close watermark `<chunk>-close` (insert_delete: delete the open row).
 * - The stream reads the open watermark: the window opens; every streamed change of a key in the window
 *   drops that row. The stream reads the close watermark: the remaining rows go out as `op: r`,
 *   `source.snapshot: "incremental"`, and the next chunk is read.
 * - While a chunk is read, the stream waits (`beforeMessage`), so no change past the open watermark is
 *   processed before its window is filled, as in Debezium, where all of this runs on the streaming thread.
 * - Progress lives in the offsets (`store`), so a restarted task resumes after the last emitted row.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SourceMap, SourceRecord, Struct } from '../../../connect/data/index.js';
import type { PostgresConfig } from '../config.js';
import type { EventFactory } from '../events.js';
import type { TupleValue } from '../pgoutput/decoder.js';
import type { SourceFields } from '../source-info.js';
import type { TableSchema } from '../table-schema.js';
import type { SignalConfig } from '../signals/signal-config.js';
import {
  EXECUTE_SNAPSHOT, LOG, PAUSE_SNAPSHOT, RESUME_SNAPSHOT, STOP_SNAPSHOT, WINDOW_CLOSE, WINDOW_OPEN,
  type SignalRecord, collectionPattern, conditionFor, formatLogMessage, parseExecuteSnapshot, parseStopSnapshot,
  signalData, signalFromRow,
} from '../signals/signal.js';
import { type ChunkQueryInput, chunkQuery, maxKeyQuery } from './chunk-query.js';
import { qualifiedName } from '../catalog.js';
import { type ChunkKey, type DataCollection, IncrementalSnapshotContext } from './context.js';
import { ChunkWindow, structKeyString, keyString } from './window.js';
import { runBlockingSnapshot } from '../blocking-snapshot.js';
import { estimateRowsBytes } from '../snapshot.js';

export interface SnapshotterDeps {
  cfg: PostgresConfig;
  sig: SignalConfig;
  events: EventFactory;
  log: Logger;
  /** A connection for chunk reads and watermark writes (kept open between chunks). */
  connect(): Promise<pg.Client>;
  /** The schema of a captured table (as the stream builds it), or null when it is not captured or missing. */
  schemaFor(schema: string, table: string): Promise<TableSchema | null>;
  /** `schema.table` of every captured table (regexes of signals are expanded over them). */
  capturedTables(): Promise<string[]>;
  /** Hands records (of together about `bytes` estimated bytes) to the queue; resolves when there is room again. */
  emit(records: SourceRecord[], bytes: number): Promise<void>;
  /** The stream's current offset (without snapshot keys), or null before anything was processed. */
  streamOffset(): SourceMap | null;
}

interface CurrentTable {
  id: string;
  schema: TableSchema;
  keyColumns: { name: string; index: number; nullable: boolean; type: 'int' | 'long' | 'string' }[];
  /** The Java types of the chunk key (constant per table; every stored key carries them). */
  keyTypes: ('int' | 'long' | 'string')[];
  /** Dedup by the record key when the table has one, else by the chunk key columns. */
  byRecordKey: boolean;
  rows: number;
  chunks: number;
  started: number;
}

interface WindowRow {
  row: TupleValue[];
  key: Struct | null;
}

const INT_OIDS = new Set([21, 23]);
const LONG_OIDS = new Set([20]);

export class IncrementalSnapshotter {
  readonly context: IncrementalSnapshotContext;
  /** A chunk's rows with their record keys (built once, for dedup and for the emitted event). */
  private readonly window = new ChunkWindow<WindowRow>();
  private current: CurrentTable | null = null;
  private client: pg.Client | null = null;
  /** Serial work: signals and chunk reads run one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private pendingWork = 0;
  private stopped = false;
  private readonly signalId: string | null;

  constructor(private readonly d: SnapshotterDeps, storedOffset: SourceMap | null) {
    this.context = IncrementalSnapshotContext.load(storedOffset);
    const t = d.sig.signalTable;
    this.signalId = t ? `${t.schema}.${t.table}` : null;
  }

  /** On start: a snapshot that was running continues with a new chunk (Debezium's `init`). */
  start(): void {
    if (!this.context.running) return;
    this.d.log.info({ collections: this.context.pending.map((c) => c.id) }, 'Incremental snapshot in progress, need to read new chunk on start');
    this.enqueue(() => this.readChunk());
  }

  /** While work is pending, the stream waits before its next message; null when it may go on. */
  beforeMessage(): Promise<void> | null {
    return this.pendingWork > 0 ? this.chain : null;
  }

  /** Adds the snapshot's state to a streaming offset map. */
  decorate = (m: SourceMap): SourceMap => this.context.store(m);

  /**
   * A captured change, called synchronously by the stream processor: signal-table rows become signals;
   * changes of keys in an open window drop the window's rows.
   */
  onChange = (table: TableSchema, op: 'c' | 'u' | 'd', oldTuple: TupleValue[] | null, newTuple: TupleValue[] | null, offset: SourceMap): void => {
    if (this.signalId !== null && table.id === this.signalId) {
      const isSignal = op === 'c' || (op === 'd' && this.d.sig.watermarking === 'insert_delete');
      if (isSignal && this.d.sig.channels.has('source')) {
        const s = signalFromRow(op === 'c' ? 'c' : 'd', op === 'c' ? newTuple : oldTuple);
        if (s) this.signal(s, offset);
      }
    }
    const cur = this.current;
    if (!this.context.windowOpened || this.window.empty || !cur || cur.id !== table.id) return;
    if (newTuple) this.dedup(cur, newTuple);
    if (oldTuple) this.dedup(cur, oldTuple);
  };

  /** A signal from any channel; processed in order with the other work. */
  signal(s: SignalRecord, offset: SourceMap | null): void {
    this.enqueue(() => this.process(s, offset));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  private enqueue(work: () => Promise<void>): void {
    this.pendingWork++;
    this.chain = this.chain.then(async () => {
      try {
        if (!this.stopped) await work();
      } catch (e) {
        this.d.log.warn({ err: (e as Error).message }, 'Signal processing failed; streaming continues');
      } finally {
        this.pendingWork--;
      }
    });
  }

  private dedup(cur: CurrentTable, tuple: TupleValue[]): void {
    const key = this.windowKey(cur, tuple, cur.byRecordKey ? cur.schema.key(tuple) : null);
    if (key !== null && this.window.deduplicate(key)) this.d.log.debug({ table: cur.id, key }, 'Removed row from window');
  }

  /** The window key of a row: its record key when the table has one (`recordKey`), else its chunk key columns. */
  private windowKey(cur: CurrentTable, row: readonly TupleValue[], recordKey: Struct | null): string | null {
    if (cur.byRecordKey) return recordKey ? structKeyString(recordKey) : null;
    return keyString(cur.keyColumns.map((k) => row[k.index] ?? null));
  }

  private async process(s: SignalRecord, offset: SourceMap | null): Promise<void> {
    const log = this.d.log;
    log.debug({ id: s.id, type: s.type, data: s.data }, 'Received signal');
    let data: Record<string, unknown>;
    try {
      data = signalData(s);
    } catch {
      log.warn(`Signal '${s.id}' has been received but the data '${s.data}' cannot be parsed`);
      return;
    }
    switch (s.type) {
      case WINDOW_OPEN:
        if (!this.context.openWindow(s.id)) log.info(`Received request to open window with id = '${s.id}', expected = '${this.context.currentChunkId}', request ignored`);
        return;
      case WINDOW_CLOSE:
        return this.closeWindow(s.id, offset);
      case EXECUTE_SNAPSHOT:
        return this.executeSnapshot(s, data);
      case STOP_SNAPSHOT: {
        const req = parseStopSnapshot(data);
        if (typeof req === 'string') return void log.warn(`Stop snapshot signal '${s.id}' skipped: ${req}`);
        log.info(`Requested stop of snapshot '${req.type}' for data collections '${JSON.stringify(req.dataCollections)}'`);
        if (req.type === 'INCREMENTAL') this.context.requestStop(req.dataCollections);
        // A stop of a paused snapshot is applied at once (no chunk will come to apply it).
        if (this.context.paused) await this.applyStopRequests();
        return;
      }
      case PAUSE_SNAPSHOT:
        if (this.context.running && !this.context.paused) {
          this.context.paused = true;
          log.info('Pausing incremental snapshot');
        }
        return;
      case RESUME_SNAPSHOT:
        if (this.context.running && this.context.paused) {
          this.context.paused = false;
          log.info('Resuming incremental snapshot');
          await this.readChunk();
        }
        return;
      case LOG: {
        const message = typeof data.message === 'string' ? data.message : '';
        if (!message) return void log.warn(`Logging signal '${s.id}' has arrived but the requested field 'message' is missing from data`);
        log.info(formatLogMessage(message, offset ?? this.d.streamOffset() ?? '<none>'));
        return;
      }
      default:
        log.warn(`Signal '${s.id}' has been received but the type '${s.type}' is not recognized`);
    }
  }

  private async executeSnapshot(s: SignalRecord, data: Record<string, unknown>): Promise<void> {
    const log = this.d.log;
    const req = parseExecuteSnapshot(data);
    if (typeof req === 'string') return void log.warn(`Execute snapshot signal '${s.id}' has arrived but ${req}`);
    log.info(`Requested '${req.type}' snapshot of data collections '${JSON.stringify(req.dataCollections)}' with additional conditions '${JSON.stringify(req.additionalConditions.map((c) => ({ 'data-collection': c.dataCollection.source, filter: c.filter })))}' and surrogate key '${req.surrogateKey ?? 'PK of table will be used'}'`);
    if (req.type === 'BLOCKING') {
      // Runs as this queue's work, so the stream waits (beforeMessage) until it is done.
      const ids = this.expand(req.dataCollections, await this.d.capturedTables());
      await runBlockingSnapshot({ ...this.d, stopped: () => this.stopped }, ids.map((id) => ({ id, condition: conditionFor(req, id) })));
      return;
    }
    if (!this.d.sig.signalTable) {
      log.warn(`Incremental snapshot is not properly configured: signal.data.collection is not set; signal '${s.id}' ignored`);
      return;
    }
    const ids = this.expand(req.dataCollections, await this.d.capturedTables());
    const list: DataCollection[] = ids.map((id) => ({ id, additionalCondition: conditionFor(req, id), surrogateKey: req.surrogateKey, correlationId: s.id }));
    const wasRunning = this.context.running;
    this.context.add(s.id, list);
    if (!wasRunning) {
      log.info({ collections: ids }, 'Incremental snapshot started');
      await this.readChunk();
    }
  }

  /** Regexes to table ids (captured tables matching each); a regex matching none stays as a literal name. */
  private expand(patterns: string[], captured: string[]): string[] {
    const out: string[] = [];
    for (const p of patterns) {
      let re: RegExp | null = null;
      try {
        re = collectionPattern(p);
      } catch {
        re = null;
      }
      const hits = re ? captured.filter((t) => re!.test(t)) : [];
      for (const id of hits.length ? hits : [p]) if (!out.includes(id)) out.push(id);
    }
    return out;
  }

  private async closeWindow(id: string, offset: SourceMap | null): Promise<void> {
    if (!this.context.closeWindow(id)) {
      this.d.log.info(`Received request to close window with id = '${id}', expected = '${this.context.currentChunkId}', request ignored`);
      return;
    }
    await this.sendWindow(offset ?? this.d.streamOffset() ?? {});
    await this.readChunk();
  }

  /** Emits the window's remaining rows as `r` events carrying the stream position of the close watermark. */
  private async sendWindow(streamOffset: SourceMap): Promise<void> {
    const cur = this.current;
    const rows = this.window.drain();
    if (!cur || !rows.length) return;
    const { events } = this.d;
    const t = cur.schema;
    const lastCommit = typeof streamOffset.lsn_commit === 'number' ? streamOffset.lsn_commit : null;
    const seqLsn = typeof streamOffset.lsn === 'number' ? streamOffset.lsn : null;
    const out: SourceRecord[] = [];
    for (const { row, key } of rows) {
      // Each record's offset carries its own key (a restart resumes after it), hence a map per row.
      this.context.setLastEventKey(this.chunkKeyOf(cur, row));
      const tsUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      const offset: SourceMap = { ...streamOffset, ts_usec: tsUs, snapshot: 'INCREMENTAL', last_snapshot_record: false, snapshot_completed: true };
      this.context.store(offset);
      const src: SourceFields = {
        tsUs, snapshot: 'incremental', schema: t.info.schema, table: t.info.table, txId: null, lsn: null,
        lastCommitLsn: lastCommit, origin: null, originLsn: null, sequenceLsn: seqLsn,
      };
      out.push(events.change(t, 'r', key, null, t.value(row, null, false), src, offset, null));
    }
    cur.rows += rows.length;
    await this.d.emit(out, estimateRowsBytes(rows.map((r) => r.row)));
  }

  private chunkKeyOf(cur: CurrentTable, row: readonly TupleValue[]): ChunkKey {
    return {
      values: cur.keyColumns.map((k) => { const v = row[k.index]; return v === null || v === undefined ? null : String(v); }),
      types: cur.keyTypes,
    };
  }

  private async conn(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = await this.d.connect();
    c.on('error', () => {
      if (this.client === c) this.client = null;
    });
    this.client = c;
    return c;
  }

  /** Debezium's readChunk: apply stop requests, open a window, fill it from the next table with rows, close it. */
  private async readChunk(): Promise<void> {
    const ctx = this.context;
    const log = this.d.log;
    await this.applyStopRequests();
    if (!ctx.running) return;
    if (ctx.paused) {
      log.info('Incremental snapshot was paused.');
      return;
    }
    const client = await this.conn();
    const chunkId = ctx.startNewChunk();
    await this.insertWatermark(client, `${chunkId}-open`, WINDOW_OPEN);
    while (ctx.running) {
      const coll = ctx.current!;
      const cur = await this.prepareTable(coll);
      if (!cur) {
        this.nextCollection();
        continue;
      }
      const keySpec = cur.keyColumns.map((k) => ({ name: k.name, nullable: k.nullable }));
      try {
        if (!ctx.maximumKey) {
          const r = await client.query({ text: maxKeyQuery(cur.schema.info.schema, cur.schema.info.table, keySpec, coll.additionalCondition), rowMode: 'array' });
          const row = r.rows[0] as (string | null)[] | undefined;
          if (!row) {
            log.info(`No maximum key returned by the query, incremental snapshotting of table '${coll.id}' finished as it is empty`);
            this.nextCollection();
            continue;
          }
          ctx.setMaximumKey({ values: row, types: cur.keyTypes });
          log.info(`Incremental snapshot for table '${coll.id}' will end at position ${JSON.stringify(row)}`);
        }
        const q: ChunkQueryInput = {
          schema: cur.schema.info.schema, table: cur.schema.info.table, columns: cur.schema.columnNames, keyColumns: keySpec,
          after: ctx.chunkEnd?.values ?? null, max: ctx.maximumKey?.values ?? null, condition: coll.additionalCondition, limit: this.d.sig.chunkSize,
        };
        const { text, values } = chunkQuery(q);
        const r = await client.query({ text, values, rowMode: 'array' });
        const rows = r.rows as TupleValue[][];
        this.window.clear();
        for (const row of rows) {
          const key = cur.schema.key(row);
          this.window.put(this.windowKey(cur, row, key) ?? String(this.window.size), { row, key });
        }
        if (rows.length) ctx.chunkEnd = this.chunkKeyOf(cur, rows[rows.length - 1]!);
        if (!rows.length) {
          const secs = (Date.now() - cur.started) / 1000;
          log.info({ table: coll.id, rows: cur.rows, chunks: cur.chunks, seconds: secs }, `No data returned by the query, incremental snapshotting of table '${coll.id}' finished`);
          this.nextCollection();
          continue;
        }
        cur.chunks++;
        log.info({ table: coll.id, chunk: cur.chunks, chunkRows: rows.length, rowsSoFar: cur.rows, remainingTables: ctx.pending.length - 1 }, 'Incremental snapshot chunk read');
        break;
      } catch (e) {
        log.warn({ err: (e as Error).message }, `SQL error while executing incremental snapshot for table '${coll.id}', skipping and continuing streaming`);
        this.window.clear();
        this.nextCollection();
      }
    }
    await this.closeWatermark(client, chunkId);
  }

  private nextCollection(): void {
    this.current = null;
    this.window.clear();
    this.context.nextDataCollection();
    if (!this.context.running) {
      this.d.log.info('Incremental snapshot completed');
      this.context.correlationId = null;
    }
  }

  /** The current table's schema and chunk key; null (with a warning) when it cannot be snapshotted. */
  private async prepareTable(coll: DataCollection): Promise<CurrentTable | null> {
    if (this.current?.id === coll.id) return this.current;
    const log = this.d.log;
    const dot = coll.id.indexOf('.');
    const schema = dot > 0 ? await this.d.schemaFor(coll.id.slice(0, dot), coll.id.slice(dot + 1)) : null;
    if (!schema) {
      log.warn(`Schema not found for table '${coll.id}' (missing or not captured); skipping it in the incremental snapshot`);
      return null;
    }
    const names = coll.surrogateKey ? [coll.surrogateKey] : (schema.keySchema?.fields.map((f) => f.name) ?? []);
    if (!names.length) {
      log.warn(`Incremental snapshot for table '${coll.id}' skipped because the table has no primary keys`);
      return null;
    }
    const keyColumns: CurrentTable['keyColumns'] = [];
    for (const name of names) {
      const index = schema.info.columns.findIndex((c) => c.name === name);
      if (index < 0) {
        log.warn(`Surrogate key "${name}" doesn't exist in table "${coll.id}"; skipping it in the incremental snapshot`);
        return null;
      }
      const col = schema.info.columns[index]!;
      keyColumns.push({ name, index, nullable: !col.notNull, type: INT_OIDS.has(col.typeOid) ? 'int' : LONG_OIDS.has(col.typeOid) ? 'long' : 'string' });
    }
    // A key loaded from an offset has no types yet: give it the table's.
    const types = keyColumns.map((k) => k.type);
    if (this.context.chunkEnd && !this.context.chunkEnd.types) this.context.chunkEnd.types = types;
    if (this.context.maximumKey && !this.context.maximumKey.types) this.context.setMaximumKey({ values: this.context.maximumKey.values, types });
    this.current = { id: coll.id, schema, keyColumns, keyTypes: types, byRecordKey: schema.keySchema !== null, rows: 0, chunks: 0, started: Date.now() };
    return this.current;
  }

  /** The open watermark's metadata; the close one repeats it with its own time (Debezium's SignalMetadata). */
  private openMeta: { open: string; correlationId: string | null; dataCollectionId: string | null } | null = null;

  private async insertWatermark(client: pg.Client, id: string, type: string): Promise<void> {
    const t = this.d.sig.signalTable;
    if (!t) return void this.d.log.warn('Not able to determine signal table, cannot emit window signal');
    const now = new Date().toISOString();
    if (type === WINDOW_OPEN) {
      const coll = this.context.current;
      this.openMeta = { open: now, correlationId: coll?.correlationId ?? null, dataCollectionId: coll?.id ?? null };
    }
    const o = this.openMeta;
    const m: Record<string, string> = {};
    if (o) m.openWindowTimestamp = o.open;
    if (type === WINDOW_CLOSE) m.closeWindowTimestamp = now;
    if (o?.correlationId) m.correlationId = o.correlationId;
    if (o?.dataCollectionId) m.dataCollectionId = o.dataCollectionId;
    await client.query(`INSERT INTO ${qualifiedName(t.schema, t.table)} VALUES ($1, $2, $3)`, [id, type, metadataString(m)]);
  }

  private async closeWatermark(client: pg.Client, chunkId: string): Promise<void> {
    const t = this.d.sig.signalTable;
    if (!t) return;
    if (this.d.sig.watermarking === 'insert_delete') {
      await client.query(`DELETE FROM ${qualifiedName(t.schema, t.table)} WHERE id = $1`, [`${chunkId}-open`]);
    } else {
      await this.insertWatermark(client, `${chunkId}-close`, WINDOW_CLOSE);
    }
  }

  /** Debezium's checkAndProcessStopFlag. */
  private async applyStopRequests(): Promise<void> {
    const ctx = this.context;
    const requested = ctx.drainStopRequests();
    if (!requested.length) return;
    const log = this.d.log;
    if (!ctx.running) {
      log.warn('No active incremental snapshot, stop ignored');
      return;
    }
    const ids = this.expand(requested, [...new Set([...await this.d.capturedTables(), ...ctx.pending.map((c) => c.id)])]);
    const stopped: string[] = [];
    let stopCurrent = false;
    for (const id of ids) {
      if (ctx.current?.id === id) stopCurrent = true;
      else if (ctx.remove(id)) {
        stopped.push(id);
        log.info(`Removed '${id}' from incremental snapshot collection list.`);
      }
    }
    if (stopCurrent) {
      stopped.push(ctx.current!.id);
      log.info(`Removed current collection '${ctx.current!.id}' from incremental snapshot collection list.`);
      this.nextCollection();
      if (!ctx.running) log.info('Incremental snapshot has stopped.');
    }
    log.info(`Removed collections from incremental snapshot: '${JSON.stringify(stopped)}'`);
  }
}

/** Watermark data as Debezium writes it: a flat JSON object with `: ` and `, ` separators. */
export function metadataString(m: Record<string, string>): string {
  return `{${Object.entries(m).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}
