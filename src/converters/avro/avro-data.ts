/**
 * Connect schemas ⇄ Avro schemas, as Confluent's `AvroData` maps them (values: avro-values.ts).
 *
 * Connect → Avro:
 *  - int8/int16 → `int` with `connect.type`; int32 `int`, int64 `long`, float32 `float`, float64 `double`.
 *  - optional → union `["null", T]` (field default null); optional with a default → `[T, "null"]`.
 *  - struct → record named after the schema (namespace split on the last dot), unnamed ones
 *    `io.confluent.connect.avro.ConnectDefault`, `ConnectDefault2`, ...; the same struct used twice is
 *    written once and then referred to by name.
 *  - map with string keys → Avro map; other keys → array of `io.confluent.connect.avro.MapEntry`
 *    records `{key, value}`.
 *  - Decimal → `bytes` with `scale`, `precision` (`connect.decimal.precision` or 64) and `logicalType`
 *    decimal; Date → `int` date, Time → `int` time-millis, Timestamp → `long` timestamp-millis.
 *  - with `connect.meta.data` (default): `connect.doc`, `connect.version`, `connect.parameters`,
 *    `connect.default`, `connect.name` on the type, so Debezium's semantic types (io.debezium.time.*,
 *    io.debezium.data.*) survive the round trip as names on primitives.
 * Avro → Connect reverses all of this; a schema without `connect.*` properties maps by its Avro types.
 */
import { Decimal, ConnectDate, ConnectTime, ConnectTimestamp, BigDecimal } from '../../connect/data/logical.js';
import { type Schema, SchemaBuilder, schemaEquals } from '../../connect/data/schema.js';
import { Struct } from '../../connect/data/struct.js';
import { DataException } from '../../connect/errors.js';
import {
  type AvroField,
  type AvroNode,
  type AvroPrimitive,
  type AvroProps,
  NULL_NODE,
  addProp,
  branchName,
  fullNameOf,
  propOf,
  splitName,
} from './avro-schema.js';

export const NAMESPACE = 'io.confluent.connect.avro';
export const DEFAULT_SCHEMA_NAME = 'ConnectDefault';
export const DEFAULT_SCHEMA_FULL_NAME = `${NAMESPACE}.${DEFAULT_SCHEMA_NAME}`;
export const MAP_ENTRY_TYPE_NAME = 'MapEntry';
export const AVRO_TYPE_UNION = `${NAMESPACE}.Union`;
export const AVRO_TYPE_ENUM = `${NAMESPACE}.Enum`;
export const CONNECT_NAME_PROP = 'connect.name';
export const CONNECT_DOC_PROP = 'connect.doc';
export const CONNECT_VERSION_PROP = 'connect.version';
export const CONNECT_DEFAULT_VALUE_PROP = 'connect.default';
export const CONNECT_PARAMETERS_PROP = 'connect.parameters';
export const CONNECT_TYPE_PROP = 'connect.type';
export const CONNECT_INTERNAL_TYPE_NAME = 'connect.internal.type';
export const CONNECT_AVRO_DECIMAL_PRECISION_PROP = 'connect.decimal.precision';
export const AVRO_FIELD_DEFAULT_FLAG_PROP = `${NAMESPACE}.field.default`;
export const CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT = 64;

export interface AvroDataConfig {
  /** `connect.meta.data` (default true). */
  connectMetaData: boolean;
  /** `enhanced.avro.schema.support` (default false): Connect enums (`io.confluent.connect.avro.Enum`) as Avro enums. */
  enhancedSchemaSupport: boolean;
}

export const DEFAULT_AVRO_DATA_CONFIG: AvroDataConfig = { connectMetaData: true, enhancedSchemaSupport: false };

interface FromContext {
  nameIndex: number;
  /** Non-optional Connect schemas already converted (compared structurally, like Java's `equals`). */
  seen: [Schema, AvroNode][];
}

function isUnionSchema(schema: Schema): boolean {
  return schema.type === 'struct' && schema.name === AVRO_TYPE_UNION;
}

