/**
 * `io.debezium.transforms.ExtractNewRecordState`: flattens a Debezium change event (`<topic>.Envelope`) to the
 * row state, the `after` struct (or the `before` struct for rewritten deletes).
 *
 * Order of work per record (Debezium 3.x): headers from `add.headers` first; tombstones per the delete mode;
 * non-envelopes (heartbeats, transaction and message events) unchanged; truncates (no before, no after)
 * dropped; deletes handled per mode, then `route.by.field`, drop-fields, `add.fields`; creates/updates/reads
 * unwrapped (plus `__deleted="false"` in rewrite modes), then `route.by.field`, `add.fields`, drop-fields.
 *
 * Note that for c/u/r events `add.fields` always runs, even with no fields to add, and it rebuilds the value
 * with a copy of the schema basics: the output value schema is therefore *required*, whereas the envelope's
 * `after` schema is optional. Users see this as `"optional":false` in JsonConverter output.
 *
 * Beyond Debezium (which passes schemaless records through unchanged), a schemaless envelope (a Map with
 * `op`, `before` and `after`, as a sink reading `schemas.enable=false` JSON gets) is unwrapped the same way.
 */
import { ConfigDef, invalid, type ParsedConfig } from '../../connect/api/config-def.js';
import type { Transformation } from '../../connect/api/transformation.js';
import type { AnyRecord } from '../../connect/data/records.js';
import { type Field, Schema, SchemaBuilder } from '../../connect/data/schema.js';
import { Struct } from '../../connect/data/struct.js';
import { DataException } from '../../connect/errors.js';
import { ReplaceField } from '../replace-field.js';
import { LruCache } from '../util/lru.js';
import { logger } from '../util/log.js';
import { requireStruct } from '../util/requirements.js';
import { FieldReference } from './field-reference.js';

export const DELETED_FIELD = '__deleted';
const PURPOSE = 'source field insertion';
const ENVELOPE_SUFFIX = '.Envelope';
const MODES = ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'] as const;
type DeleteTombstoneMode = (typeof MODES)[number];

/** How deletes and tombstones are handled: the new mode, or the legacy pair mapped onto the same parts. */
interface DeleteHandling {
  dropTombstones: boolean;
  /** `after-schema`: value null with the `after` schema (mode `tombstone`, legacy `none`). */
  deletes: 'drop' | 'after-schema' | 'tombstone' | 'rewrite';
  /** Add `__deleted` to every row event. */
  rewrite: boolean;
}

function enumValidator(values: readonly string[]) {
  const text = values.join(', ');
  return {
    ensureValid(name: string, value: unknown) {
      if (value === null || value === undefined) return;
      if (!values.includes(String(value).trim().toLowerCase())) throw invalid(name, value, `Value must be one of ${text}`);
    },
    toString: () => `[${text}]`,
  };
}

