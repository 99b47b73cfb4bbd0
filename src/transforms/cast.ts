/**
 * `org.apache.kafka.connect.transforms.Cast$Key/$Value`: casts top-level fields (`field:type,...`) or the whole
 * key/value (a single `type`) to int8..int64, float32, float64, boolean or string, with Java's conversion
 * rules: numbers narrow like Java casts, booleans become 1/0, strings are parsed (a bad number is a
 * DataException), bytes become base64 strings, Date/Time/Timestamp become Connect's ISO text.
 */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { type Schema, SchemaBuilder, type SchemaType, validateValue } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { BigDecimal, ConnectDate, ConnectTime, ConnectTimestamp } from '../connect/data/logical.js';
import { ConfigException, DataException } from '../connect/errors.js';
import { toBase64 } from '../converters/bytes.js';
import { formatConnectDate, javaBigDecimalString, javaDoubleString, javaFloatString } from '../converters/java-format.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { javaClassName, requireMap, requireStruct } from './util/requirements.js';
import { javaSplit } from './util/java-split.js';

const PURPOSE = 'cast types';
const WHOLE_VALUE = '';
const OUTPUT_TYPES: SchemaType[] = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'];
const INPUT_TYPES: SchemaType[] = [...OUTPUT_TYPES, 'bytes'];
const javaList = (types: SchemaType[]) => `[${types.map((t) => t.toUpperCase()).join(', ')}]`;

function parseType(text: string): SchemaType {
  const t = text.trim().toLowerCase();
  const known: SchemaType[] = [...INPUT_TYPES, 'array', 'map', 'struct'];
  if (!known.includes(t as SchemaType)) throw new ConfigException(`Invalid type found in casting spec: ${text.trim()}`);
  if (!OUTPUT_TYPES.includes(t as SchemaType)) {
    throw new ConfigException(`Cast transformation does not support casting to ${t.toUpperCase()}; supported types are ${javaList(OUTPUT_TYPES)}`);
  }
  return t as SchemaType;
}

function parseFieldTypes(mappings: string[]): Map<string, SchemaType> {
  const m = new Map<string, SchemaType>();
  let whole = false;
  for (const mapping of mappings) {
    const parts = javaSplit(mapping, ':');
    if (parts.length > 2) throw new ConfigException('renames', mappings, `Invalid rename mapping: ${mapping}`);
    if (parts.length <= 1) {
      m.set(WHOLE_VALUE, parseType(parts[0] ?? ''));
      whole = true;
    } else {
      m.set(parts[0]!.trim(), parseType(parts[1]!));
    }
  }
  if (whole && mappings.length > 1) {
    throw new ConfigException('Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
  }
  return m;
}

export const CAST_CONFIG_DEF = new ConfigDef()
  .define({
    name: 'spec',
    type: 'LIST',
    validator: {
      ensureValid(_name, value) {
        const list = value as string[] | null;
        if (!list || list.length === 0) throw new ConfigException('Must specify at least one field to cast.');
        parseFieldTypes(list);
      },
      toString: () => 'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>',
    },
    importance: 'HIGH',
    documentation:
      'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
  })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

/** What is constant per input schema. */
interface CastPlan {
  schema: Schema;
  targets: (SchemaType | undefined)[];
}

export class Cast extends KeyValueTransformation {
  private casts = new Map<string, SchemaType>();
  private wholeValue: SchemaType | undefined;
  private replaceNullWithDefault = true;
  private readonly plans = new LruCache<Schema, CastPlan>(16);

  configure(configs: Record<string, string>): void {
    const c = parseConfig(CAST_CONFIG_DEF, configs);
    this.casts = parseFieldTypes(c.getList('spec'));
    this.wholeValue = this.casts.get(WHOLE_VALUE);
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    this.plans.clear();
  }

  config(): ConfigDef {
    return CAST_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const value = this.valueOf(record);
    if (value === null) return record;
    const schema = this.schemaOf(record);
    if (schema === null) {
      if (this.wholeValue) return this.withNew(record, null, castValue(null, value, this.wholeValue));
      const map = requireMap(value, PURPOSE);
      const out = new Map(map);
      for (const [field, type] of this.casts) out.set(field, castValue(null, map.get(field) ?? null, type));
      return this.withNew(record, null, out);
    }
    const plan = this.plans.get(schema) ?? this.planFor(schema);
    const updated = plan.schema;
    if (this.wholeValue) return this.withNew(record, updated, castValue(schema, value, this.wholeValue));
    const struct = requireStruct(value, PURPOSE);
    const fields = struct.schema.fields;
    const values = new Array<unknown>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = this.replaceNullWithDefault ? struct.get(f) : struct.getWithoutDefault(f);
      const target = plan.targets[i];
      const out = target ? castValue(f.schema, v, target) : v;
      // A cast value has its target's type; only a null in a required field can fail Struct.put's check.
      if (out === null) validateValue(updated.fields[i]!.schema, out, f.name);
      values[i] = out;
    }
    return this.withNew(record, updated, Struct.fromValues(updated, values));
  }

  /** The updated schema of `schema` and, per field, the type it is cast to (undefined: kept as is). */
  private planFor(schema: Schema): CastPlan {
    const plan = { schema: this.buildSchema(schema), targets: schema.fields.map((f) => this.casts.get(f.name)) };
    this.plans.set(schema, plan);
    return plan;
  }

  private buildSchema(schema: Schema): Schema {
    let b: SchemaBuilder;
    if (this.wholeValue) {
      b = copyBasicsAs(schema, this.wholeValue);
    } else {
      b = SchemaBuilder.copyBasics(schema);
      for (const f of schema.fields) {
        const target = this.casts.get(f.name);
        if (!target) {
          b.field(f.name, f.schema);
          continue;
        }
        const fb = SchemaBuilder.type(target);
        if (f.schema.optional) fb.optional();
        if (f.schema.defaultValue !== undefined && f.schema.defaultValue !== null) fb.defaultValue(castValue(f.schema, f.schema.defaultValue, target));
        b.field(f.name, fb.build());
      }
    }
    if (schema.optional) b.optional();
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) b.defaultValue(castValue(schema, schema.defaultValue, b.type));
    return b.build();
  }
}

