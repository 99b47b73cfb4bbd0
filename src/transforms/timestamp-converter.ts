/**
 * `org.apache.kafka.connect.transforms.TimestampConverter$Key/$Value`: converts a timestamp (the whole
 * key/value, or one field) between string (SimpleDateFormat, UTC), unix (epoch in `unix.precision`), and
 * Connect's Date, Time and Timestamp logical types. The input type comes from the schema, or is inferred
 * schemaless (Date → Timestamp, integer → unix, string → string).
 */
import { ConfigDef, Validators } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { Schema, SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { ConnectDate, ConnectTime, ConnectTimestamp } from '../connect/data/logical.js';
import { ConfigException, ConnectException, DataException } from '../connect/errors.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { javaClassName, requireMap, requireStructOrNull } from './util/requirements.js';
import { SimpleDateFormat } from './util/simple-date-format.js';

const PURPOSE = 'converting timestamp formats';
const MS_PER_DAY = 86_400_000;
type TimestampType = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';

export const TIMESTAMP_CONVERTER_CONFIG_DEF = new ConfigDef()
  .define({ name: 'field', type: 'STRING', defaultValue: '', importance: 'HIGH', documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp' })
  .define({ name: 'target.type', type: 'STRING', validator: Validators.in('string', 'unix', 'Date', 'Time', 'Timestamp'), importance: 'HIGH', documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp' })
  .define({ name: 'format', type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: 'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.' })
  .define({ name: 'unix.precision', type: 'STRING', defaultValue: 'milliseconds', validator: Validators.in('nanoseconds', 'microseconds', 'milliseconds', 'seconds'), importance: 'LOW', documentation: 'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

const OPTIONAL_DATE = ConnectDate.builder().optional().build();
const OPTIONAL_TIME = ConnectTime.builder().optional().build();
const OPTIONAL_TIMESTAMP = ConnectTimestamp.builder().optional().build();

export class TimestampConverter extends KeyValueTransformation {
  private field = '';
  private target: TimestampType = 'Timestamp';
  private format: SimpleDateFormat | null = null;
  private precision = 'milliseconds';
  private replaceNullWithDefault = true;
  private readonly cache = new LruCache<Schema, Schema>(16);

  configure(configs: Record<string, string>): void {
    const c = parseConfig(TIMESTAMP_CONVERTER_CONFIG_DEF, configs);
    this.field = c.getString('field') ?? '';
    this.target = c.getString('target.type') as TimestampType;
    const pattern = c.getString('format') ?? '';
    this.precision = c.getString('unix.precision')!;
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    if (this.target === 'string' && pattern.trim() === '') {
      throw new ConfigException('TimestampConverter requires format option to be specified when using string timestamps');
    }
    try {
      this.format = pattern.trim() === '' ? null : new SimpleDateFormat(pattern);
    } catch {
      throw new ConfigException(`TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern}`);
    }
    this.cache.clear();
  }

  config(): ConfigDef {
    return TIMESTAMP_CONVERTER_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null) {
      if (value === null || this.field === '') return this.withNew(record, null, this.convert(value, null));
      const map = new Map(requireMap(value, PURPOSE));
      map.set(this.field, this.convert(map.get(this.field) ?? null, null));
      return this.withNew(record, null, map);
    }
    if (this.field === '') return this.withNew(record, this.targetSchema(schema.optional), this.convert(value, typeFromSchema(schema)));
    const struct = requireStructOrNull(value, PURPOSE);
    const updated = this.cache.getOrCompute(schema, (s) => {
      const b = SchemaBuilder.copyBasics(s);
      for (const f of s.fields) b.field(f.name, f.name === this.field ? this.targetSchema(f.schema.optional) : f.schema);
      if (s.optional) b.optional();
      if (s.defaultValue instanceof Struct) b.defaultValue(this.convertStruct(s.defaultValue, new Schema({ type: 'struct', fields: b.fields, name: s.name, optional: true })));
      return b.build();
    });
    return this.withNew(record, updated, struct === null ? null : this.convertStruct(struct, updated));
  }

  private convertStruct(value: Struct, updated: Schema): Struct {
    const out = new Struct(updated);
    for (const f of value.schema.fields) {
      const v = this.replaceNullWithDefault ? value.get(f) : value.getWithoutDefault(f);
      out.put(f.name, f.name === this.field ? this.convert(v, typeFromSchema(f.schema)) : v);
    }
    return out;
  }

  private targetSchema(optional: boolean): Schema {
    switch (this.target) {
      case 'string':
        return optional ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA;
      case 'unix':
        return optional ? Schema.OPTIONAL_INT64_SCHEMA : Schema.INT64_SCHEMA;
      case 'Date':
        return optional ? OPTIONAL_DATE : ConnectDate.SCHEMA;
      case 'Time':
        return optional ? OPTIONAL_TIME : ConnectTime.SCHEMA;
      case 'Timestamp':
        return optional ? OPTIONAL_TIMESTAMP : ConnectTimestamp.SCHEMA;
    }
  }

  private convert(value: unknown, type: TimestampType | null): unknown {
    if (value === null || value === undefined) return null;
    const raw = this.toRaw(value, type ?? inferType(value));
    return this.toType(raw);
  }

  private toRaw(value: unknown, type: TimestampType): Date {
    switch (type) {
      case 'string': {
        if (typeof value !== 'string') throw new DataException(`Expected string timestamp to be a String, but found class ${javaClassName(value)}`);
        const d = this.format?.parse(value) ?? null;
        if (!d) throw new DataException(`Could not parse timestamp: value (${value}) does not match pattern (${this.format?.pattern ?? 'null'})`);
        return d;
      }
      case 'unix': {
        if (typeof value !== 'number' && typeof value !== 'bigint') throw new DataException(`Expected Unix timestamp to be a Long, but found class ${javaClassName(value)}`);
        const n = BigInt(value);
        switch (this.precision) {
          case 'seconds':
            return new Date(Number(n * 1000n));
          case 'microseconds':
            return new Date(Number(n / 1000n));
          case 'nanoseconds':
            return new Date(Number(n / 1_000_000n));
          default:
            return new Date(Number(n));
        }
      }
      default:
        if (!(value instanceof Date)) throw new DataException(`Expected ${type} to be a java.util.Date, but found class ${javaClassName(value)}`);
        return value;
    }
  }

  private toType(d: Date): unknown {
    const ms = d.getTime();
    switch (this.target) {
      case 'string':
        return this.format!.format(d);
      case 'unix':
        switch (this.precision) {
          case 'seconds':
            return Math.trunc(ms / 1000);
          case 'microseconds':
            return safeLong(BigInt(ms) * 1000n);
          case 'nanoseconds':
            return safeLong(BigInt(ms) * 1_000_000n);
          default:
            return ms;
        }
      case 'Date':
        return new Date(ms - (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY));
      case 'Time':
        return new Date(((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
      case 'Timestamp':
        return d;
    }
  }
}

function safeLong(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function typeFromSchema(schema: Schema): TimestampType {
  if (schema.name === ConnectTimestamp.LOGICAL_NAME) return 'Timestamp';
  if (schema.name === ConnectDate.LOGICAL_NAME) return 'Date';
  if (schema.name === ConnectTime.LOGICAL_NAME) return 'Time';
  if (schema.type === 'string') return 'string';
  if (schema.type === 'int64') return 'unix';
  throw new ConnectException(`Schema ${schema.toString()} does not correspond to a known timestamp type format`);
}

function inferType(value: unknown): TimestampType {
  if (value instanceof Date) return 'Timestamp';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'unix';
  if (typeof value === 'string') return 'string';
  throw new DataException(`TimestampConverter does not support class ${javaClassName(value)} objects as timestamps`);
}
