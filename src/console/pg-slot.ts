/**
 * The replication slot of a Postgres source connector, read from `pg_replication_slots` with the
 * connector's own connection settings: how much WAL the slot keeps (current LSN - restart_lsn) and how
 * far its confirmed position trails the server (current LSN - confirmed_flush_lsn). Read-only.
 * One small pool per database, closed when idle.
 */
import pg from 'pg';

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

export class SlotProbe {
  private readonly pools = new Map<string, pg.Pool>();

  async probe(config: Record<string, string>): Promise<SlotInfo> {
    const slotName = config['slot.name'] ?? 'debezium';
    const conn = {
      host: config['database.hostname'],
      port: Number(config['database.port'] ?? 5432),
      user: config['database.user'],
      password: config['database.password'],
      database: config['database.dbname'],
    };
    const id = JSON.stringify(conn);
    let pool = this.pools.get(id);
    if (!pool) {
      pool = new pg.Pool({ ...conn, max: 1, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 3000, allowExitOnIdle: true, application_name: 'tsconnect-console' });
      pool.on('error', () => undefined); // an idle client's broken connection: the next query reconnects
      this.pools.set(id, pool);
    }
    const res = await pool.query<SlotRow>(QUERY, [slotName]);
    const row = res.rows[0];
    if (!row) {
      return { slotName, found: false, active: null, walStatus: null, currentLsn: null, restartLsn: null, confirmedFlushLsn: null, retainedWalBytes: null, confirmedLagBytes: null };
    }
    return {
      slotName,
      found: true,
      active: row.active,
      walStatus: row.wal_status,
      currentLsn: row.current_lsn,
      restartLsn: row.restart_lsn,
      confirmedFlushLsn: row.confirmed_flush_lsn,
      retainedWalBytes: row.retained,
      confirmedLagBytes: row.lag,
    };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  }
}