export const EXTRACT_NEW_RECORD_STATE_CONFIG_DEF = new ConfigDef()
  .define({
    name: 'delete.tombstone.handling.mode',
    type: 'STRING',
    defaultValue: 'tombstone',
    validator: enumValidator(MODES),
    importance: 'MEDIUM',
    width: 'MEDIUM',
    displayName: 'Handle delete and tombstone records',
    documentation:
      'How to handle delete records. Options are: drop - Remove the delete event and tombstone from the stream.' +
      'tombstone (default) - For each delete event, leave only a tombstone in the stream.' +
      'rewrite - Remove tombstone from the record, and add a `__deleted` field with the value `true`.' +
      'rewrite-with-tombstone - Retain tombstone in record and add a `__deleted` field with the value `true`.' +
      'delete-to-tombstone - Convert delete events to tombstone events and drop tombstone events.',
  })
  .define({ name: 'route.by.field', type: 'STRING', defaultValue: '', importance: 'LOW', width: 'LONG', displayName: 'Route by field name', documentation: 'The column which determines how the events will be routed, the value will replace the topic name.' })
  .define({ name: 'add.fields.prefix', type: 'STRING', defaultValue: '__', importance: 'LOW', width: 'SHORT', displayName: 'Field prefix to be added to each field.', documentation: 'Adds this prefix to each field listed.' })
  .define({
    name: 'add.fields',
    type: 'LIST',
    defaultValue: '',
    importance: 'LOW',
    width: 'LONG',
    displayName: 'Adds the specified field(s) to the message if they exist.',
    documentation:
      "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP.Please note that the new field name is case-sensitive.",
  })
  .define({ name: 'add.headers.prefix', type: 'STRING', defaultValue: '__', importance: 'LOW', width: 'SHORT', displayName: 'Header prefix to be added to each header.', documentation: 'Adds this prefix listed to each header.' })
  .define({
    name: 'add.headers',
    type: 'LIST',
    defaultValue: '',
    importance: 'LOW',
    width: 'LONG',
    displayName: 'Adds the specified fields to the header if they exist.',
    documentation:
      "Adds each field listed to the header,  __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP.Please note that the new field name is case-sensitive.",
  })
  .define({ name: 'drop.fields.header.name', type: 'STRING', defaultValue: null, importance: 'LOW', width: 'SHORT', displayName: 'Specifies a header that contains a list of field names to be removed', documentation: 'Specifies the name of a header that contains a list of fields to be removed from the event value.' })
  .define({ name: 'drop.fields.from.key', type: 'BOOLEAN', defaultValue: false, importance: 'LOW', width: 'SHORT', documentation: 'Specifies whether to apply the drop fields behavior to the event key as well as the value. Default behavior is to only remove fields from the event value, not the key.' })
  .define({ name: 'drop.fields.keep.schema.compatible', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', width: 'SHORT', documentation: "Controls the output event's schema compatibility when using the drop fields feature. `true`: dropped fields are removed if the schema indicates its optional leaving the schemas unchanged, `false`: dropped fields are removed from the key/value schemas, regardless of optionality." })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', width: 'SHORT', documentation: 'When this option is enabled, null field values are replaced by source-defined defaults when rewriting the record.' })
  .define({ name: 'drop.tombstones', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', width: 'SHORT', documentation: 'Deprecated (removed in Debezium 3.2): use "delete.tombstone.handling.mode" instead. Whether tombstones are dropped.' })
  .define({ name: 'delete.handling.mode', type: 'STRING', defaultValue: 'drop', validator: enumValidator(['drop', 'rewrite', 'none']), importance: 'MEDIUM', width: 'MEDIUM', documentation: 'Deprecated (removed in Debezium 3.2): use "delete.tombstone.handling.mode" instead. none - records are passed, drop - records are removed (the default), rewrite - __deleted field is added to records.' });

function handlingFor(c: ParsedConfig, raw: Record<string, string>): DeleteHandling {
  const legacy = 'drop.tombstones' in raw || 'delete.handling.mode' in raw;
  if ('delete.tombstone.handling.mode' in raw || !legacy) {
    const mode = (c.getString('delete.tombstone.handling.mode') ?? 'tombstone').trim().toLowerCase() as DeleteTombstoneMode;
    switch (mode) {
      case 'drop':
        return { dropTombstones: true, deletes: 'drop', rewrite: false };
      case 'tombstone':
        return { dropTombstones: true, deletes: 'after-schema', rewrite: false };
      case 'delete-to-tombstone':
        return { dropTombstones: true, deletes: 'tombstone', rewrite: false };
      case 'rewrite':
        return { dropTombstones: true, deletes: 'rewrite', rewrite: true };
      case 'rewrite-with-tombstone':
        return { dropTombstones: false, deletes: 'rewrite', rewrite: true };
    }
  }
  logger.warn('The deleted record handling configs "drop.tombstones" and "delete.handling.mode" have been deprecated, please use "delete.tombstone.handling.mode" instead.');
  const old = (c.getString('delete.handling.mode') ?? 'drop').trim().toLowerCase();
  return {
    dropTombstones: c.getBoolean('drop.tombstones'),
    deletes: old === 'rewrite' ? 'rewrite' : old === 'none' ? 'after-schema' : 'drop',
    rewrite: old === 'rewrite',
  };
}

/** What is constant per envelope schema. */
interface EnvelopePlan {
  after: Field;
  before: Field;
  /** Row schema -> row schema + `__deleted` (rewrite modes), built lazily. */
  rewritten: LruCache<Schema, Schema>;
  /** Row schema -> row schema + `add.fields` (and the references present), built lazily. */
  withAdded: LruCache<Schema, AddedFields>;
  /** `add.headers` references present in this schema, with their header schemas. */
  headers: { ref: FieldReference; schema: Schema }[] | null;
}

interface AddedFields {
  schema: Schema;
  /** The `add.fields` references present in the envelope schema, in the order of the fields they add. */
  refs: FieldReference[];
}

export class ExtractNewRecordState implements Transformation {
  private handling: DeleteHandling = { dropTombstones: true, deletes: 'after-schema', rewrite: false };
  private addFields: FieldReference[] = [];
  private addHeaders: FieldReference[] = [];
  private routeByField: string | null = null;
  private dropFieldsHeader: string | null = null;
  private dropFieldsFromKey = false;
  private keepSchemaCompatible = true;
  private replaceNullWithDefault = true;
  private readonly plans = new LruCache<Schema, EnvelopePlan>(64);
  private lastSchema: Schema | null = null;
  private lastSchemaIsEnvelope = false;
  private readonly dropDelegates = new Map<string, ReplaceField>();

  configure(configs: Record<string, string>): void {
    const c = EXTRACT_NEW_RECORD_STATE_CONFIG_DEF.parse(configs);
    this.handling = handlingFor(c, configs);
    this.addFields = FieldReference.fromList(c.getString('add.fields.prefix') ?? '', c.getList('add.fields'));
    this.addHeaders = FieldReference.fromList(c.getString('add.headers.prefix') ?? '', c.getList('add.headers'));
    const route = c.getString('route.by.field') ?? '';
    this.routeByField = route === '' ? null : route;
    const drop = c.getString('drop.fields.header.name');
    this.dropFieldsHeader = drop && drop.trim() !== '' ? drop : null;
    this.dropFieldsFromKey = c.getBoolean('drop.fields.from.key');
    this.keepSchemaCompatible = c.getBoolean('drop.fields.keep.schema.compatible');
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    this.plans.clear();
    this.dropDelegates.clear();
  }

  config(): ConfigDef {
    return EXTRACT_NEW_RECORD_STATE_CONFIG_DEF;
  }

  close(): void {
    this.plans.clear();
  }

  apply(record: AnyRecord): AnyRecord | null {
    const schema = record.valueSchema;
    const value = record.value;
    if (schema === null && value instanceof Map && isSchemalessEnvelope(value)) return this.applySchemaless(record, value);

    const isTombstone = value === null;
    const isEnvelope = schema !== null && this.isEnvelopeSchema(schema);
    if (isTombstone) {
      if (this.handling.dropTombstones) return null;
      return this.addHeaders.length > 0 ? this.withTombstoneHeaders(record) : record;
    }
    if (!isEnvelope) return record;

    const envelope = requireStruct(value, PURPOSE);
    const plan = this.plans.get(envelope.schema) ?? this.cachePlan(envelope.schema);
    if (plan.headers && plan.headers.length > 0) record = this.withEnvelopeHeaders(record, envelope, plan);

    const after = envelope.getWithoutDefault(plan.after);
    const before = envelope.getWithoutDefault(plan.before);
    if (after === null && before === null) return null; // truncate

    let out: AnyRecord | null;
    if (after === null) {
      out = this.handleDelete(record, plan, before);
      if (out === null) return null;
      if (this.routeByField !== null) {
        const target = before instanceof Struct ? before.get(this.routeByField) : null;
        out = withTopic(out, target);
      }
      if (this.dropFieldsHeader !== null) out = this.dropFields(out);
      if (out.value !== null) {
        const added = this.withAddedFields(requireStruct(out.value, PURPOSE), envelope, plan);
        out = out.newRecord({ valueSchema: added.schema, value: added });
      }
    } else {
      // The row is built first and the record once: every intermediate record would be a copy.
      const afterStruct = requireStruct(after, PURPOSE);
      const deleted = this.handling.rewrite ? 'false' : null;
      const topic = this.routeByField === null ? record.topic : routedTopic(record.topic, this.routeValue(afterStruct, deleted));
      const added = this.withAddedFields(afterStruct, envelope, plan, deleted);
      out = topic === record.topic ? record.withValue(added.schema, added) : record.newRecord({ topic, valueSchema: added.schema, value: added });
      if (this.dropFieldsHeader !== null) out = this.dropFields(out);
    }
    return out;
  }

  /** Whether a value schema is a Debezium envelope (`...Envelope`), remembered for the last schema seen. */
  private isEnvelopeSchema(schema: Schema): boolean {
    if (schema !== this.lastSchema) {
      this.lastSchema = schema;
      this.lastSchemaIsEnvelope = schema.name !== null && schema.name.endsWith(ENVELOPE_SUFFIX);
    }
    return this.lastSchemaIsEnvelope;
  }

  private cachePlan(schema: Schema): EnvelopePlan {
    const plan = this.planFor(schema);
    this.plans.set(schema, plan);
    return plan;
  }

  private planFor(schema: Schema): EnvelopePlan {
    const after = schema.field('after');
    if (!after) throw new DataException('Unknown field: after');
    const before = schema.field('before');
    if (!before) throw new DataException('Unknown field: before');
    const headers: EnvelopePlan['headers'] = [];
    for (const ref of this.addHeaders) {
      const s = ref.schemaIn(schema);
      if (s) headers.push({ ref, schema: s });
    }
    return { after, before, rewritten: new LruCache(16), withAdded: new LruCache(16), headers };
  }

  private handleDelete(record: AnyRecord, plan: EnvelopePlan, before: unknown): AnyRecord | null {
    switch (this.handling.deletes) {
      case 'drop':
        return null;
      case 'after-schema':
        return record.newRecord({ valueSchema: plan.after.schema, value: null });
      case 'tombstone':
        return record.newRecord({ valueSchema: null, value: null });
      case 'rewrite': {
        const old = record.newRecord({ valueSchema: plan.before.schema, value: before });
        if (!(before instanceof Struct)) return old;
        const row = this.withDeleted(before, plan, 'true');
        return old.newRecord({ valueSchema: row.schema, value: row });
      }
    }
  }

  /** The `route.by.field` value of a row that gets `__deleted` = `deleted` appended (none when null). */
  private routeValue(row: Struct, deleted: 'true' | 'false' | null): unknown {
    return deleted !== null && this.routeByField === DELETED_FIELD ? deleted : row.get(this.routeByField!);
  }

  /** The schema of `rowSchema` with `__deleted` appended (Kafka's InsertField$Value with `static.field=__deleted`). */
  private rewrittenSchema(rowSchema: Schema, plan: EnvelopePlan): Schema {
    let schema = plan.rewritten.get(rowSchema);
    if (!schema) {
      const b = SchemaBuilder.copyBasics(rowSchema);
      for (const f of rowSchema.fields) b.field(f.name, f.schema);
      b.field(DELETED_FIELD, Schema.OPTIONAL_STRING_SCHEMA);
      schema = b.build();
      plan.rewritten.set(rowSchema, schema);
    }
    return schema;
  }

  /** `row` with the string `__deleted` appended. */
  private withDeleted(row: Struct, plan: EnvelopePlan, deleted: 'true' | 'false'): Struct {
    const n = row.schema.fields.length;
    const values = new Array<unknown>(n + 1);
    row.copyValuesTo(values, this.replaceNullWithDefault);
    values[n] = deleted;
    return Struct.fromValues(this.rewrittenSchema(row.schema, plan), values);
  }

  /**
   * `row`, then `__deleted` = `deleted` (unless null), then the `add.fields`, under the required schema the header
   * explains. Made in one copy (rewrite mode used to copy the row for `__deleted`, then again for the fields).
   */
  private withAddedFields(row: Struct, envelope: Struct, plan: EnvelopePlan, deleted: 'true' | 'false' | null = null): Struct {
    const base = deleted === null ? row.schema : this.rewrittenSchema(row.schema, plan);
    const entry = plan.withAdded.get(base) ?? this.cacheAddedFields(base, envelope.schema, plan);
    // Nothing appended: only the schema changes (the row's own, made required), so the row's values are shared.
    if (entry.refs.length === 0 && deleted === null) return row.withSchemaOfSameFields(entry.schema);
    const n = row.schema.fields.length;
    const at = deleted === null ? n : n + 1;
    const refs = entry.refs;
    const values = new Array<unknown>(at + refs.length);
    row.copyValuesTo(values, deleted !== null && this.replaceNullWithDefault);
    if (deleted !== null) values[n] = deleted;
    // Values of the referenced fields fit: each added field's schema is the original's, made optional.
    for (let i = 0; i < refs.length; i++) values[at + i] = refs[i]!.valueIn(envelope);
    return Struct.fromValues(entry.schema, values);
  }

  private cacheAddedFields(rowSchema: Schema, envelopeSchema: Schema, plan: EnvelopePlan): AddedFields {
    const b = SchemaBuilder.copyBasics(rowSchema);
    for (const f of rowSchema.fields) b.field(f.name, f.schema);
    const refs: FieldReference[] = [];
    for (const ref of this.addFields) {
      const s = ref.schemaIn(envelopeSchema);
      if (s) {
        b.field(ref.newField, s);
        refs.push(ref);
      }
    }
    const entry = { schema: b.build(), refs };
    plan.withAdded.set(rowSchema, entry);
    return entry;
  }

  private withEnvelopeHeaders(record: AnyRecord, envelope: Struct, plan: EnvelopePlan): AnyRecord {
    const headers = record.headers.duplicate();
    for (const { ref, schema } of plan.headers!) headers.add(ref.newField, ref.valueIn(envelope), schema);
    return record.newRecord({ headers });
  }

  private withTombstoneHeaders(record: AnyRecord): AnyRecord {
    const headers = record.headers.duplicate();
    for (const ref of this.addHeaders) if (ref.field === 'op') headers.add(ref.newField, 'd', Schema.STRING_SCHEMA);
    return record.newRecord({ headers });
  }

  private dropFields(record: AnyRecord): AnyRecord {
    let header = undefined;
    for (const h of record.headers) {
      if (h.key === this.dropFieldsHeader) {
        header = h;
        break;
      }
    }
    if (!header || header.value === null || header.value === undefined) return record;
    if (!Array.isArray(header.value)) throw new DataException(`Header ${this.dropFieldsHeader} must hold a list of field names`);
    const names = header.value.map(String);
    if (names.length === 0) return record;
    if (this.dropFieldsFromKey && record.key !== null) {
      const fromKey = this.fieldsToDrop(record.keySchema, record.key, names);
      if (fromKey.length > 0) record = this.dropDelegate('key', fromKey).apply(record);
    }
    const fromValue = this.fieldsToDrop(record.valueSchema, record.value, names);
    if (fromValue.length > 0) record = this.dropDelegate('value', fromValue).apply(record);
    return record;
  }

  private fieldsToDrop(schema: Schema | null, value: unknown, names: string[]): string[] {
    if (!this.keepSchemaCompatible) return names;
    if (schema === null) return value instanceof Map ? names : [];
    if (schema.type !== 'struct') return [];
    return schema.fields.filter((f) => f.schema.optional && names.includes(f.name)).map((f) => f.name);
  }

  private dropDelegate(side: 'key' | 'value', names: string[]): ReplaceField {
    const id = `${side}:${names.join(',')}`;
    let d = this.dropDelegates.get(id);
    if (!d) {
      d = new ReplaceField(side);
      d.configure({ exclude: names.join(',') });
      if (this.dropDelegates.size > 64) this.dropDelegates.clear();
      this.dropDelegates.set(id, d);
    }
    return d;
  }

  // ---- schemaless envelopes (an extension: Debezium passes them through unchanged) ----

  private applySchemaless(record: AnyRecord, envelope: Map<unknown, unknown>): AnyRecord | null {
    if (this.addHeaders.length > 0) {
      const headers = record.headers.duplicate();
      for (const ref of this.addHeaders) {
        const [present, v] = ref.lookupInMap(envelope);
        if (present) headers.add(ref.newField, v, null);
      }
      record = record.newRecord({ headers });
    }
    const after = envelope.get('after') ?? null;
    const before = envelope.get('before') ?? null;
    if (after === null && before === null) return null;
    let out: AnyRecord | null;
    if (after === null) {
      switch (this.handling.deletes) {
        case 'drop':
          return null;
        case 'after-schema':
        case 'tombstone':
          out = record.newRecord({ valueSchema: null, value: null });
          break;
        case 'rewrite':
          out = record.newRecord({ valueSchema: null, value: withEntry(before, DELETED_FIELD, 'true') });
          break;
      }
      if (this.routeByField !== null && before instanceof Map) out = withTopic(out, before.get(this.routeByField));
      if (this.dropFieldsHeader !== null) out = this.dropFields(out);
      if (out.value !== null) out = this.addFieldsToMap(out, envelope);
    } else {
      out = record.newRecord({ valueSchema: null, value: this.handling.rewrite ? withEntry(after, DELETED_FIELD, 'false') : after });
      if (this.routeByField !== null && after instanceof Map) out = withTopic(out, after.get(this.routeByField));
      out = this.addFieldsToMap(out, envelope);
      if (this.dropFieldsHeader !== null) out = this.dropFields(out);
    }
    return out;
  }

  private addFieldsToMap(record: AnyRecord, envelope: Map<unknown, unknown>): AnyRecord {
    if (this.addFields.length === 0 || !(record.value instanceof Map)) return record;
    const out = new Map(record.value);
    for (const ref of this.addFields) {
      const [present, v] = ref.lookupInMap(envelope);
      if (present) out.set(ref.newField, v);
    }
    return record.newRecord({ value: out });
  }
}

const OPS = new Set(['c', 'u', 'd', 'r', 't']);

function isSchemalessEnvelope(value: Map<unknown, unknown>): boolean {
  const op = value.get('op');
  return typeof op === 'string' && OPS.has(op) && value.has('before') && value.has('after');
}

function withEntry(row: unknown, key: string, value: string): Map<unknown, unknown> {
  if (!(row instanceof Map)) throw new DataException(`Only Map objects supported in absence of schema for [${PURPOSE}], found: ${typeof row}`);
  const out = new Map(row);
  out.set(key, value);
  return out;
}

/** Debezium's setTopic: a blank or missing value leaves the topic as it is. */
function routedTopic(current: string, target: unknown): string {
  if (target === null || target === undefined) return current;
  const t = String(target);
  return t.trim() === '' ? current : t;
}

function withTopic(record: AnyRecord, target: unknown): AnyRecord {
  const topic = routedTopic(record.topic, target);
  return topic === record.topic ? record : record.newRecord({ topic });
}
