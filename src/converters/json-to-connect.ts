/**
 * JSON payload ⇒ Connect value, read directly from a JsonReader (no intermediate tree), following
 * JsonConverter.convertToConnect: Jackson's lenient accessors included (a JSON string in an int32 field
 * reads as 0, a number in a string field as null, as `JsonNode.intValue()` / `textValue()` do).
 *
 * Numbers stay exact: int64 is a `number` when safe and a `bigint` otherwise; schemaless integral numbers
 * are int64, fractional ones float64; NUMERIC decimals keep every digit and their scale.
 */
import {
  BigDecimal,
  ConnectDate,
  ConnectTime,
  ConnectTimestamp,
  Decimal,
  Struct,
  type Schema,
} from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import type { JsonReader, NodeType } from './json-reader.js';

const C_QUOTE = 34;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_t = 116;
const C_f = 102;
const C_n = 110;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A JSON number's raw text as a Java long (`longValue()`: truncation, then the low 64 bits). */
export function toInt64(raw: string, integral: boolean): number | bigint {
  if (integral) {
    if (raw.length < 16) {
      const n = Number(raw);
      return n === 0 ? 0 : n;
    }
    return narrowBigint(BigInt.asIntN(64, BigInt(raw)));
  }
  const t = Math.trunc(Number(raw));
  if (!Number.isFinite(t)) return 0;
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  return narrowBigint(BigInt.asIntN(64, BigInt(t)));
}

function narrowBigint(b: bigint): number | bigint {
  return b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b;
}

/** A JSON number's raw text as a Java int (`intValue()`: truncation, then the low 32 bits). */
function toInt32(raw: string, integral: boolean): number {
  if (integral && raw.length >= 16) return Number(BigInt.asIntN(32, BigInt(raw)));
  const n = integral ? Number(raw) : Math.trunc(Number(raw));
  return Number.isFinite(n) ? n | 0 : 0;
}

/** Whether raw integral text fits an int (Jackson `isInt()`). */
function isInt(raw: string, integral: boolean): boolean {
  if (!integral || raw.length > 11) return false;
  const n = Number(raw);
  return n >= -2147483648 && n <= 2147483647;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict (padded, standard alphabet) base64, as Jackson's default variant reads it; null if malformed. */
export function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** The value of a null (or absent) JSON value for `schema`: its default, null, or Kafka's error. */
export function nullValue(schema: Schema, replaceNullWithDefault: boolean): unknown {
  if (replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null) return schema.defaultValue;
  if (schema.optional) return null;
  throw new DataException(`Invalid null value for required ${schema.type.toUpperCase()} field`);
}

/** Reads the value at the reader's position as `schema` (null = schemaless). */
export function readConnect(r: JsonReader, schema: Schema | null, rn: boolean): unknown {
  const c = r.peek();
  if (schema === null) return readSchemaless(r, c);
  if (c === C_n) {
    r.readLiteral(); // validates the literal is `null`
    return nullValue(schema, rn);
  }
  if (c === -1) return nullValue(schema, rn);
  if (schema.name !== null) {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        return readDecimal(r, schema, c);
      case ConnectDate.LOGICAL_NAME:
        return ConnectDate.toLogical(schema, readIntForLogical(r, 'Date'));
      case ConnectTime.LOGICAL_NAME:
        return ConnectTime.toLogical(schema, readIntForLogical(r, 'Time'));
      case ConnectTimestamp.LOGICAL_NAME: {
        const type = r.nodeType();
        if (type === 'NUMBER') {
          const raw = r.readNumber();
          if (r.integral) return ConnectTimestamp.toLogical(schema, toInt64(raw, true));
        }
        throw new DataException(`Invalid type for Timestamp, underlying representation should be integral but was ${type}`);
      }
    }
  }
  switch (schema.type) {
    case 'boolean':
      if (c === C_t || c === C_f) return r.readLiteral();
      r.skipValue();
      return false;
    case 'int8':
      return (readInt32(r, c) << 24) >> 24;
    case 'int16':
      return (readInt32(r, c) << 16) >> 16;
    case 'int32':
      return readInt32(r, c);
    case 'int64': {
      if (!isNumberStart(c)) {
        r.skipValue();
        return 0;
      }
      const raw = r.readNumber();
      return toInt64(raw, r.integral);
    }
    case 'float32':
    case 'float64':
      if (!isNumberStart(c)) {
        r.skipValue();
        return 0;
      }
      return Number(r.readNumber());
    case 'string':
      if (c === C_QUOTE) return r.readString();
      r.skipValue();
      return null;
    case 'bytes': {
      if (c !== C_QUOTE) {
        r.skipValue();
        return null;
      }
      const bytes = decodeBase64(r.readString());
      if (!bytes) throw new DataException('Invalid bytes field');
      return bytes;
    }
    case 'array':
      return readArray(r, schema.valueSchema, c, rn);
    case 'map':
      return readMap(r, schema, c, rn);
    case 'struct':
      return readStruct(r, schema, c, rn);
  }
}