/** Maps Connect schemas to Avro schema trees and back; results are cached per schema object. */
export class AvroData {
  private readonly fromCache = new WeakMap<Schema, AvroNode>();

  constructor(readonly config: AvroDataConfig = DEFAULT_AVRO_DATA_CONFIG) {}

  fromConnectSchema(schema: Schema): AvroNode {
    let node = this.fromCache.get(schema);
    if (node === undefined) {
      node = this.fromConnect(schema, { nameIndex: 0, seen: [] }, false);
      this.fromCache.set(schema, node);
    }
    return node;
  }

  private fromConnect(schema: Schema, ctx: FromContext, ignoreOptional: boolean): AvroNode {
    if (!schema.optional && !isUnionSchema(schema)) {
      for (const [s, n] of ctx.seen) if (schemaEquals(s, schema)) return n;
    }
    let connectType: string | null = null;
    let base: AvroNode;
    const params = schema.parameters;
    switch (schema.type) {
      case 'int8':
      case 'int16':
        connectType = schema.type;
        base = primitive('int');
        break;
      case 'int32':
        base = primitive('int');
        break;
      case 'int64':
        base = primitive('long');
        break;
      case 'float32':
        base = primitive('float');
        break;
      case 'float64':
        base = primitive('double');
        break;
      case 'boolean':
        base = primitive('boolean');
        break;
      case 'string':
        if (this.config.enhancedSchemaSupport && params?.[AVRO_TYPE_ENUM] !== undefined) {
          const [namespace, name] = splitName(params[AVRO_TYPE_ENUM]);
          const symbols = Object.keys(params).filter((k) => k.startsWith(AVRO_TYPE_ENUM + '.')).map((k) => k.slice(AVRO_TYPE_ENUM.length + 1));
          base = { kind: 'enum', name, namespace, doc: null, symbols, default: null, props: [] };
        } else {
          base = primitive('string');
        }
        break;
      case 'bytes':
        base = primitive('bytes');
        if (schema.name === Decimal.LOGICAL_NAME) {
          base.props.push(['scale', Number(params?.[Decimal.SCALE_FIELD] ?? 0)]);
          base.props.push(['precision', Number(params?.[CONNECT_AVRO_DECIMAL_PRECISION_PROP] ?? CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT)]);
        }
        break;
      case 'array':
        base = { kind: 'array', items: this.fromConnect(schema.valueSchema!, ctx, false), props: [] };
        break;
      case 'map':
        if (schema.keySchema!.type === 'string' && !schema.keySchema!.optional) {
          base = { kind: 'map', values: this.fromConnect(schema.valueSchema!, ctx, false), props: [] };
        } else {
          const [namespace, name] = schema.name ? splitName(schema.name) : [NAMESPACE, MAP_ENTRY_TYPE_NAME];
          const entry: AvroNode = { kind: 'record', name, namespace, doc: null, fields: [], props: [] };
          if (schema.name) entry.props.push([CONNECT_INTERNAL_TYPE_NAME, MAP_ENTRY_TYPE_NAME]);
          entry.fields.push(this.field('key', schema.keySchema!, ctx), this.field('value', schema.valueSchema!, ctx));
          base = { kind: 'array', items: entry, props: [] };
        }
        break;
      case 'struct':
        if (isUnionSchema(schema)) {
          const types: AvroNode[] = schema.optional ? [NULL_NODE] : [];
          for (const f of schema.fields) types.push(this.fromConnect(nonOptional(f.schema), ctx, true));
          base = { kind: 'union', types };
        } else if (schema.optional) {
          base = { kind: 'union', types: [NULL_NODE, this.fromConnect(nonOptional(schema), ctx, false)] };
        } else {
          let namespace: string | null;
          let name: string;
          if (schema.name) [namespace, name] = splitName(schema.name);
          else {
            ctx.nameIndex++;
            [namespace, name] = [NAMESPACE, DEFAULT_SCHEMA_NAME + (ctx.nameIndex > 1 ? ctx.nameIndex : '')];
          }
          const record: AvroNode = { kind: 'record', name, namespace, doc: null, fields: [], props: [] };
          base = record;
          ctx.seen.push([schema, record]); // before the fields, so a nested use refers to it
          for (const f of schema.fields) record.fields.push(this.field(f.name, f.schema, ctx));
        }
        break;
      default:
        throw new DataException('Unknown schema type: ' + String(schema.type));
    }
    if (base.kind === 'union') {
      if (!schema.optional) ctx.seen.push([schema, base]);
      return base;
    }
    const props = base.props;
    if (this.config.connectMetaData) {
      if (schema.doc !== null) addProp(props, CONNECT_DOC_PROP, schema.doc);
      if (schema.version !== null) addProp(props, CONNECT_VERSION_PROP, schema.version);
      // The field-default flag (set when reading an Avro field default) is dropped, and such a default is
      // left to the field, so a schema read from Avro is written back as it was (as Confluent does).
      const { [AVRO_FIELD_DEFAULT_FLAG_PROP]: fieldDefaultFlag, ...kept } = params ?? {};
      if (Object.keys(kept).length > 0) addProp(props, CONNECT_PARAMETERS_PROP, kept);
      if (schema.defaultValue !== undefined && schema.defaultValue !== null && fieldDefaultFlag === undefined) {
        addProp(props, CONNECT_DEFAULT_VALUE_PROP, this.defaultJson(schema, schema.defaultValue));
      }
      if (schema.name !== null) addProp(props, CONNECT_NAME_PROP, schema.name);
      if (connectType !== null) addProp(props, CONNECT_TYPE_PROP, connectType);
    }
    const logical = logicalTypeOf(schema);
    if (logical !== null) addProp(props, 'logicalType', logical);
    if (params) for (const [k, v] of Object.entries(params)) if (k.startsWith('avro')) addProp(props, k, v);

    const result = !ignoreOptional && schema.optional ? optionalUnion(schema, base) : base;
    if (!schema.optional && !ctx.seen.some(([, n]) => n === base)) ctx.seen.push([schema, result]);
    return result;
  }

