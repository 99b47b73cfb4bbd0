/**
 * What the connector reads from the system catalogs: captured tables (after the include/exclude filters),
 * their columns with nullability and defaults, primary keys and unique indexes.
 */
import type pg from 'pg';
import type { PostgresConfig } from './config.js';
import type { ColumnInfo, TableInfo } from './table-schema.js';
import { parseArrayLiteral } from './types/value-mapping.js';

const SYSTEM_SCHEMAS = /^(pg_catalog|information_schema|pg_toast.*|pg_temp.*)$/i;

/** Table and column filters of the configuration (Debezium's anchored, case-insensitive regexes). */
export class Filters {
  /** `alwaysIncluded`: `schema.table` ids captured whatever the filters say (the signal table). */
  constructor(private readonly cfg: PostgresConfig, private readonly alwaysIncluded: readonly string[] = []) {}

  tableIncluded(schema: string, table: string): boolean {
    const c = this.cfg;
    if (this.alwaysIncluded.length && this.alwaysIncluded.includes(`${schema}.${table}`)) return true;
    if (SYSTEM_SCHEMAS.test(schema)) return false;
    if (table === 'spatial_ref_sys') return false;
    if (c.schemaInclude.length && !c.schemaInclude.some((r) => r.test(schema))) return false;
    if (c.schemaExclude.some((r) => r.test(schema))) return false;
    const id = `${schema}.${table}`;
    if (c.tableInclude.length && !c.tableInclude.some((r) => r.test(id))) return false;
    if (c.tableExclude.some((r) => r.test(id))) return false;
    return true;
  }

  columnIncluded = (schema: string, table: string, column: string): boolean => {
    const id = `${schema}.${table}.${column}`;
    if (this.cfg.columnInclude.length) return this.cfg.columnInclude.some((r) => r.test(id));
    return !this.cfg.columnExclude.some((r) => r.test(id));
  };

  messagePrefixIncluded(prefix: string): boolean {
    if (this.cfg.messagePrefixInclude.length) return this.cfg.messagePrefixInclude.some((r) => r.test(prefix));
    return !this.cfg.messagePrefixExclude.some((r) => r.test(prefix));
  }

  /** Snapshot order: by include pattern, then schema.table within a pattern. */
  order(tables: { schema: string; table: string }[]): { schema: string; table: string }[] {
    const sorted = [...tables].sort((a, b) => (`${a.schema}.${a.table}` < `${b.schema}.${b.table}` ? -1 : 1));
    if (!this.cfg.tableInclude.length) return sorted;
    const out: { schema: string; table: string }[] = [];
    for (const r of this.cfg.tableInclude) {
      for (const t of sorted) if (!out.includes(t) && r.test(`${t.schema}.${t.table}`)) out.push(t);
    }
    for (const t of sorted) if (!out.includes(t) && this.alwaysIncluded.includes(`${t.schema}.${t.table}`)) out.push(t);
    return out;
  }
}

export interface CapturedTable {
  oid: number;
  schema: string;
  table: string;
}

/**
 * Ordinary and partitioned tables that pass the filters, in snapshot order. As Debezium (JDBC table types TABLE
 * and PARTITIONED TABLE): a partitioned table and its partitions are separate tables, and a snapshot of the
 * partitioned one reads the rows of all its partitions.
 */
export async function listCapturedTables(client: pg.Client, filters: Filters): Promise<CapturedTable[]> {
  const r = await client.query(
    `SELECT c.oid::int8 AS oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')`,
  );
  const all = (r.rows as Record<string, string>[])
    .map((row) => ({ oid: Number(row.oid), schema: row.nspname!, table: row.relname! }))
    .filter((t) => filters.tableIncluded(t.schema, t.table));
  return filters.order(all) as CapturedTable[];
}

/** Columns (as pgoutput sends them: no dropped or generated columns), key and unique index of a table. */
export async function readTableInfo(client: pg.Client, oid: number): Promise<TableInfo | null> {
  const t = await client.query(
    `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
    [oid],
  );
  if (!t.rows.length) return null;
  const cols = await client.query(
    `SELECT a.attname, a.atttypid::int8 AS typ, a.atttypmod, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [oid],
  );
  const keys = await client.query(
    `SELECT i.indisprimary, ci.relname AS idx, array_agg(a.attname ORDER BY k.ord) AS cols
       FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisunique AND i.indexprs IS NULL
      GROUP BY i.indisprimary, ci.relname
      ORDER BY i.indisprimary DESC, ci.relname`,
    [oid],
  );
  const columns: ColumnInfo[] = (cols.rows as Record<string, string | null>[]).map((c) => ({
    name: c.attname!,
    typeOid: Number(c.typ),
    typeMod: Number(c.atttypmod),
    notNull: c.attnotnull === 't' || c.attnotnull === 'true',
    defaultExpr: c.def ?? null,
  }));
  const rows = keys.rows as Record<string, string>[];
  const pk = rows.find((k) => k.indisprimary === 't' || k.indisprimary === 'true');
  const uq = rows.find((k) => !(k.indisprimary === 't' || k.indisprimary === 'true'));
  const row0 = t.rows[0] as Record<string, string>;
  return {
    schema: row0.nspname!,
    table: row0.relname!,
    columns,
    primaryKey: pk ? (parseArrayLiteral(pk.cols!) as string[]) : [],
    uniqueIndex: uq ? (parseArrayLiteral(uq.cols!) as string[]) : [],
  };
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`, quoted for SQL. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