function isNumberStart(c: number): boolean {
  return c === 45 || (c >= 48 && c <= 57);
}

function readInt32(r: JsonReader, c: number): number {
  if (!isNumberStart(c)) {
    r.skipValue();
    return 0;
  }
  const raw = r.readNumber();
  return toInt32(raw, r.integral);
}

function readIntForLogical(r: JsonReader, what: string): number {
  const type = r.nodeType();
  if (type === 'NUMBER') {
    const raw = r.readNumber();
    if (isInt(raw, r.integral)) return Number(raw);
  }
  throw new DataException(`Invalid type for ${what}, underlying representation should be integer but was ${type}`);
}

function readDecimal(r: JsonReader, schema: Schema, c: number): BigDecimal {
  if (isNumberStart(c)) {
    const raw = r.readNumber();
    return r.integral ? new BigDecimal(BigInt(raw), 0) : BigDecimal.parse(raw);
  }
  if (c === C_QUOTE) {
    const bytes = decodeBase64(r.readString());
    if (!bytes || bytes.length === 0) throw new DataException('Invalid bytes for Decimal field');
    return Decimal.toLogical(schema, bytes);
  }
  throw new DataException(`Invalid type for Decimal, underlying representation should be numeric or bytes but was ${r.nodeType()}`);
}

function readArray(r: JsonReader, elementSchema: Schema | null, c: number, rn: boolean): unknown[] {
  const result: unknown[] = [];
  if (c === C_LBRACKET) {
    if (r.beginArray()) {
      do result.push(readConnect(r, elementSchema, rn));
      while (r.more(C_RBRACKET));
    }
  } else if (c === C_LBRACE) {
    // Jackson iterates an object node's values.
    if (r.beginObject()) {
      do {
        r.readKey();
        result.push(readConnect(r, elementSchema, rn));
      } while (r.more(C_RBRACE));
    }
  } else {
    r.skipValue();
  }
  return result;
}

