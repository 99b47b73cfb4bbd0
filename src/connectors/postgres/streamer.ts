/**
 * One streaming run over the replication connection: decodes XLogData into pgoutput messages, feeds them
 * in order through the StreamProcessor into the change queue, pauses the socket when the queue is full,
 * reconnects with backoff when the connection drops, and confirms LSNs only when told to (`confirm`).
 */
import type { Logger } from 'pino';
import { ConnectException, RetriableException } from '../../connect/errors.js';
import { type ChangeQueue, STREAM_QUEUE_FILL, estimateRecordBytes } from './change-queue.js';
import type { PostgresConfig } from './config.js';
import { type Lsn, type PgOutputMessage, decodePgOutput } from './pgoutput/decoder.js';
import { ReplicationConnection, type PgConnectionOptions } from './replication-connection.js';
import type { StreamingMetrics } from './metrics.js';
import type { StreamProcessor } from './stream-processor.js';

/** Decoded messages waiting for the processor before the socket is paused (small: they are short-lived). */
const INBOX_HIGH_WATER = 256;

export interface StreamerOptions {
  cfg: PostgresConfig;
  connection: PgConnectionOptions;
  queue: ChangeQueue;
  processor: StreamProcessor;
  pluginOptions: Record<string, string>;
  log: Logger;
  /** A replication connection already open (the one that created the slot), used for the first session. */
  initialConnection: ReplicationConnection | null;
  /** True when every record handed out so far has been committed (written and its offset flushed). */
  allDelivered(): boolean;
  /** Incremental snapshots: work the stream must wait for before its next message (a chunk being read), or null. */
  beforeMessage?: () => Promise<void> | null;
  /** Debezium's streaming metrics, updated per decoded message. */
  metrics?: StreamingMetrics;
}

export class Streamer {
  private repl: ReplicationConnection | null;
  private inbox: { msg: PgOutputMessage; lsn: Lsn; bytes: number }[] = [];
  private inboxHead = 0;
  private draining = false;
  private session = 0;
  private stopping = false;
  private sessionReceived = false;
  private confirmTarget: Lsn = 0;
  private sessionEnded: ((e: Error | null) => void) | null = null;

  constructor(private readonly o: StreamerOptions) {
    this.repl = o.initialConnection;
  }

  /** Streams until `stop()`; reconnects on connection errors up to `errors.max.retries`. Rejects on fatal errors. */
  async run(startLsn: Lsn): Promise<void> {
    const { cfg, log } = this.o;
    let attempt = 0;
    let lsn = startLsn;
    while (!this.stopping) {
      let error: Error | null = null;
      try {
        await this.runSession(lsn);
        attempt = 0;
      } catch (e) {
        error = e as Error;
      }
      if (this.stopping) return;
      if (error && !isRetriable(error)) throw error;
      attempt++;
      if (cfg.errorsMaxRetries >= 0 && attempt > cfg.errorsMaxRetries) {
        throw new ConnectException(`Replication stream failed and errors.max.retries=${cfg.errorsMaxRetries} retries are exhausted: ${error?.message ?? 'stream ended'}`, { cause: error });
      }
      const wait = Math.min(cfg.retriableRestartWaitMs * Math.max(1, attempt), 60_000);
      log.warn({ err: error?.message, attempt, waitMs: wait }, 'Replication stream lost; reconnecting');
      await new Promise((r) => setTimeout(r, wait));
      // Resume where the emitted records end; the server replays from its confirmed position and the
      // processor skips what was already emitted.
      this.o.processor.resetSession(this.o.processor.position());
      lsn = 0;
    }
  }

  private async runSession(startLsn: Lsn): Promise<void> {
    const { cfg, processor } = this.o;
    const mySession = ++this.session;
    this.inbox = [];
    this.inboxHead = 0;
    this.sessionReceived = false;
    const repl = this.repl ?? (await ReplicationConnection.connect(this.o.connection));
    this.repl = repl;
    const ended = new Promise<Error | null>((resolve) => {
      this.sessionEnded = resolve;
    });
    try {
      await this.startOn(repl, startLsn, mySession);
      if (this.o.metrics) this.o.metrics.connected = true;
    } catch (e) {
      this.sessionEnded = null;
      this.repl = null;
      await repl.close();
      throw e;
    }
    const err = await ended;
    this.sessionEnded = null;
    this.repl = null;
    await repl.close();
    if (err) throw err;
  }

