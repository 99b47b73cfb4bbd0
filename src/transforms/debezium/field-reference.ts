/**
 * A reference from ExtractNewRecordState's `add.fields` / `add.headers` to a field of the change event:
 * `op`, `source.ts_ms`, `lsn`, `table:TABLE_NAME`, ... (Debezium's `FieldReference`).
 *
 * Unqualified names resolve to the envelope (`op`, `ts_ms`, `ts_us`, `ts_ns`), to `transaction`
 * (`id`, `total_order`, `data_collection_order`) or else to `source`. When the field is not in that struct
 * but is at the top level of the envelope (added by another SMT), the top level is used.
 */
import { type Schema, SchemaBuilder } from '../../connect/data/schema.js';
import { Struct } from '../../connect/data/struct.js';
import { ConfigException } from '../../connect/errors.js';

const ENVELOPE_FIELDS = new Set(['op', 'ts_ms', 'ts_us', 'ts_ns']);
const TRANSACTION_FIELDS = new Set(['id', 'total_order', 'data_collection_order']);

export class FieldReference {
  /** The struct hosting the field (`source`, `transaction`), or null for envelope-level fields. */
  readonly struct: string | null;
  readonly field: string;
  /** Name of the added field or header, e.g. `__op`, `__source_ts_ms`. */
  readonly newField: string;

  constructor(prefix: string, spec: string) {
    const parts = spec.split(':');
    const splits = parts[0]!.split('.');
    this.field = splits.length === 1 ? splits[0]! : splits[1]!;
    this.struct = splits.length === 1 ? FieldReference.determineStruct(this.field) : splits[0]!;
    if (parts.length === 1) {
      this.newField = prefix + (splits.length === 1 ? this.field : `${this.struct}_${this.field}`);
    } else if (parts.length === 2) {
      this.newField = prefix + parts[1];
    } else {
      throw new ConfigException(`Unexpected field name: ${spec}`);
    }
  }

  static determineStruct(field: string): string | null {
    if (TRANSACTION_FIELDS.has(field)) return 'transaction';
    if (ENVELOPE_FIELDS.has(field)) return null;
    if (field === 'updateDescription') return 'updateDescription';
    return 'source';
  }

  static fromList(prefix: string, specs: readonly string[]): FieldReference[] {
    return specs.map((s) => s.trim()).filter((s) => s.length > 0).map((s) => new FieldReference(prefix, s));
  }

  /** The schema of the added field (the original field's schema basics, made optional), or null if absent. */
  schemaIn(envelopeSchema: Schema): Schema | null {
    let parent: Schema | null = envelopeSchema;
    if (this.struct !== null) {
      const f = envelopeSchema.field(this.struct);
      parent = f && f.schema.type === 'struct' ? f.schema : null;
    }
    let field = parent?.field(this.field);
    if (!field) field = envelopeSchema.field(this.field);
    if (!field) return null;
    return SchemaBuilder.copyBasics(field.schema).optional().build();
  }

  /** The raw value (no default substitution) of the referenced field in an envelope Struct. */
  valueIn(envelope: Struct): unknown {
    let parent: Struct | null = envelope;
    if (this.struct !== null) {
      const f = envelope.schema.field(this.struct);
      const v = f ? envelope.getWithoutDefault(f) : null;
      parent = v instanceof Struct ? v : null;
      if (parent === null) return null;
    }
    const inParent = parent.schema.field(this.field);
    if (inParent) return parent.getWithoutDefault(inParent);
    const top = envelope.schema.field(this.field);
    return top ? envelope.getWithoutDefault(top) : null;
  }

  /** Schemaless form: `[present, value]` from an envelope Map. */
  lookupInMap(envelope: Map<unknown, unknown>): [boolean, unknown] {
    if (this.struct !== null) {
      const parent = envelope.get(this.struct);
      if (parent instanceof Map && parent.has(this.field)) return [true, parent.get(this.field)];
      if ((parent === null || parent === undefined) && envelope.has(this.struct) && !envelope.has(this.field)) {
        // e.g. `transaction` is null: the field is known to exist but has no value.
        return [true, null];
      }
    } else if (envelope.has(this.field)) {
      return [true, envelope.get(this.field)];
    }
    return envelope.has(this.field) ? [true, envelope.get(this.field)] : [false, null];
  }
}
