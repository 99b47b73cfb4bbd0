/**
 * `replica.identity.autoset.values` (Debezium 2.3+): `<table regex>:<identity>` entries, comma-separated, with
 * identity DEFAULT, FULL, NOTHING or `INDEX <index name>`. At start, each captured table matched by one entry
 * gets that REPLICA IDENTITY (ALTER TABLE) unless it has it already; a table matched by several entries, or an
 * ALTER TABLE the user may not run, is logged as an error and left as it is (the connector starts anyway).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { ConfigException } from '../../connect/errors.js';
import { type CapturedTable, qualifiedName, quoteIdent } from './catalog.js';

export type ReplicaIdentityKind = 'DEFAULT' | 'FULL' | 'NOTHING' | 'INDEX';

export interface ReplicaIdentity {
  kind: ReplicaIdentityKind;
  /** The index of `INDEX <name>`. */
  index: string | null;
}

export interface ReplicaIdentityRule {
  /** Matched against `schema.table`, whole and case-insensitive (Debezium's table predicates). */
  table: RegExp;
  identity: ReplicaIdentity;
}

const ENTRY = /^\s*([^\s:]+):(DEFAULT|INDEX\s+(\S+)|FULL|NOTHING)\s*$/i;

export const REPLICA_IDENTITY_AUTOSET = 'replica.identity.autoset.values';

/** The rules of the key's value; a ConfigException names a malformed entry. */
export function parseReplicaIdentityRules(value: string | null): ReplicaIdentityRule[] {
  if (!value || !value.trim()) return [];
  return value.split(',').map((entry) => {
    const m = ENTRY.exec(entry);
    if (!m) throw new ConfigException(REPLICA_IDENTITY_AUTOSET, value, `Entry '${entry.trim()}' has an invalid format (expecting '<schema.table regex>:<replica identity>', the identity one of DEFAULT, FULL, NOTHING, INDEX <index name>)`);
    let table: RegExp;
    try {
      table = new RegExp(`^(?:${m[1]})$`, 'i');
    } catch (e) {
      throw new ConfigException(REPLICA_IDENTITY_AUTOSET, value, `Invalid regular expression '${m[1]}': ${(e as Error).message}`);
    }
    const kind = m[2]!.toUpperCase().split(/\s+/)[0] as ReplicaIdentityKind;
    return { table, identity: { kind, index: kind === 'INDEX' ? m[3]! : null } };
  });
}

export function describeIdentity(i: ReplicaIdentity): string {
  return i.kind === 'INDEX' ? `INDEX ${i.index}` : i.kind;
}

const KIND_OF: Record<string, ReplicaIdentityKind> = { d: 'DEFAULT', f: 'FULL', n: 'NOTHING', i: 'INDEX' };

/** Sets the configured identities on the captured tables (see the module comment). */
export async function applyReplicaIdentities(client: pg.Client, tables: readonly CapturedTable[], rules: readonly ReplicaIdentityRule[], log: Logger): Promise<void> {
  if (rules.length === 0) return;
  for (const t of tables) {
    const id = `${t.schema}.${t.table}`;
    const matching = rules.filter((r) => r.table.test(id));
    if (matching.length === 0) continue;
    if (matching.length > 1) {
      log.error(`Unable to update Replica Identity for table ${id}: more than one regular expression of ${REPLICA_IDENTITY_AUTOSET} matched it`);
      continue;
    }
    const wanted = matching[0]!.identity;
    try {
      const current = await readIdentity(client, t.oid);
      if (current.kind === wanted.kind && current.index === wanted.index) {
        log.info(`Replica identity for table '${id}' is already ${describeIdentity(current)}`);
        continue;
      }
      const clause = wanted.kind === 'INDEX' ? `USING INDEX ${quoteIdent(wanted.index!)}` : wanted.kind;
      await client.query(`ALTER TABLE ${qualifiedName(t.schema, t.table)} REPLICA IDENTITY ${clause}`);
      log.info(`Replica identity set to ${describeIdentity(wanted)} for table '${id}'`);
    } catch (e) {
      log.error({ err: (e as Error).message }, `Unable to update Replica Identity for table ${id}`);
    }
  }
}

async function readIdentity(client: pg.Client, oid: number): Promise<ReplicaIdentity> {
  const r = await client.query(
    `SELECT c.relreplident AS kind, (SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = c.oid AND x.indisreplident) AS index
       FROM pg_class c WHERE c.oid = $1`,
    [oid],
  );
  const row = r.rows[0] as { kind: string; index: string | null } | undefined;
  const kind = KIND_OF[row?.kind ?? 'd'] ?? 'DEFAULT';
  return { kind, index: kind === 'INDEX' ? row?.index ?? null : null };
}