  private field(name: string, schema: Schema, ctx: FromContext): AvroField {
    const field: AvroField = { name, type: this.fromConnect(schema, ctx, false), doc: null };
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) field.default = this.defaultJson(schema, schema.defaultValue);
    else if (schema.optional) field.default = null;
    return field;
  }

  /** A Connect default value as Avro's JSON default (bytes as ISO-8859-1 text, logical types as their base). */
  defaultJson(schema: Schema, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
        if (value instanceof Date) return schema.name === ConnectDate.LOGICAL_NAME ? ConnectDate.fromLogical(schema, value) : ConnectTime.fromLogical(schema, value);
        return value;
      case 'int64':
        if (value instanceof Date) return ConnectTimestamp.fromLogical(schema, value);
        return value;
      case 'float32':
      case 'float64':
      case 'boolean':
      case 'string':
        return value;
      case 'bytes': {
        const bytes = value instanceof BigDecimal ? Decimal.fromLogical(schema, value) : (value as Uint8Array);
        return Buffer.from(bytes).toString('latin1');
      }
      case 'array':
        return (value as unknown[]).map((v) => this.defaultJson(schema.valueSchema!, v));
      case 'map': {
        const m = value as Map<unknown, unknown>;
        if (schema.keySchema!.type === 'string' && !schema.keySchema!.optional) {
          const out: Record<string, unknown> = {};
          for (const [k, v] of m) out[String(k)] = this.defaultJson(schema.valueSchema!, v);
          return out;
        }
        return [...m].map(([k, v]) => [this.defaultJson(schema.keySchema!, k), this.defaultJson(schema.valueSchema!, v)]);
      }
      case 'struct': {
        const s = value as Struct;
        const out: Record<string, unknown> = {};
        for (const f of schema.fields) {
          const d = this.defaultJson(f.schema, s.get(f));
          if (isUnionSchema(schema)) return d;
          out[f.name] = d;
        }
        return out;
      }
    }
  }

  /**
   * The Connect schema of an Avro schema. `version` (the registry's version of the writer schema) is used at
   * the top level when the schema carries no `connect.version`.
   */
  toConnectSchema(node: AvroNode, version?: number): Schema {
    return this.toConnect(node, false, undefined, version, new Set());
  }

  private toConnect(node: AvroNode, forceOptional: boolean, fieldDefault: unknown, version: number | undefined, path: Set<AvroNode>): Schema {
    if (path.has(node)) throw new DataException('Recursive Avro schemas are not supported by this converter');
    const connectType = propOf(node, CONNECT_TYPE_PROP);
    const logicalType = propOf(node, 'logicalType');
    let b: SchemaBuilder;
    switch (node.kind) {
      case 'primitive':
        switch (node.type) {
          case 'boolean': b = SchemaBuilder.bool(); break;
          case 'float': b = SchemaBuilder.float32(); break;
          case 'double': b = SchemaBuilder.float64(); break;
          case 'string': b = SchemaBuilder.string(); break;
          case 'long': b = logicalType === 'timestamp-millis' ? ConnectTimestamp.builder() : SchemaBuilder.int64(); break;
          case 'int':
            if (logicalType === 'date') b = ConnectDate.builder();
            else if (logicalType === 'time-millis') b = ConnectTime.builder();
            else if (logicalType === undefined && (connectType === 'int8' || connectType === 'int16')) b = SchemaBuilder.type(connectType);
            else if (logicalType === undefined && connectType !== undefined) throw new DataException('Connect type annotation for Avro int field is null');
            else b = SchemaBuilder.int32();
            break;
          case 'bytes':
            b = logicalType === 'decimal' ? decimalBuilder(node) : SchemaBuilder.bytes();
            break;
          case 'null':
            throw new DataException('Standalone null schemas are not supported by this converter');
        }
        break;
      case 'fixed':
        b = logicalType === 'decimal' ? decimalBuilder(node) : SchemaBuilder.bytes();
        b.parameter('connect.fixed.size', String(node.size));
        break;
      case 'enum':
        b = SchemaBuilder.string().parameter(AVRO_TYPE_ENUM, fullNameOf(node.name, node.namespace));
        for (const s of node.symbols) b.parameter(`${AVRO_TYPE_ENUM}.${s}`, s);
        break;
      case 'array': {
        const items = node.items;
        if (isMapEntry(items)) {
          const key = items.fields.find((f) => f.name === 'key');
          const value = items.fields.find((f) => f.name === 'value');
          if (items.fields.length !== 2 || !key || !value) {
            throw new DataException('Found map encoded as array of key-value pairs, but array elements do not match the expected format.');
          }
          b = SchemaBuilder.map(this.toConnect(key.type, false, undefined, undefined, path), this.toConnect(value.type, false, undefined, undefined, path));
        } else {
          b = SchemaBuilder.array(this.toConnect(items, false, undefined, undefined, path));
        }
        break;
      }
      case 'map':
        b = SchemaBuilder.map(SchemaBuilder.string().build(), this.toConnect(node.values, false, undefined, undefined, path));
        break;
      case 'record': {
        b = SchemaBuilder.struct();
        path.add(node);
        for (const f of node.fields) b.field(f.name, this.toConnect(f.type, false, f.default, undefined, path));
        path.delete(node);
        break;
      }
      case 'union': {
        const types = node.types;
        if (types.length === 1) return this.toConnect(types[0]!, false, undefined, undefined, path);
        if (types.length === 2) {
          const other = types[0]!.kind === 'primitive' && types[0]!.type === 'null' ? types[1]! : types[1]!.kind === 'primitive' && types[1]!.type === 'null' ? types[0]! : null;
          if (other !== null) return this.toConnect(other, true, undefined, undefined, path);
        }
        b = SchemaBuilder.struct().name(AVRO_TYPE_UNION);
        const names = new Set<string>();
        for (const t of types) {
          if (t.kind === 'primitive' && t.type === 'null') {
            b.optional();
            continue;
          }
          const fieldName = unionMemberFieldName(t);
          if (names.has(fieldName)) throw new DataException('Multiple union schemas map to the Connect union field name');
          names.add(fieldName);
          b.field(fieldName, this.toConnect(t, true, undefined, undefined, path));
        }
        if (forceOptional) b.optional();
        return b.build();
      }
    }
    return this.finish(b, node, forceOptional, fieldDefault, version);
  }

  /** The metadata common to all non-union types: doc, version, parameters, default, name, optional. */
  private finish(b: SchemaBuilder, node: Exclude<AvroNode, { kind: 'union' }>, forceOptional: boolean, fieldDefault: unknown, version: number | undefined): Schema {
    const meta = this.config.connectMetaData;
    const doc = propOf(node, CONNECT_DOC_PROP);
    if (meta && typeof doc === 'string') b.doc(doc);
    const connectVersion = propOf(node, CONNECT_VERSION_PROP);
    if (connectVersion !== undefined) {
      if (typeof connectVersion !== 'number') throw new DataException('Invalid Connect version found: ' + String(connectVersion));
      b.version(connectVersion);
    } else if (version !== undefined) {
      b.version(version);
    }
    const params = propOf(node, CONNECT_PARAMETERS_PROP);
    if (meta && params !== undefined) {
      if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new DataException('Expected JSON object for schema parameters but found: ' + JSON.stringify(params));
      for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new DataException('Expected schema parameter values to be strings but found: ' + JSON.stringify(v));
        b.parameter(k, v);
      }
    }
    for (const [k, v] of node.props) if (k.startsWith('avro')) b.parameter(k, typeof v === 'string' ? v : JSON.stringify(v));

    const connectDefault = propOf(node, CONNECT_DEFAULT_VALUE_PROP);
    let defaultJson = fieldDefault;
    if (defaultJson === undefined) defaultJson = connectDefault;
    else if (meta && connectDefault === undefined) b.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, 'true');

    const connectName = propOf(node, CONNECT_NAME_PROP);
    let name: string | null = null;
    if (connectName !== undefined) {
      if (typeof connectName !== 'string') throw new DataException('Invalid schema name: ' + JSON.stringify(connectName));
      name = connectName;
    } else if (node.kind === 'record' || node.kind === 'enum' || (node.kind === 'fixed' && propOf(node, 'logicalType') !== 'decimal')) {
      name = fullNameOf(node.name, node.namespace);
    }
    if (name !== null && !name.startsWith(DEFAULT_SCHEMA_FULL_NAME)) {
      const built = b.build();
      if (built.name !== null && built.name !== name) {
        throw new DataException(`Mismatched names: name already added to SchemaBuilder (${built.name}) differs from name in source schema (${name})`);
      }
      if (built.name === null) b.name(name);
    }
    if (defaultJson !== undefined && defaultJson !== null) {
      try {
        const shape = b.build();
        b.defaultValue(this.defaultFromJson(shape, node, defaultJson));
      } catch {
        // Confluent logs and ignores a default it cannot convert.
      }
    }
    if (forceOptional) b.optional();
    return b.build();
  }

  /** Avro's JSON default → a Connect value for `schema` (the inverse of `defaultJson`). */
  defaultFromJson(schema: Schema, node: AvroNode, json: unknown): unknown {
    if (json === null) return null;
    if (node.kind === 'union') return this.defaultFromJson(schema, node.types[0]!, json);
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
        if (schema.name === ConnectDate.LOGICAL_NAME) return ConnectDate.toLogical(schema, Number(json));
        if (schema.name === ConnectTime.LOGICAL_NAME) return ConnectTime.toLogical(schema, Number(json));
        return Number(json);
      case 'int64':
        if (schema.name === ConnectTimestamp.LOGICAL_NAME) return ConnectTimestamp.toLogical(schema, Number(json));
        return typeof json === 'number' ? json : Number(json);
      case 'float32':
      case 'float64':
        return Number(json);
      case 'boolean':
        return Boolean(json);
      case 'string':
        return String(json);
      case 'bytes': {
        const bytes = Buffer.from(String(json), 'latin1');
        return schema.name === Decimal.LOGICAL_NAME ? Decimal.toLogical(schema, bytes) : bytes;
      }
      case 'array': {
        const items = (node as { items: AvroNode }).items;
        return (json as unknown[]).map((v) => this.defaultFromJson(schema.valueSchema!, items, v));
      }
      case 'map': {
        const m = new Map<unknown, unknown>();
        if (node.kind === 'map') {
          for (const [k, v] of Object.entries(json as Record<string, unknown>)) m.set(k, this.defaultFromJson(schema.valueSchema!, node.values, v));
        } else {
          const entry = (node as { items: AvroNode }).items as Extract<AvroNode, { kind: 'record' }>;
          for (const e of json as unknown[]) {
            const [k, v] = Array.isArray(e) ? e : [(e as Record<string, unknown>).key, (e as Record<string, unknown>).value];
            m.set(this.defaultFromJson(schema.keySchema!, entry.fields[0]!.type, k), this.defaultFromJson(schema.valueSchema!, entry.fields[1]!.type, v));
          }
        }
        return m;
      }
      case 'struct': {
        const record = node as Extract<AvroNode, { kind: 'record' }>;
        const s = new Struct(schema);
        const obj = json as Record<string, unknown>;
        for (const f of schema.fields) {
          const af = record.fields.find((x) => x.name === f.name);
          const v = obj[f.name] ?? af?.default;
          if (v !== undefined) s.put(f, this.defaultFromJson(f.schema, af!.type, v));
        }
        return s;
      }
    }
  }
}

