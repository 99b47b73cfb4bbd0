/**
 * Connect's `org.apache.kafka.connect.data.Values`: the string form of any Connect value
 * (`convertToString`) and schema inference from a string (`parseString`, see values-parser.ts).
 * SimpleHeaderConverter and the InsertHeader/Cast transforms rely on both.
 */
import { BigDecimal, Struct, type Schema, type SchemaType } from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { toBase64 } from './bytes.js';
import { formatConnectDate, javaBigDecimalString, javaClassName, javaDoubleString, javaFloatString } from './java-format.js';

export { parseString, convertTo } from './values-parser.js';

/**
 * `Values.convertToString(schema, value)`: strings as they are; numbers and booleans as Java prints them;
 * bytes in base64; arrays `[1,2]`, maps `{"a":1}` and structs `{"f":1}` with embedded strings quoted;
 * dates per `dateFormatFor` (never quoted). `null` value ⇒ `null`.
 *
 * JS numbers carry no Java class, so the schema (and the element/field schemas under it) decides how a
 * number prints: float32 ⇒ `Float.toString`, float64 ⇒ `Double.toString` (`1.0`), integers plainly; without
 * a schema an integral number prints as an integer and any other as a double.
 */
export function convertToString(schema: Schema | null, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return append(value, false, schema?.type ?? null, schema);
}

function append(value: unknown, embedded: boolean, type: SchemaType | null, schema: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return numberString(value, type);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return embedded ? '"' + escape(value) + '"' : value;
  }
  if (value instanceof Uint8Array) {
    const b64 = toBase64(value);
    return embedded ? '"' + b64 + '"' : b64;
  }
  if (value instanceof BigDecimal) return javaBigDecimalString(value);
  if (value instanceof Date) return formatConnectDate(value);
  const elementSchema = schema?.valueSchema ?? null;
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      s += append(value[i], true, elementSchema?.type ?? null, elementSchema);
    }
    return s + ']';
  }
  if (value instanceof Map) {
    const keySchema = schema?.keySchema ?? null;
    let s = '{';
    let first = true;
    for (const [k, v] of value) {
      if (!first) s += ',';
      first = false;
      s += append(k, true, keySchema?.type ?? null, keySchema) + ':' + append(v, true, elementSchema?.type ?? null, elementSchema);
    }
    return s + '}';
  }
  if (value instanceof Struct) {
    let s = '{';
    for (const field of value.schema.fields) {
      if (field.index > 0) s += ',';
      s += '"' + escape(field.name) + '":' + append(value.get(field), true, field.schema.type, field.schema);
    }
    return s + '}';
  }
  throw new DataException(`Failed to serialize unexpected value type ${javaClassName(value)}: ${String(value)}`);
}

function numberString(n: number, type: SchemaType | null): string {
  switch (type) {
    case 'float32':
      return javaFloatString(n);
    case 'float64':
      return javaDoubleString(n);
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return Number.isInteger(n) ? integerString(n) : javaDoubleString(n);
    default:
      return Number.isInteger(n) ? integerString(n) : javaDoubleString(n);
  }
}

function integerString(n: number): string {
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
}

/** Embedded strings escape only backslashes and double quotes (`Values.escape`). */
function escape(s: string): string {
  if (!s.includes('\\') && !s.includes('"')) return s;
  return s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}
