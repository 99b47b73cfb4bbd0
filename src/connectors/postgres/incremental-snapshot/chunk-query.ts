/**
 * The SQL of incremental snapshot chunks, as Debezium builds it for PostgreSQL (RowValueConstructorChunkQueryBuilder):
 * the first chunk `ORDER BY key LIMIT n`; later chunks `WHERE ROW(k1, k2) > ROW(last) AND ROW(k1, k2) <= ROW(max)`;
 * the table's maximum key `ORDER BY k1 DESC, k2 DESC LIMIT 1`. A signal's additional condition is ANDed.
 * Nullable key columns (a surrogate key) use the expanded comparison that places NULLs last, as PostgreSQL sorts.
 */
import { qualifiedName, quoteIdent } from '../catalog.js';

export interface ChunkQueryInput {
  schema: string;
  table: string;
  /** The selected columns, in row order. */
  columns: readonly string[];
  keyColumns: readonly { name: string; nullable: boolean }[];
  /** Key of the last row read (null for the first chunk). */
  after: readonly (string | null)[] | null;
  /** The table's maximum key (bounds every chunk but the first). */
  max: readonly (string | null)[] | null;
  /** Already in parentheses, or null. */
  condition: string | null;
  limit: number;
}

export interface Query {
  text: string;
  values: (string | null)[];
}

export function chunkQuery(q: ChunkQueryInput): Query {
  const values: (string | null)[] = [];
  const where: string[] = [];
  if (q.after) {
    where.push(comparison(q.keyColumns, q.after, '>', values));
    if (q.max) where.push(comparison(q.keyColumns, q.max, '<=', values));
  }
  if (q.condition) where.push(q.condition);
  const order = q.keyColumns.map((k) => quoteIdent(k.name)).join(', ');
  const text = `SELECT ${q.columns.map(quoteIdent).join(', ')} FROM ${qualifiedName(q.schema, q.table)}`
    + (where.length ? ` WHERE ${where.join(' AND ')}` : '')
    + ` ORDER BY ${order} LIMIT ${q.limit}`;
  return { text, values };
}

export function maxKeyQuery(schema: string, table: string, keyColumns: readonly { name: string }[], condition: string | null): string {
  const cols = keyColumns.map((k) => quoteIdent(k.name));
  return `SELECT ${cols.join(', ')} FROM ${qualifiedName(schema, table)}${condition ? ` WHERE ${condition}` : ''} ORDER BY ${cols.join(' DESC, ')} DESC LIMIT 1`;
}

function comparison(keys: ChunkQueryInput['keyColumns'], bound: readonly (string | null)[], op: '>' | '<=', values: (string | null)[]): string {
  if (!keys.some((k) => k.nullable)) {
    const params = bound.map((v) => {
      values.push(v);
      return `$${values.length}`;
    });
    if (keys.length === 1) return `${quoteIdent(keys[0]!.name)} ${op} ${params[0]}`;
    return `ROW(${keys.map((k) => quoteIdent(k.name)).join(', ')}) ${op} ROW(${params.join(', ')})`;
  }
  // (k1 > a) OR (k1 = a AND k2 > b) ..., with NULL sorting last; `<= max` is NOT (> max).
  const gt = expandedGreater(keys, bound, values);
  return op === '>' ? gt : `NOT ${gt}`;
}

function expandedGreater(keys: ChunkQueryInput['keyColumns'], bound: readonly (string | null)[], values: (string | null)[]): string {
  const param = (v: string) => {
    values.push(v);
    return `$${values.length}`;
  };
  const terms: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j <= i; j++) {
      const col = quoteIdent(keys[j]!.name);
      const v = bound[j] ?? null;
      if (j < i) parts.push(v === null ? `${col} IS NULL` : `${col} = ${param(v)}`);
      else if (v === null) parts.push('1 = 0'); // nothing sorts after NULL
      else parts.push(keys[j]!.nullable ? `(${col} > ${param(v)} OR ${col} IS NULL)` : `${col} > ${param(v)}`);
    }
    terms.push(`(${parts.join(' AND ')})`);
  }
  return `(${terms.join(' OR ')})`;
}
