import { DataException } from '../errors.js';
import { type Field, type Schema, validateValue, valueEquals } from './schema.js';

/**
 * A structured value with a struct schema (`org.apache.kafka.connect.data.Struct`).
 * Values are kept in field order; `put` checks each value against its field schema.
 */
export class Struct {
  readonly schema: Schema;
  private readonly values: unknown[];

  /** An empty struct (every field null). `values` is for `Struct.fromValues` only. */
  constructor(schema: Schema, values?: unknown[]) {
    if (schema.type !== 'struct') throw new DataException('Not a struct schema: ' + schema.toString());
    this.schema = schema;
    this.values = values ?? new Array(schema.fields.length).fill(null);
  }

  /**
   * A struct over `values` (one per field, in field order, null for unset; the array is taken, not copied),
   * without validation: for hot paths whose values already fit the field schemas, e.g. a transform copying
   * the fields of a struct with the same field schemas.
   */
  static fromValues(schema: Schema, values: unknown[]): Struct {
    return new Struct(schema, values);
  }

  /**
   * This struct's values under another schema with the same fields (e.g. the same row schema made required),
   * sharing the value array rather than copying it: for transforms that re-label a struct they do not change.
   * Records are not mutated once made, so the sharing is invisible.
   */
  withSchemaOfSameFields(schema: Schema): Struct {
    return new Struct(schema, this.values);
  }

  /** Value of a field, or its schema default when unset/null (like `Struct.get`). */
  get(fieldOrName: string | Field): unknown {
    const field = this.lookup(fieldOrName);
    const v = this.values[field.index];
    if ((v === null || v === undefined) && field.schema.defaultValue !== undefined) return field.schema.defaultValue;
    return v ?? null;
  }

  /** Value of a field without falling back to the default (like `Struct.getWithoutDefault`). */
  getWithoutDefault(fieldOrName: string | Field): unknown {
    return this.values[this.lookup(fieldOrName).index] ?? null;
  }

  /** The raw value at a field index (no default substitution), like `getWithoutDefault` by position. */
  valueAt(index: number): unknown {
    return this.values[index] ?? null;
  }

  /**
   * Copies the field values, in field order, into `out` from index 0; with `withDefaults` a null takes its
   * field's default (as `get` does). For transforms building a wider struct from this one's values.
   */
  copyValuesTo(out: unknown[], withDefaults: boolean): void {
    const values = this.values;
    const fields = this.schema.fields;
    for (let i = 0; i < fields.length; i++) {
      const v = values[i] ?? null;
      out[i] = v === null && withDefaults && fields[i]!.schema.defaultValue !== undefined ? fields[i]!.schema.defaultValue : v;
    }
  }

  put(fieldOrName: string | Field, value: unknown): this {
    const field = this.lookup(fieldOrName);
    validateValue(field.schema, value, field.name);
    this.values[field.index] = value ?? null;
    return this;
  }

  /** Sets a field by index without validation; for hot paths where the producer guarantees the types. */
  putUnchecked(index: number, value: unknown): this {
    this.values[index] = value ?? null;
    return this;
  }

  /** Throws DataException when a required field is missing or a value does not fit its schema. */
  validate(): void {
    for (const field of this.schema.fields) {
      const v = this.values[field.index];
      validateValue(field.schema, v === null && field.schema.defaultValue !== undefined ? field.schema.defaultValue : v, field.name);
    }
  }

  equals(other: unknown): boolean {
    if (!(other instanceof Struct)) return false;
    if (!this.schema.equals(other.schema)) return false;
    return this.values.every((v, i) => valueEquals(v, other.values[i]));
  }

  toString(): string {
    return `Struct{${this.schema.fields
      .filter((f) => this.values[f.index] !== null)
      .map((f) => `${f.name}=${String(this.values[f.index])}`)
      .join(',')}}`;
  }

  private lookup(fieldOrName: string | Field): Field {
    if (typeof fieldOrName !== 'string') return fieldOrName;
    const f = this.schema.field(fieldOrName);
    if (!f) throw new DataException(`${fieldOrName} is not a valid field name`);
    return f;
  }
}
