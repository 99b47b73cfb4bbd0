/**
 * What the connector knows about PostgreSQL types: loaded from `pg_type` once at start and again when a
 * relation uses an OID it has not seen (a type created while running). Domains resolve to their base type,
 * arrays to their element type, enums carry their labels in sort order.
 */
import type pg from 'pg';

export interface PgType {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  readonly kind: string;
  /** `A` for arrays. */
  readonly category: string;
  readonly baseOid: number;
  readonly elemOid: number;
  /** A domain's type modifier (-1 when none). */
  readonly typmod: number;
  readonly enumLabels: readonly string[] | null;
}

const QUERY = `
SELECT t.oid::int8 AS oid, t.typname, n.nspname, t.typtype, t.typcategory, t.typbasetype::int8 AS base,
       t.typelem::int8 AS elem, t.typtypmod,
       (SELECT string_agg(e.enumlabel, E'\\x01' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`;

export class TypeRegistry {
  private readonly byOid = new Map<number, PgType>();

  async load(client: pg.Client): Promise<void> {
    const r = await client.query(QUERY);
    this.byOid.clear();
    for (const row of r.rows as Record<string, string | null>[]) {
      const t: PgType = {
        oid: Number(row.oid),
        name: row.typname!,
        schema: row.nspname!,
        kind: row.typtype!,
        category: row.typcategory!,
        baseOid: Number(row.base),
        elemOid: Number(row.elem),
        typmod: Number(row.typtypmod),
        enumLabels: row.labels ? row.labels.split('\u0001') : null,
      };
      this.byOid.set(t.oid, t);
    }
  }

  has(oid: number): boolean {
    return this.byOid.has(oid);
  }

  get(oid: number): PgType | undefined {
    return this.byOid.get(oid);
  }

  /** Adds a type by hand (tests; no database). */
  add(t: PgType): void {
    this.byOid.set(t.oid, t);
  }

  /** Follows domains down to a non-domain type; the innermost explicit type modifier wins. */
  resolveDomain(oid: number, typmod: number): { type: PgType | undefined; typmod: number; isDomain: boolean } {
    let t = this.byOid.get(oid);
    let mod = typmod;
    let isDomain = false;
    for (let guard = 0; t && t.kind === 'd' && guard < 32; guard++) {
      isDomain = true;
      if (mod < 0) mod = t.typmod;
      t = this.byOid.get(t.baseOid);
    }
    return { type: t, typmod: mod, isDomain };
  }
}
