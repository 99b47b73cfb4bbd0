/**
 * The PostgreSQL source task: checks the server, prepares publication and slot, decides on a snapshot
 * (snapshot.mode and the stored offset), runs the snapshot and then the stream in the background, and
 * hands batches from the bounded queue to `poll()`. LSNs are confirmed to the server only from `commit()`,
 * i.e. for offsets whose records the runtime has durably written.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { getLogger } from '../../connect/logging.js';
import { SourceTask, type CommittedOffset } from '../../connect/api/connector.js';
import type { SourceMap, SourceRecord } from '../../connect/data/index.js';
import { ConnectException } from '../../connect/errors.js';
import { Filters, listCapturedTables, readTableInfo } from './catalog.js';
import { ChangeQueue, STREAM_QUEUE_FILL } from './change-queue.js';
import { type PostgresConfig, parsePostgresConfig } from './config.js';
import { EventFactory } from './events.js';
import { SnapshotMetrics, StreamingMetrics, registerPostgresMetrics } from './metrics.js';
import { type LoadedOffset, flushLsnOf, loadOffset, sourcePartition } from './offsets.js';
import { type Lsn, parseLsn } from './pgoutput/decoder.js';
import { type CreatedSlot, type PgConnectionOptions, ReplicationConnection, newClient, pgConnectionOptions } from './replication-connection.js';
import { runSnapshot } from './snapshot.js';
import { type SignalSupport, attachSignals, signalTableIds } from './signals/wiring.js';
import { applyReplicaIdentities } from './replica-identity.js';
import { checkReplicationRights, checkWalLevel, dropSlot, ensurePublication, explainConnectError, readSlot } from './slot-manager.js';
import { CONNECTOR_VERSION } from './source-info.js';
import { type ResumePoint, StreamProcessor, tableInfoFromRelation } from './stream-processor.js';
import { Streamer } from './streamer.js';
import { TableSchema } from './table-schema.js';
import { TypeRegistry } from './types/type-registry.js';

let pgoutputNoticeLogged = false;

export class PostgresSourceTask extends SourceTask {
  /** The `task.class` shown in task configs. */
  static readonly className = 'io.debezium.connector.postgresql.PostgresConnectorTask';

  private cfg!: PostgresConfig;
  private log!: Logger;
  private client: pg.Client | null = null;
  private queue!: ChangeQueue;
  private streamer: Streamer | null = null;
  private processor: StreamProcessor | null = null;
  /** xmin.fetch.interval.ms: refreshes the processor's copy of the slot's catalog_xmin. */
  private xminTimer: NodeJS.Timeout | null = null;
  /** Signals and incremental snapshots (signals/wiring.ts), when configured. */
  private signals: SignalSupport | null = null;
  private background: Promise<void> | null = null;
  private error: Error | null = null;
  private stopping = false;
  private finished = false;
  private pendingConfirm: Lsn = 0;
  /** The offset of the last record handed to the runtime, and of the last one it committed (see allDelivered). */
  private lastPolledKey: string | null = null;
  private lastCommittedKey: string | null = null;
  /** Debezium's snapshot and streaming metrics, published through `context.metrics` when the worker has them. */
  readonly snapshotMetrics = new SnapshotMetrics();
  readonly streamingMetrics = new StreamingMetrics();

  version(): string {
    return CONNECTOR_VERSION;
  }

  async start(props: Record<string, string>): Promise<void> {
    this.cfg = parsePostgresConfig(props);
    const cfg = this.cfg;
    this.log = getLogger('io.debezium.connector.postgresql.PostgresConnectorTask').child({ connector: props.name ?? cfg.topicPrefix });
    if (cfg.pluginNameRequested !== 'pgoutput' && !pgoutputNoticeLogged) {
      pgoutputNoticeLogged = true;
      this.log.info(`plugin.name=${cfg.pluginNameRequested} is not available here; using pgoutput (the built-in logical decoding plugin)`);
    }
    this.queue = new ChangeQueue(cfg.maxQueueSize, cfg.maxBatchSize, cfg.maxQueueSizeInBytes);
    if (this.context?.metrics) registerPostgresMetrics(this.context.metrics, cfg.topicPrefix, this.snapshotMetrics, this.streamingMetrics, () => this.queue);
    const conn = this.connectionOptions();
    let client: pg.Client;
    try {
      client = await this.openClient((c, e) => this.clientLost(c, e));
    } catch (e) {
      throw explainConnectError(e, cfg);
    }
    this.client = client;
    let repl: ReplicationConnection | null = null;
    try {
      await checkWalLevel(client);
      await checkReplicationRights(client, cfg.connection.user);
      const registry = new TypeRegistry();
      await registry.load(client);
      const signalCfg = cfg.signals;
      const filters = new Filters(cfg, signalTableIds(signalCfg));
      const events = new EventFactory(cfg, String(this.context?.taskId?.task ?? 0));
      const serverVersion = Number(((await client.query('SHOW server_version_num')).rows[0] as { server_version_num: string }).server_version_num);

      const storedOffset = (await this.context?.offsetStorageReader?.offset(sourcePartition(cfg.topicPrefix))) ?? null;
      const offset = loadOffset(storedOffset);
      const captured = await listCapturedTables(client, filters);
      await ensurePublication(client, cfg, captured, this.log);
      await applyReplicaIdentities(client, captured, cfg.replicaIdentityRules, this.log);

      let slot = await readSlot(client, cfg.slotName);
      if (slot && slot.plugin !== 'pgoutput') {
        throw new ConnectException(`Replication slot '${cfg.slotName}' exists but uses plugin '${slot.plugin}'; this connector needs pgoutput. Drop the slot or choose another slot.name.`);
      }
      if (slot && slot.database !== cfg.connection.database) {
        throw new ConnectException(`Replication slot '${cfg.slotName}' belongs to database '${slot.database}', not '${cfg.connection.database}'. Choose another slot.name.`);
      }
      const doSnapshot = this.decideSnapshot(offset, slot?.restartLsn ?? null, slot !== null);
      if (offset && !doSnapshot && !slot && this.streams()) {
        throw new ConnectException(`The connector is trying to read change stream starting at ${offset.lsnProc ?? offset.lsn}, but this is no longer available on the server (replication slot '${cfg.slotName}' is missing). Reconfigure the connector to use a snapshot mode when needed.`);
      }
      slot = await this.waitUntilSlotFree(client, slot);

      repl = await ReplicationConnection.connect(conn).catch((e) => {
        throw explainConnectError(e, cfg);
      });
      let created: CreatedSlot | null = null;
      if (!slot) {
        created = await repl.createSlot(cfg.slotName);
        this.log.info({ slot: cfg.slotName, consistentPoint: created.consistentPoint }, 'Created replication slot');
      }

      const resolve = async (rel: Parameters<ConstructorParameters<typeof StreamProcessor>[2]>[0]) => {
        if (!filters.tableIncluded(rel.schema, rel.name)) return null;
        const meta = await this.metadataClient();
        if (rel.columns.some((c) => !registry.has(c.typeOid))) await registry.load(meta);
        const info = tableInfoFromRelation(rel, await readTableInfo(meta, rel.relationId));
        return new TableSchema(info, cfg, registry, filters.columnIncluded);
      };

      let startLsn: Lsn;
      let resume: ResumePoint | null = null;
      let snapshotLsn: Lsn | null = null;
      let snapshotName: string | null = null;
      if (doSnapshot) {
        if (created?.snapshotName) {
          snapshotLsn = created.consistentPoint;
          snapshotName = created.snapshotName;
        } else {
          // Read the position before the snapshot transaction starts: every later commit is streamed.
          snapshotLsn = parseLsn(((await client.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0] as { l: string }).l);
        }
        startLsn = snapshotLsn;
      } else if (offset) {
        startLsn = offset.lsnCommit ?? offset.lsnProc ?? offset.lsn ?? 0;
        resume = offset.fromSnapshot
          ? null
          : {
              lsnCommit: offset.lsnCommit, lsnProc: offset.lsnProc, txId: offset.txId, eventsAtLsn: offset.eventsAtLsn,
              midTransaction: ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'MESSAGE'].includes(offset.messageType ?? ''),
            };
      } else {
        startLsn = created?.consistentPoint ?? 0;
      }

      const processor = new StreamProcessor(cfg, events, resolve, resume, this.log, { lsn: startLsn, tsUs: (offset?.tsUsec ?? Date.now() * 1000) });
      processor.messagePrefixFilter = (p) => filters.messagePrefixIncluded(p);
      if (cfg.heartbeatActionQuery) {
        const q = cfg.heartbeatActionQuery;
        processor.onHeartbeat = () => {
          this.metadataClient()
            .then((c) => c.query(q))
            .catch((e: Error) => this.log.warn({ err: e.message }, 'heartbeat.action.query failed'));
        };
      }
      this.processor = processor;
      if (cfg.xminFetchIntervalMs > 0) await this.trackSlotXmin(processor);
      this.signals = attachSignals({
        cfg, sig: signalCfg, events, log: this.log, processor, filters, registry, storedOffset,
        metadataClient: () => this.metadataClient(),
        connect: () => this.openClient(() => {}),
        emit: (records, bytes) => this.emitSnapshotRecords(records, bytes),
      });
      const pluginOptions: Record<string, string> = { proto_version: '1', publication_names: cfg.publicationName };
      if (serverVersion >= 140000) pluginOptions.messages = 'true';
      Object.assign(pluginOptions, cfg.slotStreamParams);
      this.streamer = new Streamer({
        cfg, connection: conn, queue: this.queue, processor, pluginOptions, log: this.log, initialConnection: repl,
        allDelivered: () => this.queue.size === 0 && this.lastPolledKey === this.lastCommittedKey,
        beforeMessage: () => this.signals?.beforeMessage() ?? null,
        metrics: this.streamingMetrics,
      });
      repl = null;

      const tables: TableSchema[] = [];
      if (doSnapshot) {
        for (const t of captured) {
          if (cfg.snapshotInclude.length && !cfg.snapshotInclude.some((r) => r.test(`${t.schema}.${t.table}`))) continue;
          const info = await readTableInfo(client, t.oid);
          if (info) tables.push(new TableSchema(info, cfg, registry, filters.columnIncluded));
        }
      }
      this.background = this.runBackground(doSnapshot ? { tables, lsn: snapshotLsn!, name: snapshotName } : null, startLsn, events);
    } catch (e) {
      await repl?.close();
      await this.closeClient();
      throw e instanceof ConnectException ? e : explainConnectError(e, cfg);
    }
  }

  /**
   * The metadata connection died (server restart, network): forget it; the next catalog lookup opens a new
   * one. The replication stream reconnects on its own (Streamer), so this is not a task failure.
   */
  private clientLost(client: pg.Client, e: Error): void {
    this.log.warn({ err: e.message }, 'Metadata connection lost; reconnecting on next use');
    if (this.client === client) this.client = null;
    client.end().catch(() => {});
  }

  /** The metadata connection, reopened after it was lost. */
  private async metadataClient(): Promise<pg.Client> {
    if (this.client) return this.client;
    if (this.stopping) throw new ConnectException('The task is stopping');
    const client = await this.openClient((c, e) => this.clientLost(c, e));
    if (this.stopping) {
      await client.end().catch(() => {});
      throw new ConnectException('The task is stopping');
    }
    this.client = client;
    return client;
  }

  /**
   * A new (non-replication) connection with `database.initial.statements` run, as Debezium runs them on
   * every JDBC connection: metadata, snapshot and incremental-snapshot connections all come from here.
   */
  private async openClient(onError: (client: pg.Client, e: Error) => void): Promise<pg.Client> {
    const client = newClient(this.connectionOptions());
    client.on('error', (e) => onError(client, e));
    try {
      await client.connect();
      for (const stmt of this.cfg.initialStatements) await client.query(stmt);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    return client;
  }

  /** Every connection of the task (metadata, snapshot, replication), with the `database.ssl*` settings. */
  private connectionOptions(): PgConnectionOptions {
    return pgConnectionOptions(this.cfg.connection);
  }

  private decideSnapshot(offset: LoadedOffset | null, restartLsn: Lsn | null, slotExists: boolean): boolean {
    const mode = this.cfg.snapshotMode;
    const needed = !offset || offset.snapshotInProgress;
    /** The stored position is gone from the server: no slot, or the slot has moved past it. */
    const positionLost = () => {
      const pos = offset?.lsnProc ?? offset?.lsn ?? null;
      return !slotExists || (pos !== null && restartLsn !== null && restartLsn > pos);
    };
    switch (mode) {
      case 'always':
        return true;
      case 'no_data':
        if (offset?.snapshotInProgress) {
          throw new ConnectException('The connector previously stopped while taking a snapshot, but now the connector is configured to never allow snapshots. Reconfigure the connector to use snapshots initially or when needed.');
        }
        return false;
      case 'when_needed':
        return needed || positionLost();
      case 'configuration_based': {
        const cb = this.cfg.configurationBased;
        return cb.snapshotData || (cb.snapshotOnDataError && offset !== null && positionLost());
      }
      default:
        return needed;
    }
  }

  /**
   * xmin.fetch.interval.ms: the slot's catalog_xmin read before streaming starts and then every interval, for
   * `source.xmin` and the offset's `xmin` (Debezium reads it on the next event after the interval; here a timer
   * does, so that no event waits for a query). A failed read keeps the last value.
   */
  private async trackSlotXmin(processor: StreamProcessor): Promise<void> {
    const read = async () => {
      processor.slotXmin = (await readSlot(await this.metadataClient(), this.cfg.slotName))?.catalogXmin ?? null;
    };
    await read();
    let reading = false;
    this.xminTimer = setInterval(() => {
      if (reading) return;
      reading = true;
      read()
        .catch((e: Error) => this.log.warn({ err: e.message }, 'Could not read the replication slot\'s catalog_xmin'))
        .finally(() => (reading = false));
    }, this.cfg.xminFetchIntervalMs);
    this.xminTimer.unref();
  }

  /** "replication slot ... is active": retried `slot.max.retries` times, then a clear error. */
  private async waitUntilSlotFree(client: pg.Client, slot: Awaited<ReturnType<typeof readSlot>>): Promise<Awaited<ReturnType<typeof readSlot>>> {
    for (let attempt = 0; slot?.active; attempt++) {
      if (attempt >= this.cfg.slotMaxRetries) {
        throw new ConnectException(`Failed to start replication stream: replication slot "${this.cfg.slotName}" is active for PID ${slot.activePid}. Make sure that every connector uses a distinct slot.name.`);
      }
      await new Promise((r) => setTimeout(r, Math.min(this.cfg.slotRetryDelayMs, 60_000)));
      slot = await readSlot(client, this.cfg.slotName);
    }
    return slot;
  }

  private async runBackground(snapshot: { tables: TableSchema[]; lsn: Lsn; name: string | null } | null, startLsn: Lsn, events: EventFactory): Promise<void> {
    try {
      if (snapshot) {
        if (this.cfg.snapshotDelayMs > 0 && !(await this.delay(this.cfg.snapshotDelayMs, 'the snapshot (snapshot.delay.ms)'))) return;
        const snapClient = await this.openClient(() => {});
        try {
          await runSnapshot({
            client: snapClient, cfg: this.cfg, events, tables: snapshot.tables, snapshotName: snapshot.name, lsn: snapshot.lsn, log: this.log,
            connect: () => this.openClient(() => {}),
            stopped: () => this.stopping,
            metrics: this.snapshotMetrics,
            emit: (records, bytes) => this.emitSnapshotRecords(records, bytes),
          });
        } finally {
          await snapClient.end().catch(() => {});
        }
        if (this.stopping) return;
      }
      if (!this.streams()) {
        this.finished = true;
        await this.streamer?.stop();
        return;
      }
      if (this.cfg.streamingDelayMs > 0 && !(await this.delay(this.cfg.streamingDelayMs, 'streaming (streaming.delay.ms)'))) return;
      if (this.pendingConfirm) this.streamer!.confirm(this.pendingConfirm);
      this.signals?.start();
      await this.streamer!.run(startLsn);
    } catch (e) {
      if (!this.stopping) this.fail(e as Error);
    }
  }

  /**
   * Hands snapshot records (initial, incremental and blocking alike) to the queue and waits until it is shallow
   * again, as the stream does: records are built just before poll() takes them, so they die young.
   */
  private emitSnapshotRecords(records: SourceRecord[], bytes: number): Promise<void> {
    this.queue.pushAll(records, bytes);
    return this.queue.waitForSpace(STREAM_QUEUE_FILL);
  }

  /** Whether this task streams after any snapshot (not initial_only, nor configuration_based without start.stream). */
  private streams(): boolean {
    const mode = this.cfg.snapshotMode;
    return mode !== 'initial_only' && (mode !== 'configuration_based' || this.cfg.configurationBased.startStream);
  }

  /** Waits `ms` (snapshot.delay.ms, streaming.delay.ms); false when the task was stopped meanwhile. */
  private async delay(ms: number, before: string): Promise<boolean> {
    this.log.info(`Waiting ${ms} ms before ${before}`);
    for (const end = Date.now() + ms; Date.now() < end && !this.stopping; ) {
      await new Promise((r) => setTimeout(r, Math.min(100, end - Date.now())));
    }
    return !this.stopping;
  }

  private fail(e: Error): void {
    if (this.stopping || this.error) return;
    this.error = e instanceof ConnectException ? e : new ConnectException(e.message, { cause: e });
    this.log.error({ err: e.message }, 'PostgreSQL connector task failed');
    this.queue?.interrupt();
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.error) throw this.error;
    const batch = await this.queue.take(this.cfg.pollIntervalMs);
    if (batch.length) {
      this.lastPolledKey = offsetKey(batch[batch.length - 1]!.sourceOffset);
      return batch;
    }
    if (this.error) throw this.error;
    if (this.finished || this.stopping) return null;
    const out: SourceRecord[] = [];
    this.processor?.maybeHeartbeat(out);
    if (!out.length) return null;
    this.lastPolledKey = offsetKey(out[out.length - 1]!.sourceOffset);
    return out;
  }

  /** Confirms to the server the LSN of offsets that were durably committed (Debezium's commitOffset). */
  override commit(committed: readonly CommittedOffset[]): void {
    if (!this.cfg) return;
    for (const c of committed) {
      if (c.partition.server !== this.cfg.topicPrefix) continue;
      this.lastCommittedKey = offsetKey(c.offset);
      const lsn = flushLsnOf(c.offset);
      if (lsn === null || lsn <= 0) continue;
      if (this.streamer) this.streamer.confirm(lsn);
      else if (lsn > this.pendingConfirm) this.pendingConfirm = lsn;
    }
  }

  /** The LSN confirmed to the server so far (for tests and metrics). */
  get confirmedLsn(): Lsn {
    return this.streamer?.confirmed ?? this.pendingConfirm;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.queue?.interrupt();
    if (this.xminTimer) clearInterval(this.xminTimer);
    await this.streamer?.stop();
    await this.signals?.stop();
    // Wait for the background loop, at most 10 s; the timer must not keep the process alive afterwards.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.background, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (this.cfg?.slotDropOnStop && this.client) {
      await dropSlot(this.client, this.cfg.slotName).catch((e: Error) => this.log.warn({ err: e.message }, 'Could not drop the replication slot'));
    }
    await this.closeClient();
  }

  private async closeClient(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

/** Identifies an offset (records sharing one offset were emitted for one change). */
function offsetKey(o: SourceMap | null | undefined): string | null {
  return o ? JSON.stringify(o) : null;
}
