/**
 * Publication and replication slot management with Debezium's SQL (specs/debezium-postgres.md §4.1), and
 * the start-up checks that turn server misconfiguration into clear errors.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { ConnectException } from '../../connect/errors.js';
import { type CapturedTable, qualifiedName, quoteIdent } from './catalog.js';
import type { PostgresConfig } from './config.js';
import { type Lsn, parseLsn } from './pgoutput/decoder.js';

export interface SlotState {
  plugin: string;
  database: string;
  active: boolean;
  activePid: number | null;
  confirmedFlushLsn: Lsn | null;
  restartLsn: Lsn | null;
  /** The oldest transaction whose catalog rows the slot still needs (`catalog_xmin`). */
  catalogXmin: number | null;
}

export async function checkWalLevel(client: pg.Client): Promise<void> {
  const r = await client.query('SHOW wal_level');
  const level = (r.rows[0] as { wal_level: string }).wal_level;
  if (level !== 'logical') {
    throw new ConnectException(`Postgres server wal_level property must be 'logical' but is: '${level}'. Set wal_level = logical in postgresql.conf and restart the server.`);
  }
}

export async function checkReplicationRights(client: pg.Client, user: string): Promise<void> {
  const r = await client.query('SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = $1', [user]);
  const row = r.rows[0] as { rolreplication: string; rolsuper: string } | undefined;
  if (!row) return;
  if (row.rolreplication !== 't' && row.rolsuper !== 't') {
    throw new ConnectException(`Postgres roles LOGIN and REPLICATION are not assigned to user: ${user}. Grant them with ALTER ROLE ${quoteIdent(user)} REPLICATION LOGIN;`);
  }
}

export async function readSlot(client: pg.Client, slotName: string): Promise<SlotState | null> {
  const r = await client.query(
    `SELECT plugin, database, active, active_pid, confirmed_flush_lsn::text AS cf, restart_lsn::text AS rl,
            catalog_xmin::text::int8 AS cx
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slotName],
  );
  const row = r.rows[0] as Record<string, string | null> | undefined;
  if (!row) return null;
  return {
    plugin: row.plugin ?? '',
    database: row.database ?? '',
    active: row.active === 't',
    activePid: row.active_pid ? Number(row.active_pid) : null,
    confirmedFlushLsn: row.cf ? parseLsn(row.cf) : null,
    restartLsn: row.rl ? parseLsn(row.rl) : null,
    catalogXmin: row.cx ? Number(row.cx) : null,
  };
}

/** Creates or checks the publication per `publication.autocreate.mode` (before the slot is created). */
export async function ensurePublication(client: pg.Client, cfg: PostgresConfig, tables: CapturedTable[], log: Logger): Promise<void> {
  const name = cfg.publicationName;
  const r = await client.query('SELECT puballtables FROM pg_publication WHERE pubname = $1', [name]);
  const existing = r.rows[0] as { puballtables: string } | undefined;
  const withClause = publicationOptions(cfg);
  const tableList = () => tables.map((t) => qualifiedName(t.schema, t.table)).join(', ');
  switch (cfg.publicationAutocreateMode) {
    case 'disabled':
      if (!existing) throw new ConnectException(`Publication '${name}' does not exist and publication.autocreate.mode is 'disabled'. Create it (CREATE PUBLICATION ${name} FOR ALL TABLES) and restart the connector.`);
      return;
    case 'all_tables':
      if (!existing) {
        log.info({ publication: name }, 'Creating new publication for all tables');
        await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR ALL TABLES${withClause};`);
      }
      return;
    case 'no_tables':
      if (!existing) await client.query(`CREATE PUBLICATION ${quoteIdent(name)}${withClause};`);
      return;
    case 'filtered': {
      if (!tables.length) throw new ConnectException(`No table filters found for filtered publication ${name}`);
      if (!existing) {
        log.info({ publication: name }, 'Creating new publication for the filtered tables');
        await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${tableList()}${withClause};`);
        return;
      }
      if (existing.puballtables === 't') {
        throw new ConnectException(`A logical publication for all tables named '${name}' for plugin 'pgoutput' and database already exists; publication.autocreate.mode=filtered cannot use it`);
      }
      const cur = await client.query('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [name]);
      const have = new Set((cur.rows as { schemaname: string; tablename: string }[]).map((t) => `${t.schemaname}.${t.tablename}`));
      const want = new Set(tables.map((t) => `${t.schema}.${t.table}`));
      if (have.size !== want.size || [...want].some((t) => !have.has(t))) {
        await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${tableList()};`);
      }
      return;
    }
  }
}

/**
 * The `WITH (...)` of a created publication: `publish_via_partition_root` when configured, and `publish` with the
 * operations not skipped, only when `skipped.operations` was set and skips something (as Debezium 3.6).
 */
function publicationOptions(cfg: PostgresConfig): string {
  const options: string[] = [];
  if (cfg.publishViaPartitionRoot) options.push('publish_via_partition_root = true');
  if (cfg.skippedOperationsExplicit && cfg.skippedOperations.size > 0) {
    const ops = [['c', 'insert'], ['u', 'update'], ['d', 'delete'], ['t', 'truncate']]
      .filter(([k]) => !cfg.skippedOperations.has(k!))
      .map(([, v]) => v);
    options.push(`publish = '${ops.join(',')}'`);
  }
  return options.length ? ` WITH (${options.join(', ')})` : '';
}

export async function dropSlot(client: pg.Client, slotName: string): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slotName]);
}

/** Maps connection-time server errors to messages that say what to do. */
export function explainConnectError(e: unknown, cfg: PostgresConfig): Error {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const where = `${cfg.connection.host}:${cfg.connection.port}/${cfg.connection.database} as ${cfg.connection.user}`;
  if (err.code === '28P01' || /password authentication failed/i.test(msg)) {
    return new ConnectException(`Couldn't connect to the database (${where}): password authentication failed for user "${cfg.connection.user}"`, { cause: e });
  }
  if (err.code === '3D000') return new ConnectException(`Couldn't connect to the database (${where}): database "${cfg.connection.database}" does not exist`, { cause: e });
  if (err.code === '42501' || /must be superuser or replication role|permission denied/i.test(msg)) {
    return new ConnectException(`The database user lacks rights for logical replication (${where}): ${msg}. Grant REPLICATION (ALTER ROLE ... REPLICATION) and ownership or SELECT on the captured tables.`, { cause: e });
  }
  if (e instanceof ConnectException) return e;
  return new ConnectException(`Couldn't connect to the database (${where}): ${msg}`, { cause: e });
}
