/**
 * Connect value/schema ⇒ JSON text, byte for byte as Kafka's JsonConverter (Jackson) writes it, built as a
 * string directly (no object tree, no JSON.stringify of a tree). The schema JSON is computed once per Schema
 * object; struct member prefixes (`,"name":`) once per struct schema.
 */
import {
  BigDecimal,
  ConnectDate,
  ConnectTime,
  ConnectTimestamp,
  Decimal,
  Struct,
  type Schema,
  type SchemaType,
} from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { toBase64 } from './bytes.js';
import { javaBigDecimalString, javaClassOf, javaDoubleString, javaFloatString } from './java-format.js';

const TYPE_NAMES: Record<SchemaType, string> = {
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  boolean: 'boolean',
  string: 'string',
  bytes: 'bytes',
  array: 'array',
  map: 'map',
  struct: 'struct',
};

const UNICODE_ESCAPE = /\\(?:\\|u([0-9a-f]{4}))/g;

/**
 * A JSON string literal as Jackson writes it: `"` `\` and control characters escaped (`\n`, `\t`, ... or
 * `\u001F` with upper-case hex), everything else as is.
 */
export function quoteJson(s: string): string {
  // Fast path (most strings): nothing to escape, so no JSON.stringify. Quotes, backslashes, control
  // characters and surrogates (lone ones are escaped by JSON.stringify) take the general path.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return escapedJson(s);
  }
  return '"' + s + '"';
}

function escapedJson(s: string): string {
  const q = JSON.stringify(s);
  if (q.indexOf('\\u') < 0) return q;
  return q.replace(UNICODE_ESCAPE, (all, hex: string | undefined) => (hex ? '\\u' + hex.toUpperCase() : all));
}

function integerText(n: number): string {
  if (n >= 1e9 || n <= -1e9) {
    // Timestamps (ms, µs) and LSNs are beyond V8's small integers, where String(n) takes its slow
    // double-to-text path (~3x slower); two small halves print fast. Exact up to 2^53.
    if (n < 9007199254740992 && n > -9007199254740992) {
      const abs = n < 0 ? -n : n;
      const hi = Math.floor(abs / 1e9);
      const lo = String(abs - hi * 1e9);
      return (n < 0 ? '-' : '') + String(hi) + '000000000'.slice(lo.length) + lo;
    }
    return n < 1e21 && n > -1e21 ? String(n) : BigInt(n).toString();
  }
  return String(n);
}

/** Jackson writes non-finite numbers as strings (QUOTE_NON_NUMERIC_NUMBERS). */
function doubleText(n: number): string {
  return Number.isFinite(n) ? javaDoubleString(n) : '"' + javaDoubleString(n) + '"';
}

function floatText(n: number): string {
  return Number.isFinite(n) ? javaFloatString(n) : '"' + javaDoubleString(n) + '"';
}

/** `"a":`, `,"b":`, ... for each field of a struct schema (shared by all writers). */
const memberPrefixes = new WeakMap<Schema, string[]>();

function prefixesOf(schema: Schema): string[] {
  let p = memberPrefixes.get(schema);
  if (!p) {
    p = schema.fields.map((f, i) => (i === 0 ? '' : ',') + quoteJson(f.name) + ':');
    memberPrefixes.set(schema, p);
  }
  return p;
}

function invalidType(schema: Schema, value: unknown): DataException {
  return new DataException(`Invalid type for ${schema.type.toUpperCase()}: ${javaClassOf(value)}`);
}

export class JsonWriter {
  private readonly schemaTexts = new WeakMap<Schema, string>();

  constructor(
    private readonly decimalNumeric: boolean,
    private readonly replaceNullWithDefault: boolean,
  ) {}

  /**
   * The schema as JSON: `type`, then `items` | `keys`,`values` | `fields`, then `optional`, `name`,
   * `version`, `doc`, `parameters`, `default`; struct fields carry a trailing `"field"`.
   */
  schemaJson(schema: Schema): string {
    let text = this.schemaTexts.get(schema);
    if (text === undefined) {
      text = this.buildSchemaJson(schema);
      this.schemaTexts.set(schema, text);
    }
    return text;
  }