function copyBasicsAs(schema: Schema, type: SchemaType): SchemaBuilder {
  const b = SchemaBuilder.type(type).name(schema.name).version(schema.version).doc(schema.doc);
  if (schema.parameters) b.parameters(schema.parameters);
  return b;
}

function inferType(value: unknown): SchemaType | null {
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Struct) return 'struct';
  if (value instanceof Map) return 'map';
  if (Array.isArray(value)) return 'array';
  return null;
}

const BITS: Partial<Record<SchemaType, number>> = { int8: 8, int16: 16, int32: 32, int64: 64 };
const RANGES: Partial<Record<SchemaType, [bigint, bigint]>> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

function toNumberOut(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function castValue(schema: Schema | null, value: unknown, target: SchemaType): unknown {
  if (value === null || value === undefined) return null;
  const inferred = schema ? schema.type : inferType(value);
  if (inferred === null) {
    throw new DataException(`Cast transformation was passed a value of type class ${javaClassName(value)} which is not supported by Connect's data API`);
  }
  if (!INPUT_TYPES.includes(inferred)) {
    throw new DataException(`Cast transformation does not support casting from ${inferred.toUpperCase()}; supported types are ${javaList(INPUT_TYPES)}`);
  }
  let v = value;
  if (schema?.name && target !== 'string' && v instanceof Date) {
    if (schema.name === ConnectDate.LOGICAL_NAME) v = ConnectDate.fromLogical(schema, v);
    else if (schema.name === ConnectTime.LOGICAL_NAME) v = ConnectTime.fromLogical(schema, v);
    else if (schema.name === ConnectTimestamp.LOGICAL_NAME) v = ConnectTimestamp.fromLogical(schema, v);
  }
  const outOfRange = () => new DataException(`Value (${String(value)}) was out of range for requested data type`);
  const unexpected = () => new DataException(`Unexpected type in Cast transformation: class ${javaClassName(v)}`);
  switch (target) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      const bits = BITS[target]!;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string') {
        const t = v;
        if (!/^[+-]?\d+$/.test(t)) throw outOfRange();
        const n = BigInt(t);
        const [lo, hi] = RANGES[target]!;
        if (n < lo || n > hi) throw outOfRange();
        return toNumberOut(n);
      }
      const whole = integerPart(v);
      if (whole === null) throw unexpected();
      return toNumberOut(BigInt.asIntN(bits, whole));
    }
    case 'float32':
    case 'float64': {
      let n: number;
      if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'string') {
        const t = v.trim();
        if (!/^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/.test(t)) throw outOfRange();
        n = Number(t.replace(/[fFdD]$/, ''));
      } else if (typeof v === 'number') n = v;
      else if (typeof v === 'bigint') n = Number(v);
      else if (v instanceof BigDecimal) n = v.toNumber();
      else throw unexpected();
      return target === 'float32' ? Math.fround(n) : n;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') return v.toLowerCase() === 'true';
      {
        const whole = integerPart(v);
        if (whole === null) throw unexpected();
        return BigInt.asIntN(64, whole) !== 0n;
      }
    case 'string':
      if (v instanceof Date) return formatConnectDate(v);
      if (v instanceof Uint8Array) return toBase64(v);
      if (v instanceof BigDecimal) return javaBigDecimalString(v);
      if (typeof v === 'number') {
        if (schema?.type === 'float32') return javaFloatString(v);
        if (schema?.type === 'float64' || !Number.isInteger(v) || (schema === null && !Number.isSafeInteger(v))) return javaDoubleString(v);
        return String(v);
      }
      return String(v);
    default:
      throw new DataException(`${target.toUpperCase()} is not supported in the Cast transformation.`);
  }
}

/** Java's Number.longValue() as a bigint: floats truncate toward zero and saturate; NaN is 0. */
function integerPart(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 0n;
    if (Number.isInteger(v)) return BigInt(v);
    const t = Math.trunc(v);
    if (t >= 9.223372036854776e18) return 2n ** 63n - 1n;
    if (t <= -9.223372036854776e18) return -(2n ** 63n);
    return BigInt(t);
  }
  if (v instanceof BigDecimal) return v.scale > 0 ? v.unscaled / 10n ** BigInt(v.scale) : v.unscaled * 10n ** BigInt(-v.scale);
  return null;
}