function readMap(r: JsonReader, schema: Schema, c: number, rn: boolean): Map<unknown, unknown> {
  const result = new Map<unknown, unknown>();
  const keySchema = schema.keySchema;
  const valueSchema = schema.valueSchema;
  if (keySchema === null || keySchema.type === 'string') {
    if (c !== C_LBRACE) throw new DataException(`Maps with string fields should be encoded as JSON objects, but found ${r.nodeType()}`);
    if (r.beginObject()) {
      do {
        const key = r.readKey();
        result.set(key, readConnect(r, valueSchema, rn));
      } while (r.more(C_RBRACE));
    }
    return result;
  }
  if (c !== C_LBRACKET) throw new DataException(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${r.nodeType()}`);
  if (r.beginArray()) {
    do {
      const type = r.nodeType();
      if (type !== 'ARRAY') throw new DataException(`Found invalid map entry instead of array tuple: ${type}`);
      const start = r.pos;
      const size = countElements(r);
      if (size !== 2) throw new DataException(`Found invalid map entry, expected length 2 but found :${size}`);
      r.pos = start;
      r.beginArray();
      const key = readConnect(r, keySchema, rn);
      r.more(C_RBRACKET);
      const value = readConnect(r, valueSchema, rn);
      r.more(C_RBRACKET);
      result.set(key, value);
    } while (r.more(C_RBRACKET));
  }
  return result;
}

function countElements(r: JsonReader): number {
  let n = 0;
  if (r.beginArray()) {
    do {
      r.skipValue();
      n++;
    } while (r.more(C_RBRACKET));
  }
  return n;
}

/** Each struct field's name as a JSON member prefix (`"name"`), to match members without allocating keys. */
const quotedNames = new WeakMap<Schema, string[]>();

function quotedNamesOf(schema: Schema): string[] {
  let q = quotedNames.get(schema);
  if (!q) {
    q = schema.fields.map((f) => JSON.stringify(f.name));
    quotedNames.set(schema, q);
  }
  return q;
}

/**
 * Members usually come in schema order (every writer of Connect JSON emits them so): the next expected
 * name is matched in place; any other order falls back to a lookup by name.
 */
function readStruct(r: JsonReader, schema: Schema, c: number, rn: boolean): Struct {
  if (c !== C_LBRACE) throw new DataException(`Structs should be encoded as JSON objects, but found ${r.nodeType()}`);
  const fields = schema.fields;
  const n = fields.length;
  const names = quotedNamesOf(schema);
  const struct = new Struct(schema);
  const text = r.text;
  let next = 0; // fields [0, next) were read in order
  let seen: boolean[] | null = null; // allocated once members come out of order
  if (r.beginObject()) {
    do {
      let index = -1;
      if (seen === null && next < n && r.peek() === C_QUOTE && text.startsWith(names[next]!, r.pos)) {
        r.pos += names[next]!.length;
        r.expect(58 /* : */);
        index = next++;
      } else {
        const field = schema.field(r.readKey());
        if (field) {
          if (seen === null) seen = Array.from({ length: n }, (_, i) => i < next);
          seen[field.index] = true;
          index = field.index;
        }
      }
      if (index < 0) {
        r.skipValue();
        continue;
      }
      const field = fields[index]!;
      putField(struct, field.index, field.schema, field.name, readConnect(r, field.schema, rn));
    } while (r.more(C_RBRACE));
  }
  for (let i = seen === null ? next : 0; i < n; i++) {
    if (seen !== null && seen[i]) continue;
    const field = fields[i]!;
    putField(struct, i, field.schema, field.name, nullValue(field.schema, rn));
  }
  return struct;
}

function putField(struct: Struct, index: number, schema: Schema, name: string, v: unknown): void {
  if (v === null && !schema.optional) {
    throw new DataException(`Invalid value: null used for required field: "${name}", schema type: ${schema.type.toUpperCase()}`);
  }
  struct.putUnchecked(index, v);
}

/** Schemaless inference: object ⇒ Map, array ⇒ list, integral ⇒ int64, fractional ⇒ float64. */
function readSchemaless(r: JsonReader, c: number): unknown {
  switch (c) {
    case C_LBRACE: {
      const m = new Map<string, unknown>();
      if (r.beginObject()) {
        do {
          const key = r.readKey();
          m.set(key, readSchemaless(r, r.peek()));
        } while (r.more(C_RBRACE));
      }
      return m;
    }
    case C_LBRACKET: {
      const a: unknown[] = [];
      if (r.beginArray()) {
        do a.push(readSchemaless(r, r.peek()));
        while (r.more(C_RBRACKET));
      }
      return a;
    }
    case C_QUOTE:
      return r.readString();
    case -1:
      return null;
    default:
      if (isNumberStart(c)) {
        const raw = r.readNumber();
        return r.integral ? toInt64(raw, true) : Number(raw);
      }
      return r.readLiteral();
  }
}

export type { NodeType };
