/**
 * The rows of one chunk between its open and close watermarks (Debezium's `window`). Rows are kept in key
 * order; while the window is open, a streamed change of a key in it removes the row, because the stream
 * carries a state at least as new as the one the chunk SELECT saw. What is left is emitted on close.
 */
import { Struct } from '../../../connect/data/index.js';

export class ChunkWindow<Row> {
  private readonly rows = new Map<string, Row>();

  /** `key` identifies the row as the record key does (see keyString). */
  put(key: string, row: Row): void {
    this.rows.set(key, row);
  }

  /** Drops the row of a streamed change; true when there was one. */
  deduplicate(key: string): boolean {
    return this.rows.delete(key);
  }

  get size(): number {
    return this.rows.size;
  }

  get empty(): boolean {
    return this.rows.size === 0;
  }

  /** The remaining rows in chunk order, emptying the window. */
  drain(): Row[] {
    const out = [...this.rows.values()];
    this.rows.clear();
    return out;
  }

  clear(): void {
    this.rows.clear();
  }
}

/** keyString of a record key Struct's values (read in place: this runs per chunk row and per streamed change). */
export function structKeyString(s: Struct): string {
  const n = s.schema.fields.length;
  let out = '';
  for (let i = 0; i < n; i++) {
    if (i) out += '\u0001';
    out += valueString(s.valueAt(i));
  }
  return out;
}

/** A stable text for key values (numbers, bigints, strings, Dates, bytes, decimals, nested Structs). */
export function keyString(values: readonly unknown[]): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    if (i) s += '\u0001';
    s += valueString(values[i]);
  }
  return s;
}

function valueString(v: unknown): string {
  if (v === null || v === undefined) return '\u0000';
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `n${String(v)}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (v instanceof Date) return `d${v.getTime()}`;
  if (v instanceof Uint8Array) return `b${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (Array.isArray(v)) return `[${keyString(v)}]`;
  if (v instanceof Struct) return `{${structKeyString(v)}}`;
  return `o${String(v)}`;
}
