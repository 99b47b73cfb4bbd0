/**
 * The replication slot of a Postgres source connector, read from `pg_replication_slots` with the
 * connector's own connection settings: how much WAL the slot keeps (current LSN - restart_lsn) and how
 * far its confirmed position trails the server (current LSN - confirmed_flush_lsn). Read-only.
 * One connection per database, closed when idle.
 */
import pg from 'pg';
import { parsePostgresConfig } from '../connectors/postgres/config.js';
import { newClient, pgConnectionOptions } from '../connectors/postgres/replication-connection.js';

export const POSTGRES_CONNECTOR_CLASSES = new Set(['io.debezium.connector.postgresql.PostgresConnector', 'PostgresConnector', 'postgres']);

export interface SlotInfo {
  slotName: string;
  found: boolean;
  active: boolean | null;
  walStatus: string | null;
  currentLsn: string | null;
  restartLsn: string | null;
  confirmedFlushLsn: string | null;
  /** Bytes of WAL the server keeps for this slot. */
  retainedWalBytes: number | null;
  /** Bytes between the server's current WAL position and what the connector confirmed. */
  confirmedLagBytes: number | null;
}

const QUERY = `SELECT active, wal_status, restart_lsn::text AS restart_lsn, confirmed_flush_lsn::text AS confirmed_flush_lsn,
  pg_current_wal_lsn()::text AS current_lsn,
  pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 AS retained,
  pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::float8 AS lag
FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()`;

interface SlotRow {
  active: boolean;
  wal_status: string | null;
  restart_lsn: string | null;
  confirmed_flush_lsn: string | null;
  current_lsn: string;
  retained: number | null;
  lag: number | null;
}

export function isPostgresConnector(config: Record<string, string>): boolean {
  return POSTGRES_CONNECTOR_CLASSES.has(config['connector.class'] ?? '');
}

/** Closes a probe connection nobody used for this long. */
const IDLE_MS = 30_000;

interface ProbeConnection {
  client: Promise<pg.Client>;
  idle: NodeJS.Timeout | null;
}

export class SlotProbe {
  /** One connection per database (and user and TLS mode), opened on demand, closed when idle or broken. */
  private readonly connections = new Map<string, ProbeConnection>();

  /** `resolve`: the worker's config-provider resolution (`${file:...}` in `database.password`, ...). */
  constructor(private readonly resolve: (config: Record<string, string>) => Record<string, string> = (c) => c) {}

  async probe(config: Record<string, string>): Promise<SlotInfo> {
    const slotName = config['slot.name'] ?? 'debezium';
    // The connector's own connection settings, TLS (`database.ssl*`) included.
    const o = { ...pgConnectionOptions(parsePostgresConfig(this.resolve(config)).connection), connectTimeoutMs: 3000 };
    const id = JSON.stringify([o.host, o.port, o.user, o.password, o.database, o.tls?.mode ?? null]);
    let entry = this.connections.get(id);
    if (!entry) {
      const client = newClient(o);
      client.on('error', () => this.drop(id)); // a broken connection: the next probe reconnects
      entry = { client: client.connect().then(() => client), idle: null };
      this.connections.set(id, entry);
    }
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = setTimeout(() => this.drop(id), IDLE_MS).unref();
    let row: SlotRow | undefined;
    try {
      const client = await entry.client;
      row = (await client.query<SlotRow>(QUERY, [slotName])).rows[0];
    } catch (e) {
      this.drop(id);
      throw e;
    }
    if (!row) {
      return { slotName, found: false, active: null, walStatus: null, currentLsn: null, restartLsn: null, confirmedFlushLsn: null, retainedWalBytes: null, confirmedLagBytes: null };
    }
    // The connector's client reads every column as text.
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return {
      slotName,
      found: true,
      active: row.active === true || (row.active as unknown) === 't',
      walStatus: row.wal_status,
      currentLsn: row.current_lsn,
      restartLsn: row.restart_lsn,
      confirmedFlushLsn: row.confirmed_flush_lsn,
      retainedWalBytes: num(row.retained),
      confirmedLagBytes: num(row.lag),
    };
  }

  private drop(id: string): void {
    const entry = this.connections.get(id);
    if (!entry) return;
    this.connections.delete(id);
    if (entry.idle) clearTimeout(entry.idle);
    void entry.client.then((c) => c.end()).catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const id of [...this.connections.keys()]) this.drop(id);
  }
}
