/**
 * A logical replication connection driven with `pg` directly (COPY BOTH after START_REPLICATION).
 *
 * Why not pg-logical-replication: it confirms LSNs on its own (per message, or on a timer with the last
 * *received* LSN) and adds 1 to every LSN it confirms. Either would let the server discard WAL whose records
 * are not yet safely on a topic. Here the server is only ever told the LSN the connector confirmed.
 *
 * CopyData payloads on the replication stream:
 *   w  XLogData           Int64 dataStart, Int64 walEnd, Int64 sendTime, Byte[n] pgoutput message
 *   k  Primary keepalive  Int64 walEnd, Int64 sendTime, Byte1 replyRequested
 *   r  Standby status     Int64 written, Int64 flushed, Int64 applied, Int64 clientTime, Byte1 replyRequested (sent)
 */
import pg from 'pg';
import { type Lsn, PG_EPOCH_OFFSET_US, formatLsn, parseLsn } from './pgoutput/decoder.js';
import { type PgTls, type PgTlsSettings, PgTlsClient, resolvePgTls } from './tls.js';

export interface PgConnectionOptions {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Raw node-postgres TLS options; ignored when `tls` is given. */
  ssl?: pg.ClientConfig['ssl'];
  /** libpq-style TLS (database.sslmode and its files), see tls.ts. Preferred over `ssl`. */
  tls?: PgTls;
  connectTimeoutMs?: number;
  keepAlive?: boolean;
}

/** Session settings that fix the text output of every type, so snapshot and stream values look alike. */
export const SESSION_OPTIONS = '-c DateStyle=ISO,MDY -c IntervalStyle=postgres -c extra_float_digits=1 -c bytea_output=hex';

/** A pg client that leaves every value as the server's text (no JS type parsing). */
export function newClient(o: PgConnectionOptions, replication = false): pg.Client {
  const config: pg.ClientConfig & { replication?: string } = {
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    database: o.database,
    ssl: o.ssl,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 30_000,
    keepAlive: o.keepAlive ?? true,
    options: SESSION_OPTIONS,
    types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig,
  };
  if (replication) config.replication = 'database';
  return o.tls ? new PgTlsClient(config, o.tls) : new pg.Client(config);
}

/** The connection options of the connector's configuration (`PostgresConfig.connection`), TLS files read. */
export function pgConnectionOptions(c: PgTlsSettings & { host: string; port: number; user: string; password?: string; database: string; keepAlive: boolean }): PgConnectionOptions {
  return { host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, tls: resolvePgTls(c), keepAlive: c.keepAlive };
}

export interface CreatedSlot {
  slotName: string;
  consistentPoint: Lsn;
  snapshotName: string | null;
}

export interface StreamHandler {
  /** One XLogData message; `payload` is a view valid only during the call. */
  onData(dataStart: Lsn, walEnd: Lsn, payload: Uint8Array): void;
  /** The stream ended or failed (never called after `close()`). */
  onEnd(error: Error | null): void;
  /**
   * A primary keepalive: the server has sent everything up to `walEnd`. Called before the reply (when one
   * is requested), so the handler may confirm a newer LSN first.
   */
  onKeepalive?(walEnd: Lsn): void;
}

interface PgConnectionInternals {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

export class ReplicationConnection {
  private closing = false;
  private statusTimer: NodeJS.Timeout | null = null;
  private confirmedLsn: Lsn = 0;
  private paused = false;

  private constructor(private readonly client: pg.Client) {}

  static async connect(o: PgConnectionOptions): Promise<ReplicationConnection> {
    const client = newClient(o, true);
    const conn = new ReplicationConnection(client);
    client.on('error', () => {
      // Reported through the streaming query / onEnd; an unhandled 'error' event would crash the process.
    });
    await client.connect();
    return conn;
  }

  private get internals(): PgConnectionInternals {
    return (this.client as unknown as { connection: PgConnectionInternals }).connection;
  }

  async identifySystem(): Promise<{ systemId: string; timeline: number; xlogpos: Lsn; dbname: string }> {
    const r = await this.client.query('IDENTIFY_SYSTEM');
    const row = r.rows[0] as Record<string, string>;
    return { systemId: row.systemid!, timeline: Number(row.timeline), xlogpos: parseLsn(row.xlogpos!), dbname: row.dbname! };
  }

