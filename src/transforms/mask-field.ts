/**
 * `org.apache.kafka.connect.transforms.MaskField$Key/$Value`: replaces the listed fields with a type-zero
 * value (false, 0, "", empty list/map, Date(0), decimal 0) or with `replacement` converted to the field's
 * numeric or string type. The schema is unchanged.
 */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import type { Schema } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { BigDecimal } from '../connect/data/logical.js';
import { DataException } from '../connect/errors.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { javaClassName, requireMap, requireStruct } from './util/requirements.js';
import { nonEmptyList, nonEmptyStringOrNull } from './util/validators.js';

const PURPOSE = 'mask fields';

export const MASK_FIELD_CONFIG_DEF = new ConfigDef()
  .define({ name: 'fields', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Names of fields to mask.' })
  .define({ name: 'replacement', type: 'STRING', defaultValue: null, validator: nonEmptyStringOrNull, importance: 'LOW', documentation: 'Custom value replacement, that will be applied to all \'fields\' values (numeric or non-empty string values only).' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

type Kind = 'boolean' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'string' | 'decimal' | 'date' | 'array' | 'map' | 'other';

function kindOf(value: unknown, schema: Schema | null): Kind {
  if (value instanceof BigDecimal) return 'decimal';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map) return 'map';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (schema && ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'].includes(schema.type)) return schema.type as Kind;
    return typeof value === 'number' && !Number.isInteger(value) ? 'float64' : 'int64';
  }
  return 'other';
}

const INT_RANGE: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] };

export class MaskField extends KeyValueTransformation {
  private fields = new Set<string>();
  private replacement: string | null = null;
  private replaceNullWithDefault = true;

  configure(configs: Record<string, string>): void {
    const c = parseConfig(MASK_FIELD_CONFIG_DEF, configs);
    this.fields = new Set(c.getList('fields'));
    this.replacement = c.getString('replacement');
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
  }

  config(): ConfigDef {
    return MASK_FIELD_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    if (this.schemaOf(record) === null) {
      const value = requireMap(this.valueOf(record), PURPOSE);
      const out = new Map(value);
      for (const f of this.fields) out.set(f, this.masked(value.get(f) ?? null, null));
      return this.withNew(record, null, out);
    }
    const value = requireStruct(this.valueOf(record), PURPOSE);
    const out = new Struct(value.schema);
    for (const f of value.schema.fields) {
      const v = this.replaceNullWithDefault ? value.get(f) : value.getWithoutDefault(f);
      out.put(f, this.fields.has(f.name) ? this.masked(v, f.schema) : v);
    }
    return this.withNew(record, value.schema, out);
  }

  private masked(value: unknown, schema: Schema | null): unknown {
    if (value === null || value === undefined) return null;
    const kind = kindOf(value, schema);
    return this.replacement === null ? zero(kind, value) : this.custom(kind, value);
  }

  private custom(kind: Kind, value: unknown): unknown {
    const r = this.replacement!;
    const notNumber = () => new DataException(`Unable to convert ${r} (class java.lang.String) to number`);
    switch (kind) {
      case 'string':
        return r;
      case 'int8':
      case 'int16':
      case 'int32': {
        if (!/^\s*[+-]?\d+(\.\d*)?\s*$/.test(r)) throw notNumber();
        const n = Math.trunc(Number(r));
        const [lo, hi] = INT_RANGE[kind]!;
        if (n < lo || n > hi) throw notNumber();
        return n;
      }
      case 'int64': {
        if (!/^\s*[+-]?\d+(\.\d*)?\s*$/.test(r)) throw notNumber();
        const b = BigInt(r.trim().replace(/\..*$/, ''));
        return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      }
      case 'float32':
      case 'float64': {
        const n = Number(r);
        if (r.trim() === '' || Number.isNaN(n)) throw notNumber();
        return kind === 'float32' ? Math.fround(n) : n;
      }
      case 'decimal':
        try {
          return BigDecimal.parse(r);
        } catch {
          throw notNumber();
        }
      default:
        throw new DataException(`Cannot mask value of type class ${javaClassName(value)} with custom replacement.`);
    }
  }
}

function zero(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'decimal':
      return new BigDecimal(0n, 0);
    case 'date':
      return new Date(0);
    case 'array':
      return [];
    case 'map':
      return new Map();
    case 'other':
      throw new DataException(`Cannot mask value of type: class ${javaClassName(value)}`);
    default:
      return typeof value === 'bigint' ? 0n : 0;
  }
}
