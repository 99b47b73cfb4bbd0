/**
 * Puts signals and incremental snapshots into a running task: the signal table joins the captured tables,
 * the stream processor reports captured changes and gets its offsets decorated, the file and kafka channels are read,
 * and the stream waits while a chunk is read. The task calls `attachSignals` once its processor exists.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SourceMap, SourceRecord } from '../../../connect/data/index.js';
import { ConnectException } from '../../../connect/errors.js';
import { type Filters, listCapturedTables, readTableInfo } from '../catalog.js';
import type { PostgresConfig } from '../config.js';
import type { EventFactory } from '../events.js';
import { IncrementalSnapshotter } from '../incremental-snapshot/snapshotter.js';
import { KEY_COLLECTIONS } from '../incremental-snapshot/context.js';
import type { StreamProcessor } from '../stream-processor.js';
import { TableSchema } from '../table-schema.js';
import type { TypeRegistry } from '../types/type-registry.js';
import { FileSignalPoller } from './file-channel.js';
import { KafkaSignalChannel } from './kafka-channel.js';
import type { SignalConfig } from './signal-config.js';

/** The ids the filters must always let through (the signal table). */
export function signalTableIds(sig: SignalConfig): string[] {
  return sig.signalTable ? [`${sig.signalTable.schema}.${sig.signalTable.table}`] : [];
}

export interface SignalWiring {
  cfg: PostgresConfig;
  sig: SignalConfig;
  events: EventFactory;
  log: Logger;
  processor: StreamProcessor;
  filters: Filters;
  registry: TypeRegistry;
  storedOffset: SourceMap | null;
  /** The task's metadata connection (reopened when lost). */
  metadataClient(): Promise<pg.Client>;
  /** A new connection of the task's settings. */
  connect(): Promise<pg.Client>;
  /** Hands snapshot records (of together about `bytes` estimated bytes) to the queue; resolves when there is room. */
  emit(records: SourceRecord[], bytes: number): Promise<void>;
}

export class SignalSupport {
  private poller: FileSignalPoller | null = null;
  private kafka: KafkaSignalChannel | null = null;

  constructor(readonly snapshotter: IncrementalSnapshotter, private readonly w: SignalWiring) {}

  /** Called when streaming starts: resumes a stored snapshot and starts the file and kafka channels. */
  start(): void {
    this.snapshotter.start();
    const { sig, log } = this.w;
    if (sig.channels.has('file')) {
      this.poller = new FileSignalPoller(sig.signalFile, sig.pollIntervalMs, (s) => this.snapshotter.signal(s, null), log);
      this.poller.start();
    }
    if (sig.kafka) {
      this.kafka = new KafkaSignalChannel(sig.kafka, this.w.cfg.topicPrefix, (s) => this.snapshotter.signal(s, null), log);
      this.kafka.start();
    }
  }

  beforeMessage(): Promise<void> | null {
    return this.snapshotter.beforeMessage();
  }

  async stop(): Promise<void> {
    this.poller?.stop();
    await this.kafka?.stop();
    await this.snapshotter.stop();
  }
}

/** Null when nothing needs it: no signal table, no file or kafka channel, and no snapshot stored in the offset. */
export function attachSignals(w: SignalWiring): SignalSupport | null {
  const { sig, log } = w;
  if (sig.readOnly) {
    throw new ConnectException('read.only=true (read-only incremental snapshots without a signal table) is not supported by this connector; use signal.data.collection');
  }
  for (const ch of sig.channels) {
    if (ch !== 'source' && ch !== 'file' && ch !== 'kafka') log.warn(`Signal channel '${ch}' is not available here (source, file and kafka are); it is ignored`);
  }
  const stored = w.storedOffset && typeof w.storedOffset[KEY_COLLECTIONS] === 'string';
  if (!sig.signalTable && !sig.channels.has('file') && !sig.kafka && !stored) return null;
  if (sig.allowSchemaChanges) log.warn('incremental.snapshot.allow.schema.changes=true is not supported here; schema changes during an incremental snapshot are not detected');
  const snapshotter = new IncrementalSnapshotter({
    cfg: w.cfg, sig, events: w.events, log, connect: w.connect, emit: w.emit,
    streamOffset: () => w.processor.plainOffset(),
    capturedTables: async () => (await listCapturedTables(await w.metadataClient(), w.filters)).map((t) => `${t.schema}.${t.table}`),
    schemaFor: async (schema, table) => {
      if (!w.filters.tableIncluded(schema, table)) return null;
      const meta = await w.metadataClient();
      const r = await meta.query(
        `SELECT c.oid::int8 AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
        [schema, table],
      );
      const oid = (r.rows[0] as { oid: string } | undefined)?.oid;
      if (!oid) return null;
      const info = await readTableInfo(meta, Number(oid));
      if (!info) return null;
      if (info.columns.some((c) => !w.registry.has(c.typeOid))) await w.registry.load(meta);
      return new TableSchema(info, w.cfg, w.registry, w.filters.columnIncluded);
    },
  }, w.storedOffset);
  w.processor.changeObserver = snapshotter.onChange;
  w.processor.offsetDecorator = snapshotter.decorate;
  return new SignalSupport(snapshotter, w);
}