  /**
   * `CREATE_REPLICATION_SLOT ... LOGICAL pgoutput` (exporting a snapshot). The snapshot stays valid until
   * the next command on this connection, so the caller imports it before starting to stream.
   */
  async createSlot(slotName: string, plugin = 'pgoutput'): Promise<CreatedSlot> {
    const r = await this.client.query(`CREATE_REPLICATION_SLOT "${slotName}" LOGICAL ${plugin}`);
    const row = r.rows[0] as Record<string, string | null>;
    return { slotName: row.slot_name!, consistentPoint: parseLsn(row.consistent_point!), snapshotName: row.snapshot_name ?? null };
  }

  /**
   * Starts streaming from `startLsn`. Returns once the server accepted the command (CopyBothResponse);
   * messages then go to `handler.onData`. Status updates are sent every `statusIntervalMs` with the
   * confirmed LSN, and whenever the server asks for one.
   */
  async startStreaming(slotName: string, startLsn: Lsn, pluginOptions: Record<string, string>, handler: StreamHandler, statusIntervalMs = 10_000): Promise<void> {
    const opts = Object.entries(pluginOptions)
      .map(([k, v]) => `"${k}" '${v.replace(/'/g, "''")}'`)
      .join(', ');
    const sql = `START_REPLICATION SLOT "${slotName}" LOGICAL ${formatLsn(startLsn)}${opts ? ` (${opts})` : ''}`;
    const con = this.internals;
    let started!: () => void;
    let failed!: (e: Error) => void;
    const startedP = new Promise<void>((res, rej) => {
      started = res;
      failed = rej;
    });
    let isStarted = false;
    (con as unknown as { once(e: string, l: () => void): void }).once('replicationStart', () => {
      isStarted = true;
      started();
    });
    con.on('copyData', ({ chunk }) => {
      const kind = chunk[0];
      if (kind === 0x77 /* w */) {
        const dataStart = chunk.readUInt32BE(1) * 4294967296 + chunk.readUInt32BE(5);
        const walEnd = chunk.readUInt32BE(9) * 4294967296 + chunk.readUInt32BE(13);
        handler.onData(dataStart, walEnd, chunk.subarray(25));
      } else if (kind === 0x6b /* k */) {
        handler.onKeepalive?.(chunk.readUInt32BE(1) * 4294967296 + chunk.readUInt32BE(5));
        if (chunk[17] === 1) this.sendStatus(false);
      }
    });
    this.client
      .query(sql)
      .then(() => {
        if (!this.closing) handler.onEnd(null);
      })
      .catch((e: Error) => {
        if (!isStarted) failed(e);
        else if (!this.closing) handler.onEnd(e);
      });
    await startedP;
    this.statusTimer = setInterval(() => this.sendStatus(false), statusIntervalMs);
    this.statusTimer.unref();
  }

  /**
   * Records `lsn` as confirmed (never moving backwards) and tells the server at once. Only call this with
   * the LSN whose changes are durably written downstream: the server may then discard older WAL.
   */
  confirm(lsn: Lsn): void {
    if (lsn > this.confirmedLsn) this.confirmedLsn = lsn;
    this.sendStatus(false);
  }

  get confirmed(): Lsn {
    return this.confirmedLsn;
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.closing) return;
    const lsn = this.confirmedLsn;
    const msg = Buffer.alloc(34);
    msg[0] = 0x72; // 'r'
    const hi = Math.floor(lsn / 4294967296);
    const lo = lsn - hi * 4294967296;
    // written, flushed, applied: all the confirmed LSN (0 = "unknown", which the server ignores).
    for (const off of [1, 9, 17]) {
      msg.writeUInt32BE(hi, off);
      msg.writeUInt32BE(lo, off + 4);
    }
    const now = Date.now() * 1000 - PG_EPOCH_OFFSET_US;
    msg.writeBigInt64BE(BigInt(now), 25);
    msg[33] = replyRequested ? 1 : 0;
    try {
      this.internals.sendCopyFromChunk(msg);
    } catch {
      // The connection is gone; the stream's end handler reports it.
    }
  }

  /** Stops reading from the socket (backpressure); the server buffers, then waits. */
  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.internals.stream.pause();
    }
  }

  resume(): void {
    if (this.paused) {
      this.paused = false;
      this.internals.stream.resume();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    this.resume();
    await this.client.end().catch(() => {});
  }
}
