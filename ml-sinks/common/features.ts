/**
 * Reading numeric features and labels out of sink record values, in both JsonConverter forms: schema'd
 * (a `Struct`) and schemaless (a JS `Map`); plain objects are accepted too. Field lookups are cached per
 * struct schema, so the per-record cost is a few array reads.
 */
import { DataException } from '../../src/connect/errors.js';
import { BigDecimal, type Field, type Schema, Struct } from '../../src/connect/data/index.js';

/** A number from a Connect value: number, bigint, Decimal, or a numeric string. NaN for anything else. */
export function toNumber(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'string': {
      const t = v.trim();
      return t === '' ? NaN : Number(t);
    }
    default:
      return v instanceof BigDecimal ? v.toNumber() : NaN;
  }
}

/** Reads a fixed list of named numeric fields into a Float64Array. */
export class FeatureExtractor {
  private readonly fieldCache = new WeakMap<Schema, (Field | undefined)[]>();

  constructor(readonly names: readonly string[]) {}

  get dim(): number {
    return this.names.length;
  }

  /** Fills `out` (length `dim`) from a record value; throws DataException on a missing or non-numeric field. */
  extract(value: unknown, out: Float64Array = new Float64Array(this.names.length)): Float64Array {
    const names = this.names;
    if (value instanceof Struct) {
      const fields = this.fieldsOf(value.schema);
      for (let i = 0; i < names.length; i++) {
        const f = fields[i];
        if (!f) throw new DataException(`Record has no field '${names[i]}' (schema ${value.schema.name ?? value.schema.type})`);
        out[i] = checked(names[i]!, value.get(f));
      }
    } else if (value instanceof Map) {
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (!value.has(name)) throw new DataException(`Record has no field '${name}'`);
        out[i] = checked(name, value.get(name));
      }
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
      const obj = value as Record<string, unknown>;
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (!(name in obj)) throw new DataException(`Record has no field '${name}'`);
        out[i] = checked(name, obj[name]);
      }
    } else {
      throw new DataException(`Expected a struct or map value with fields ${names.join(', ')}, got ${describe(value)}`);
    }
    return out;
  }

  private fieldsOf(schema: Schema): (Field | undefined)[] {
    let fields = this.fieldCache.get(schema);
    if (!fields) {
      fields = this.names.map((n) => schema.field(n));
      this.fieldCache.set(schema, fields);
    }
    return fields;
  }
}

/** Reads one optional field (a label); undefined when the value has no such field or it is null. */
export function readField(value: unknown, name: string): unknown {
  if (value instanceof Struct) return value.schema.field(name) ? (value.get(name) ?? undefined) : undefined;
  if (value instanceof Map) return value.get(name) ?? undefined;
  if (value !== null && typeof value === 'object') return (value as Record<string, unknown>)[name] ?? undefined;
  return undefined;
}

function checked(name: string, v: unknown): number {
  const n = toNumber(v);
  // NaN and infinities never reach a model: they would poison it for good.
  if (!Number.isFinite(n)) throw new DataException(`Field '${name}' is not a finite number: ${describe(v)}`);
  return n;
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return String(v);
}