  private async startOn(repl: ReplicationConnection, startLsn: Lsn, mySession: number): Promise<void> {
    const { cfg } = this.o;
    await repl.startStreaming(cfg.slotName, startLsn, this.o.pluginOptions, {
      onData: (dataStart, _walEnd, payload) => {
        if (mySession !== this.session) return;
        let msg: PgOutputMessage;
        try {
          msg = decodePgOutput(payload);
        } catch (e) {
          this.endSession(new ConnectException(`Cannot decode pgoutput message at LSN ${dataStart}: ${(e as Error).message}`));
          return;
        }
        if (!this.sessionReceived) {
          this.sessionReceived = true;
          if (this.confirmTarget > 0 && !cfg.lsnFlushManual) repl.confirm(this.confirmTarget);
        }
        this.inbox.push({ msg, lsn: dataStart, bytes: payload.length });
        if (this.inbox.length - this.inboxHead > INBOX_HIGH_WATER || this.o.queue.fullAt(STREAM_QUEUE_FILL)) repl.pause();
        if (!this.draining) void this.drain(mySession);
      },
      onEnd: (e) => this.endSession(e ?? new RetriableException('Replication stream ended')),
      onKeepalive: (walEnd) => {
        if (mySession === this.session && this.caughtUp()) this.confirm(walEnd);
      },
    }, cfg.statusUpdateIntervalMs || 10_000);
  }

  private endSession(e: Error | null): void {
    this.session++;
    if (this.o.metrics) this.o.metrics.connected = false;
    const end = this.sessionEnded;
    this.sessionEnded = null;
    end?.(e);
  }

  /** Processes queued messages in order; waits for room in the change queue (backpressure). */
  private async drain(session: number): Promise<void> {
    this.draining = true;
    const { processor, queue, metrics } = this.o;
    try {
      while (this.inboxHead < this.inbox.length && session === this.session) {
        const pending = this.o.beforeMessage?.();
        if (pending) {
          await pending;
          if (session !== this.session) return;
        }
        const { msg, lsn, bytes } = this.inbox[this.inboxHead];
        this.inbox[this.inboxHead++] = undefined as unknown as (typeof this.inbox)[number]; // collectable once processed
        if (processor.needsResolve(msg) && msg.tag === 'relation') await processor.resolveRelation(msg);
        if (session !== this.session) return;
        const records = processor.process(msg, lsn);
        if (records.length) queue.push(records, estimateRecordBytes(bytes));
        metrics?.onMessage(msg, lsn);
        if (queue.fullAt(STREAM_QUEUE_FILL)) await queue.waitForSpace(STREAM_QUEUE_FILL);
        if (this.inboxHead > 4096) {
          this.inbox = this.inbox.slice(this.inboxHead);
          this.inboxHead = 0;
        }
      }
      if (session === this.session && !queue.fullAt(STREAM_QUEUE_FILL)) this.repl?.resume();
    } catch (e) {
      // A lost metadata connection (catalog lookup for a RELATION message) is retried like a lost stream.
      const err = e as Error;
      if (isRetriable(err)) this.endSession(new RetriableException(err.message, { cause: err }));
      else this.endSession(err instanceof ConnectException ? err : new ConnectException(err.message, { cause: err }));
    } finally {
      this.draining = false;
      // A message may have arrived after the loop ended but before `draining` was cleared.
      if (session === this.session && this.inboxHead < this.inbox.length) void this.drain(session);
    }
  }

  /**
   * Whether the server's position may be confirmed on a keepalive: every message received was processed,
   * no transaction is open, and every record emitted is committed downstream. The WAL between the last
   * confirmed LSN and the keepalive's end then holds nothing this connector still needs (only transactions
   * without captured changes). This keeps idle or filtered slots from retaining WAL, and lets a fast server
   * shutdown finish: the walsender waits until the client has confirmed everything it sent. (A keepalive's
   * end is the position the walsender has decoded up to, never beyond, so nothing unseen is confirmed.)
   */
  private caughtUp(): boolean {
    return !this.draining && this.inboxHead >= this.inbox.length && !this.o.processor.inTransaction && this.o.allDelivered();
  }

  /**
   * Confirms `lsn` to the server (its records are durably written). Never moves backwards; before the first
   * message of a session it is only remembered, as Debezium does.
   */
  confirm(lsn: Lsn): void {
    if (lsn <= this.confirmTarget) return;
    this.confirmTarget = lsn;
    if (this.o.cfg.lsnFlushManual) return;
    if (this.repl && this.sessionReceived) this.repl.confirm(lsn);
  }

  get confirmed(): Lsn {
    return this.confirmTarget;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.endSession(null);
    const r = this.repl;
    this.repl = null;
    await r?.close();
  }
}

/** Connection-level failures (server restart, network) are retried; data and decoding errors are not. */
export function isRetriable(e: Error): boolean {
  if (e instanceof RetriableException) return true;
  if (e instanceof ConnectException) return false;
  const code = (e as { code?: string }).code ?? '';
  if (/^(08|57P0[1-3]|53|55006)/.test(code)) return true;
  return /Connection terminated|ECONNREFUSED|ECONNRESET|EPIPE|terminating connection|the database system is (starting|shutting) up|socket/i.test(e.message);
}