  private buildSchemaJson(schema: Schema): string {
    let s = '{"type":"' + TYPE_NAMES[schema.type] + '"';
    switch (schema.type) {
      case 'array':
        s += ',"items":' + this.optionalSchemaJson(schema.valueSchema);
        break;
      case 'map':
        s += ',"keys":' + this.optionalSchemaJson(schema.keySchema) + ',"values":' + this.optionalSchemaJson(schema.valueSchema);
        break;
      case 'struct':
        s += ',"fields":[';
        for (const field of schema.fields) {
          const inner = this.schemaJson(field.schema);
          s += (field.index > 0 ? ',' : '') + inner.slice(0, -1) + ',"field":' + quoteJson(field.name) + '}';
        }
        s += ']';
        break;
      default:
    }
    s += schema.optional ? ',"optional":true' : ',"optional":false';
    if (schema.name !== null) s += ',"name":' + quoteJson(schema.name);
    if (schema.version !== null) s += ',"version":' + schema.version;
    if (schema.doc !== null) s += ',"doc":' + quoteJson(schema.doc);
    if (schema.parameters !== null) {
      s += ',"parameters":{';
      let first = true;
      for (const [k, v] of Object.entries(schema.parameters)) {
        s += (first ? '' : ',') + quoteJson(k) + ':' + quoteJson(v);
        first = false;
      }
      s += '}';
    }
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) s += ',"default":' + this.valueJson(schema, schema.defaultValue);
    return s + '}';
  }

  private optionalSchemaJson(schema: Schema | null): string {
    return schema ? this.schemaJson(schema) : 'null';
  }

  /** The payload JSON of `value` under `schema` (null = infer from the value). */
  valueJson(schema: Schema | null, value: unknown): string {
    if (value === null || value === undefined) {
      if (schema === null) return 'null';
      if (this.replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null) {
        return this.valueJson(schema, schema.defaultValue);
      }
      if (schema.optional) return 'null';
      throw new DataException('Conversion error: null value for field that is required and has no default value');
    }
    if (schema === null) return this.schemalessJson(value);
    if (schema.name !== null) {
      const logical = this.logicalJson(schema, value);
      if (logical !== undefined) return logical;
    }
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
        if (typeof value === 'number' && Number.isInteger(value)) return String(value);
        break;
      case 'int64':
        if (typeof value === 'number' && Number.isInteger(value)) return integerText(value);
        if (typeof value === 'bigint') return value.toString();
        break;
      case 'float32':
        if (typeof value === 'number') return floatText(value);
        break;
      case 'float64':
        if (typeof value === 'number') return doubleText(value);
        break;
      case 'boolean':
        if (typeof value === 'boolean') return value ? 'true' : 'false';
        break;
      case 'string':
        if (typeof value === 'string') return quoteJson(value);
        break;
      case 'bytes':
        if (value instanceof Uint8Array) return '"' + toBase64(value) + '"';
        throw new DataException(`Invalid type for bytes type: ${javaClassOf(value)}`);
      case 'array':
        if (Array.isArray(value)) return this.arrayJson(schema.valueSchema, value);
        break;
      case 'map':
        if (value instanceof Map) return this.mapJson(schema, value);
        if (isPlainObject(value)) return this.mapJson(schema, new Map(Object.entries(value)));
        break;
      case 'struct':
        if (value instanceof Struct) return this.structJson(schema, value);
        break;
    }
    throw invalidType(schema, value);
  }

  private logicalJson(schema: Schema, value: unknown): string | undefined {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        if (!(value instanceof BigDecimal)) throw new DataException(`Invalid type for Decimal, expected BigDecimal but was ${javaClassOf(value)}`);
        return this.decimalNumeric ? javaBigDecimalString(value) : '"' + toBase64(Decimal.fromLogical(schema, value)) + '"';
      case ConnectDate.LOGICAL_NAME:
        if (!(value instanceof Date)) throw new DataException(`Invalid type for Date, expected Date but was ${javaClassOf(value)}`);
        return integerText(ConnectDate.fromLogical(schema, value));
      case ConnectTime.LOGICAL_NAME:
        if (!(value instanceof Date)) throw new DataException(`Invalid type for Time, expected Date but was ${javaClassOf(value)}`);
        return String(ConnectTime.fromLogical(schema, value));
      case ConnectTimestamp.LOGICAL_NAME:
        if (!(value instanceof Date)) throw new DataException(`Invalid type for Timestamp, expected Date but was ${javaClassOf(value)}`);
        return integerText(ConnectTimestamp.fromLogical(schema, value));
      default:
        return undefined;
    }
  }

  private arrayJson(elementSchema: Schema | null, value: readonly unknown[]): string {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      s += this.valueJson(elementSchema, value[i]);
    }
    return s + ']';
  }

  private mapJson(schema: Schema | null, map: Map<unknown, unknown>): string {
    const keySchema = schema?.keySchema ?? null;
    const valueSchema = schema?.valueSchema ?? null;
    let objectMode: boolean;
    if (keySchema) {
      objectMode = keySchema.type === 'string';
    } else {
      objectMode = true;
      for (const k of map.keys()) {
        if (typeof k !== 'string') {
          objectMode = false;
          break;
        }
      }
    }
    let s = objectMode ? '{' : '[';
    let first = true;
    for (const [k, v] of map) {
      if (!first) s += ',';
      first = false;
      if (objectMode) {
        const keyText = typeof k === 'string' ? k : keySchema ? this.keyAsText(keySchema, k) : String(k);
        s += quoteJson(keyText) + ':' + this.valueJson(valueSchema, v);
      } else {
        s += '[' + this.valueJson(keySchema, k) + ',' + this.valueJson(valueSchema, v) + ']';
      }
    }
    return s + (objectMode ? '}' : ']');
  }

  /** Jackson's `asText()` of a converted non-string key in object mode (e.g. a null key prints `null`). */
  private keyAsText(keySchema: Schema, key: unknown): string {
    const json = this.valueJson(keySchema, key);
    return json.startsWith('"') ? (JSON.parse(json) as string) : json;
  }

  private structJson(schema: Schema, struct: Struct): string {
    if (struct.schema !== schema && !struct.schema.equals(schema)) throw new DataException('Mismatching schema.');
    const fields = schema.fields;
    const prefixes = prefixesOf(schema);
    let s = '{';
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      s += prefixes[i] + this.valueJson(field.schema, struct.valueAt(field.index));
    }
    return s + '}';
  }

  /** No schema: the JSON type follows the value (`ConnectSchema.schemaType(value.getClass())`). */
  private schemalessJson(value: unknown): string {
    switch (typeof value) {
      case 'number':
        return Number.isInteger(value) ? integerText(value) : doubleText(value);
      case 'bigint':
        return value.toString();
      case 'boolean':
        return value ? 'true' : 'false';
      case 'string':
        return quoteJson(value);
    }
    if (value instanceof Uint8Array) return '"' + toBase64(value) + '"';
    if (Array.isArray(value)) return this.arrayJson(null, value);
    if (value instanceof Map) return this.mapJson(null, value);
    if (value instanceof Struct) throw new DataException('Mismatching schema.');
    if (isPlainObject(value)) return this.mapJson(null, new Map(Object.entries(value)));
    throw new DataException(`Java class ${javaClassOf(value)} does not have corresponding schema type.`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
