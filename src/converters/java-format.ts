/**
 * How the JVM prints values, for byte-exact output: `Double.toString`, `Float.toString`,
 * `BigDecimal.toString`, the `class ...` names in error messages, and Connect's ISO date formats.
 * (JS numbers carry no Java class, so callers pass the schema type when they know it.)
 */
import { BigDecimal, Struct } from '../connect/data/index.js';
import { toBase64 } from './bytes.js';

/**
 * `Double.toString(d)`: plain notation with at least one fraction digit for 1e-3 <= |d| < 1e7
 * (`1.0`, `0.001`), otherwise computerized scientific notation (`1.0E7`, `1.5E-4`). Digits are the
 * shortest that round-trip (as JDK 19+ and JavaScript both produce). Non-finite values give `NaN`,
 * `Infinity`, `-Infinity`.
 */
export function javaDoubleString(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity';
  const abs = d < 0 ? -d : d;
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : s + '.0';
  }
  const exp = d.toExponential();
  const e = exp.indexOf('e');
  let mantissa = exp.slice(0, e);
  if (!mantissa.includes('.')) mantissa += '.0';
  const sign = exp.charCodeAt(e + 1) === 43 /* + */ ? '' : '-';
  return mantissa + 'E' + sign + exp.slice(e + 2);
}

/** `Float.toString(f)`: the value rounded to float32, printed with the shortest float32 digits. */
export function javaFloatString(v: number): string {
  const f = Math.fround(v);
  if (f === 0 || !Number.isFinite(f)) return javaDoubleString(f);
  for (let p = 1; p < 10; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return javaDoubleString(candidate);
  }
  return javaDoubleString(f);
}

/** `BigDecimal.toString()`: plain unless the scale is negative or the adjusted exponent is below -6. */
export function javaBigDecimalString(value: BigDecimal): string {
  const neg = value.unscaled < 0n;
  const digits = (neg ? -value.unscaled : value.unscaled).toString();
  const adjusted = -value.scale + (digits.length - 1);
  if (value.scale >= 0 && adjusted >= -6) return value.toString();
  const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return (neg ? '-' : '') + mantissa + 'E' + (adjusted >= 0 ? '+' : '') + adjusted;
}

/** The Java class a Connect value would have, as `getClass().getName()` prints it (best effort). */
export function javaClassName(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'java.lang.String';
    case 'boolean':
      return 'java.lang.Boolean';
    case 'bigint':
      return 'java.lang.Long';
    case 'number':
      if (!Number.isInteger(value)) return 'java.lang.Double';
      return value >= -2147483648 && value <= 2147483647 ? 'java.lang.Integer' : 'java.lang.Long';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Uint8Array) return '[B';
      if (Array.isArray(value)) return 'java.util.ArrayList';
      if (value instanceof Map) return 'java.util.HashMap';
      if (value instanceof Struct) return 'org.apache.kafka.connect.data.Struct';
      if (value instanceof BigDecimal) return 'java.math.BigDecimal';
      if (value instanceof Date) return 'java.util.Date';
      return (value as object).constructor?.name ?? 'java.lang.Object';
    default:
      return typeof value;
  }
}

/** `value.getClass()` as string concatenation prints it: `class java.lang.String`. */
export function javaClassOf(value: unknown): string {
  return 'class ' + javaClassName(value);
}

const MS_PER_DAY = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Connect's `Values.dateFormatFor(d).format(d)`: epoch-ms below one day ⇒ `HH:mm:ss.SSS'Z'`, a multiple of a
 * day ⇒ `yyyy-MM-dd`, otherwise `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`. Printed in UTC (the JVM uses its default time
 * zone despite the literal `Z`; identical on UTC hosts).
 */
export function formatConnectDate(d: Date): string {
  const ms = d.getTime();
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  if (ms < MS_PER_DAY) return time;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  if (ms % MS_PER_DAY === 0) return date;
  return `${date}T${time}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `java.util.Date.toString()` in UTC: `Tue Nov 14 22:13:20 UTC 2023`. */
export function javaDateString(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)} UTC ${d.getUTCFullYear()}`;
}

/**
 * `String.valueOf(value)` as the JVM would print a Connect value (StringConverter, FileStreamSink):
 * strings as they are, `1.0` for float64 numbers when the schema says so, maps `{k=v, k2=v2}`, lists
 * `[a, b]`, structs `Struct{a=1,b=x}`. Bytes print as base64 (the JVM prints a useless `[B@hash`).
 */
export function javaToString(value: unknown, schema?: { type: string } | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (schema?.type === 'float32') return javaFloatString(value);
      if (schema?.type === 'float64' || !Number.isInteger(value)) return javaDoubleString(value);
      return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
    case 'bigint':
    case 'boolean':
      return String(value);
  }
  if (value instanceof Uint8Array) return toBase64(value);
  if (value instanceof BigDecimal) return javaBigDecimalString(value);
  if (value instanceof Date) return javaDateString(value);
  if (Array.isArray(value)) return '[' + value.map((v) => javaToString(v)).join(', ') + ']';
  if (value instanceof Map) {
    return '{' + [...value].map(([k, v]) => javaToString(k) + '=' + javaToString(v)).join(', ') + '}';
  }
  if (value instanceof Struct) {
    const parts: string[] = [];
    for (const f of value.schema.fields) {
      const v = value.getWithoutDefault(f);
      if (v !== null) parts.push(f.name + '=' + javaToString(v, f.schema));
    }
    return 'Struct{' + parts.join(',') + '}';
  }
  return String(value);
}