function primitive(type: AvroPrimitive): Extract<AvroNode, { kind: 'primitive' }> {
  return { kind: 'primitive', type, props: [] as AvroProps };
}

function nonOptional(schema: Schema): Schema {
  if (!schema.optional) return schema;
  const b = SchemaBuilder.copyBasics(schema);
  if (schema.type === 'struct') for (const f of schema.fields) b.field(f.name, f.schema);
  if (schema.defaultValue !== undefined) b.defaultValue(schema.defaultValue);
  return b.build();
}

/** `["null", T]`, or `[T, "null"]` when the optional schema has a default (the default must match the first branch). */
function optionalUnion(schema: Schema, base: AvroNode): AvroNode {
  const withDefault = schema.defaultValue !== undefined && schema.defaultValue !== null;
  return { kind: 'union', types: withDefault ? [base, NULL_NODE] : [NULL_NODE, base] };
}

function logicalTypeOf(schema: Schema): string | null {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return 'decimal';
    case ConnectDate.LOGICAL_NAME:
      return 'date';
    case ConnectTime.LOGICAL_NAME:
      return 'time-millis';
    case ConnectTimestamp.LOGICAL_NAME:
      return 'timestamp-millis';
    default:
      return null;
  }
}

function decimalBuilder(node: AvroNode): SchemaBuilder {
  const scaleProp = propOf(node, 'scale');
  const b = Decimal.builder(typeof scaleProp === 'number' ? scaleProp : 0);
  const precision = propOf(node, 'precision');
  if (precision !== undefined) {
    if (typeof precision !== 'number') throw new DataException('precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal');
    if (precision !== CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT) b.parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP, String(precision));
  }
  return b;
}

export function isMapEntry(node: AvroNode): node is Extract<AvroNode, { kind: 'record' }> {
  if (node.kind !== 'record') return false;
  return (node.namespace === NAMESPACE && node.name === MAP_ENTRY_TYPE_NAME) || propOf(node, CONNECT_INTERNAL_TYPE_NAME) === MAP_ENTRY_TYPE_NAME;
}

/** The Connect field name of a union member (Confluent: the simple name of named types, else the type name). */
export function unionMemberFieldName(node: AvroNode): string {
  if (node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed') return node.name;
  return branchName(node);
}
