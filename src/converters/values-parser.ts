/**
 * Connect's `Values.parseString`: infers a schema and value from text (header values, InsertHeader literals).
 *
 * A faithful port of the JVM's token-based parser, quirks included, because users observe its answers:
 * `42` ⇒ int8, `3000000000` ⇒ int64, `1.5` ⇒ float32, `1.0` ⇒ int8, `true` ⇒ boolean, `[1,2]` ⇒ array<int8>,
 * `{"a":1}` ⇒ map<string,int8>, ISO timestamp/date/time ⇒ the logical types, anything else ⇒ the original
 * string. Delimiters are `: , { } [ ] "` unless preceded by a backslash (which stays in the text).
 */
import {
  BigDecimal,
  ConnectDate,
  ConnectTime,
  ConnectTimestamp,
  Decimal,
  Schema,
  SchemaBuilder,
  type SchemaAndValue,
} from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { javaClassName } from './java-format.js';

/** Java's `String.trim()`: strips characters up to U+0020 only. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isBlank(s: string | null): boolean {
  return s === null || javaTrim(s).length === 0;
}

/** Splits the text into tokens at unescaped delimiters; supports peeking (`canConsume`) and rewinding. */
class Tokenizer {
  private pos = 0;
  private nextToken: string | null = null;
  private previousToken: string | null = null;

  constructor(readonly original: string) {}

  position(): number {
    return this.pos;
  }

  mark(): number {
    return this.pos - (this.nextToken !== null ? this.nextToken.length : 0);
  }

  rewindTo(position: number): void {
    this.pos = position;
    this.nextToken = null;
    this.previousToken = null;
  }

  hasNext(): boolean {
    return this.nextToken !== null || this.pos < this.original.length;
  }

  next(): string {
    if (this.nextToken !== null) {
      this.previousToken = this.nextToken;
      this.nextToken = null;
    } else {
      this.previousToken = this.consumeNextToken();
    }
    return this.previousToken;
  }

  /** The text of the next `n` tokens, or null (position unchanged) when fewer remain. */
  nextN(n: number): string | null {
    const start = this.mark();
    for (let i = 0; i !== n; ++i) {
      if (!this.hasNext()) {
        this.rewindTo(start);
        return null;
      }
      this.next();
    }
    return this.original.substring(start, this.pos);
  }

  previous(): string | null {
    return this.previousToken;
  }

  /** Consumes the next non-blank token if, trimmed, it equals `expected`. */
  canConsume(expected: string): boolean {
    if (this.nextToken === null) {
      if (!this.hasNext()) return false;
      this.nextToken = this.consumeNextToken();
    }
    while (isBlank(this.nextToken) && this.pos < this.original.length) this.nextToken = this.consumeNextToken();
    if (javaTrim(this.nextToken!) === expected) {
      this.nextToken = null;
      return true;
    }
    return false;
  }

  private consumeNextToken(): string {
    const text = this.original;
    let escaped = false;
    const start = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      switch (c) {
        case 92: // backslash
          escaped = !escaped;
          break;
        case 58: // :
        case 44: // ,
        case 123: // {
        case 125: // }
        case 91: // [
        case 93: // ]
        case 34: // "
          if (!escaped) {
            if (start < this.pos) return text.substring(start, this.pos);
            this.pos++;
            return text.substring(start, start + 1);
          }
          escaped = false;
          break;
        default:
          escaped = false;
      }
      this.pos++;
    }
    return text.substring(start, this.pos);
  }
}

const TRUE_SV: SchemaAndValue = Object.freeze({ schema: Schema.BOOLEAN_SCHEMA, value: true });
const FALSE_SV: SchemaAndValue = Object.freeze({ schema: Schema.BOOLEAN_SCHEMA, value: false });

/**
 * An array or map schema whose element (or key/value) schema is unknown — Java's `SchemaBuilder.arrayOfNull()`
 * and `mapOfNull()`, for `[]`, `[null]` or mixed elements. The shared Schema constructor insists on element
 * schemas, so this one is assembled directly; consumers treat a null element schema as "schemaless".
 */
function schemaWithUnknownParts(type: 'array' | 'map', keySchema: Schema | null, valueSchema: Schema | null): Schema {
  const s = Object.create(Schema.prototype) as Schema;
  Object.assign(s, {
    type,
    optional: false,
    defaultValue: undefined,
    name: null,
    version: null,
    doc: null,
    parameters: null,
    fields: [],
    keySchema,
    valueSchema,
    fieldsByName: null,
  });
  return s;
}

class ValueParser {
  constructor(private readonly p: Tokenizer) {}

  private canParseSingleTokenLiteral(embedded: boolean, literal: string): boolean {
    const start = this.p.mark();
    if (this.p.canConsume(literal) && (embedded || !this.p.hasNext())) return true;
    this.p.rewindTo(start);
    return false;
  }

  parse(embedded: boolean): SchemaAndValue | null {
    const p = this.p;
    if (!p.hasNext()) return null;
    if (embedded && p.canConsume('"')) return this.parseQuotedString();
    if (this.canParseSingleTokenLiteral(embedded, 'null')) return null;
    if (this.canParseSingleTokenLiteral(embedded, 'true')) return TRUE_SV;
    if (this.canParseSingleTokenLiteral(embedded, 'false')) return FALSE_SV;

    const start = p.mark();
    try {
      if (p.canConsume('[')) return this.parseArray();
      if (p.canConsume('{')) return this.parseMap();
    } catch (e) {
      if (!(e instanceof DataException)) throw e;
      p.rewindTo(start); // not a valid array/map: fall back to a plain token
    }

    const token = p.next();
    if (isBlank(token)) return { schema: Schema.STRING_SCHEMA, value: token };
    return this.parseNextToken(embedded, javaTrim(token));
  }

  private parseNextToken(embedded: boolean, token: string): SchemaAndValue {
    const first = token[0]!;
    const firstIsDigit = /^\p{Nd}/u.test(first);
    if (firstIsDigit) {
      const temporal = this.parseMultipleTokensAsTemporal(token);
      if (temporal) return temporal;
    }
    if (firstIsDigit || first === '+' || first === '-') {
      const number = parseAsNumber(token);
      if (number) return number;
    }
    if (embedded) throw new DataException('Failed to parse embedded value');
    return { schema: Schema.STRING_SCHEMA, value: this.p.original };
  }

  private parseQuotedString(): SchemaAndValue {
    let content = '';
    while (this.p.hasNext()) {
      if (this.p.canConsume('"')) break;
      content += this.p.next();
    }
    return parseAsTemporal(content) ?? { schema: Schema.STRING_SCHEMA, value: content };
  }

  private parseArray(): SchemaAndValue {
    const p = this.p;
    let result: unknown[] = [];
    const elementSchema = new SchemaMerger();
    while (p.hasNext()) {
      if (p.canConsume(']')) {
        if (elementSchema.common) {
          const listSchema = SchemaBuilder.array(elementSchema.common).build();
          result = result.map((v) => convertTo(listSchema.valueSchema!, v));
          return { schema: listSchema, value: result };
        }
        return { schema: schemaWithUnknownParts('array', null, null), value: result };
      }
      if (p.canConsume(',')) throw new DataException('Unable to parse an empty array element: ' + p.original);
      const element = this.parse(true);
      elementSchema.merge(element);
      result.push(element ? element.value : null);

      const current = p.mark();
      if (p.canConsume(']')) p.rewindTo(current);
      else if (!p.canConsume(',')) throw new DataException("Array elements missing ',' delimiter");
    }
    if (p.previous() === ',') throw new DataException("Array is missing element after ',': " + p.original);
    throw new DataException("Array is missing terminating ']': " + p.original);
  }

  private parseMap(): SchemaAndValue {
    const p = this.p;
    const result = new Map<unknown, unknown>();
    const keySchema = new SchemaMerger();
    const valueSchema = new SchemaMerger();
    while (p.hasNext()) {
      if (p.canConsume('}')) {
        if (keySchema.common && valueSchema.common) {
          const mapSchema = SchemaBuilder.map(keySchema.common, valueSchema.common).build();
          const aligned = new Map<unknown, unknown>();
          for (const [k, v] of result) aligned.set(convertTo(mapSchema.keySchema!, k), convertTo(mapSchema.valueSchema!, v));
          return { schema: mapSchema, value: aligned };
        }
        if (keySchema.common) {
          const mapSchema = schemaWithUnknownParts('map', keySchema.common, null);
          const aligned = new Map<unknown, unknown>();
          for (const [k, v] of result) aligned.set(convertTo(keySchema.common, k), v);
          return { schema: mapSchema, value: aligned };
        }
        return { schema: schemaWithUnknownParts('map', null, null), value: result };
      }
      if (p.canConsume(',')) throw new DataException('Unable to parse a map entry with no key or value: ' + p.original);
      const key = this.parse(true);
      if (!key || key.value === null) throw new DataException('Map entry may not have a null key: ' + p.original);
      if (!p.canConsume(':')) {
        throw new DataException(`Map entry is missing ':' at ${p.position()} in ${p.original}`);
      }
      const value = this.parse(true);
      result.set(key.value, value ? value.value : null);
      p.canConsume(',');
      keySchema.merge(key);
      valueSchema.merge(value);
    }
    if (p.previous() === ',') throw new DataException("Map is missing element after ',': " + p.original);
    throw new DataException("Map is missing terminating '}': " + p.original);
  }

  /** Times and timestamps span 5 tokens (the colons are delimiters); try those first. */
  private parseMultipleTokensAsTemporal(token: string): SchemaAndValue | null {
    const position = this.p.mark();
    const remainder = this.p.nextN(4);
    if (remainder !== null) {
      const temporal = parseAsTemporal(token + remainder);
      if (temporal) return temporal;
    }
    this.p.rewindTo(position);
    return parseAsTemporal(token);
  }
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const DECIMAL_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `new BigDecimal(token)` then the narrowest type: int8..int64, float32, float64, else Decimal. Null if not a number. */
function parseAsNumber(token: string): SchemaAndValue | null {
  const m = DECIMAL_SYNTAX.exec(token);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const intDigits = m[2]!;
  const fracDigits = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  if (!Number.isSafeInteger(exponent)) return null;
  const unscaled = BigInt(m[1] + (intDigits + fracDigits || '0'));
  const scale = fracDigits.length - exponent;

  const exact = parseAsExactInteger(unscaled, scale);
  if (exact) return exact;
  const d = Number(token);
  const f = Math.fround(d);
  if (Number.isFinite(f) && scale !== 0) return { schema: Schema.FLOAT32_SCHEMA, value: f };
  if (Number.isFinite(d) && scale !== 0) return { schema: Schema.FLOAT64_SCHEMA, value: d };
  return { schema: Decimal.schema(scale), value: new BigDecimal(unscaled, scale) };
}

function parseAsExactInteger(unscaled: bigint, scale: number): SchemaAndValue | null {
  let integral: bigint;
  if (scale > 0) {
    if (unscaled === 0n) return { schema: Schema.INT8_SCHEMA, value: 0 };
    // A non-zero value with no more digits than fraction places is below 1 in magnitude: not integral.
    if ((unscaled < 0n ? -unscaled : unscaled).toString().length <= scale) return null;
    const div = 10n ** BigInt(scale);
    if (unscaled % div !== 0n) return null;
    integral = unscaled / div;
  } else {
    const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
    if (unscaled !== 0n && digits - scale > 20) return null; // far outside the long range
    integral = unscaled * 10n ** BigInt(-scale);
  }
  if (integral < LONG_MIN || integral > LONG_MAX) return null;
  const n = Number(integral);
  if (n >= -128 && n <= 127) return { schema: Schema.INT8_SCHEMA, value: n };
  if (n >= -32768 && n <= 32767) return { schema: Schema.INT16_SCHEMA, value: n };
  if (n >= -2147483648 && n <= 2147483647) return { schema: Schema.INT32_SCHEMA, value: n };
  return { schema: Schema.INT64_SCHEMA, value: Number.isSafeInteger(n) ? n : integral };
}

// ---- temporal literals: a lenient SimpleDateFormat for Connect's three ISO patterns (UTC) ----

type PatternPart = string | 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S';
const DATE_PATTERN: PatternPart[] = ['y', '-', 'M', '-', 'd'];
const TIME_PATTERN: PatternPart[] = ['H', ':', 'm', ':', 's', '.', 'S', 'Z'];
const TIMESTAMP_PATTERN: PatternPart[] = [...DATE_PATTERN, 'T', ...TIME_PATTERN];
const FIELDS = new Set(['y', 'M', 'd', 'H', 'm', 's', 'S']);

export function parseAsTemporal(token: string | null): SchemaAndValue | null {
  if (token === null) return null;
  const t = token.replaceAll('\\:', ':');
  if (t.length === 13) return parseTemporal(t, ConnectTime.SCHEMA, TIME_PATTERN);
  if (t.length === 24) return parseTemporal(t, ConnectTimestamp.SCHEMA, TIMESTAMP_PATTERN);
  if (t.length === 10) return parseTemporal(t, ConnectDate.SCHEMA, DATE_PATTERN);
  return null;
}

/**
 * Like `new SimpleDateFormat(pattern).parse(text, pos)` in lenient mode: each numeric field takes the digits
 * present (an optional leading '-'), literals must match, trailing text is ignored, out-of-range fields roll
 * over (month 13 ⇒ January of the next year).
 */
function parseTemporal(text: string, schema: Schema, pattern: PatternPart[]): SchemaAndValue | null {
  const values: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
  let pos = 0;
  for (const part of pattern) {
    if (FIELDS.has(part)) {
      while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
      const m = /^-?\d+/.exec(text.slice(pos));
      if (!m) return null;
      values[part] = Number(m[0]);
      pos += m[0].length;
    } else {
      if (!text.startsWith(part, pos)) return null;
      pos += part.length;
    }
  }
  const d = new Date(0);
  d.setUTCFullYear(values.y!, values.M! - 1, values.d!);
  d.setUTCHours(values.H!, values.m!, values.s!, values.S!);
  if (Number.isNaN(d.getTime())) return null;
  return { schema, value: d };
}

// ---- schema merging for array elements and map keys/values ----

class SchemaMerger {
  common: Schema | null = null;
  private compatible = true;

  merge(latest: SchemaAndValue | null): void {
    if (latest && latest.schema && this.compatible) {
      if (!this.common) {
        this.common = latest.schema;
      } else {
        this.common = mergeSchemas(this.common, latest.schema);
        this.compatible = this.common !== null;
      }
    }
  }
}

const NUMERIC_RANK: Record<string, number> = { int8: 0, int16: 1, int32: 2, int64: 3, float32: 4, float64: 5 };

function mergeSchemas(previous: Schema, next: Schema): Schema | null {
  if (previous.type !== next.type) {
    const a = NUMERIC_RANK[previous.type];
    const b = NUMERIC_RANK[next.type];
    if (a === undefined || b === undefined) return null;
    return b > a ? next : previous; // widen to the larger numeric type
  }
  if (previous.optional === next.optional) return previous.optional ? previous : next;
  return previous.equals(next) ? previous : null;
}

// ---- converting parsed values to the merged schema (`Values.convertTo` with no source schema) ----

function asNumber(value: unknown, toSchema: Schema): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof BigDecimal) return value.toNumber();
  if (typeof value === 'string') {
    const n = Number(javaTrim(value));
    if (!Number.isNaN(n)) return n;
  }
  throw new DataException(`Unable to convert ${String(value)} (class ${javaClassName(value)}) to ${toSchema.toString()}`);
}

function truncateInt(n: number | bigint, bits: 8 | 16 | 32): number {
  if (typeof n === 'bigint') return Number(BigInt.asIntN(bits, n));
  const t = Math.trunc(n);
  if (bits === 32) return t | 0;
  return bits === 16 ? (t << 16) >> 16 : (t << 24) >> 24;
}

export function convertTo(toSchema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (toSchema.optional) return null;
    throw new DataException('Unable to convert a null value to a schema that requires a value');
  }
  const name = toSchema.name;
  if (value instanceof Date && (name === ConnectDate.LOGICAL_NAME || name === ConnectTime.LOGICAL_NAME || name === ConnectTimestamp.LOGICAL_NAME)) {
    return value; // no source schema: dates pass through
  }
  switch (toSchema.type) {
    case 'bytes':
      if (name === Decimal.LOGICAL_NAME && value instanceof BigDecimal) return value;
      if (value instanceof Uint8Array) return value;
      break;
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return asNumber(value, toSchema) !== 0;
    case 'int8':
      return truncateInt(asNumber(value, toSchema), 8);
    case 'int16':
      return truncateInt(asNumber(value, toSchema), 16);
    case 'int32': {
      const n = truncateInt(asNumber(value, toSchema), 32);
      if (name === ConnectDate.LOGICAL_NAME) return ConnectDate.toLogical(toSchema, n);
      if (name === ConnectTime.LOGICAL_NAME) return ConnectTime.toLogical(toSchema, n);
      return n;
    }
    case 'int64': {
      const n = asNumber(value, toSchema);
      const v = typeof n === 'bigint' ? n : Math.trunc(n);
      if (name === ConnectTimestamp.LOGICAL_NAME) return ConnectTimestamp.toLogical(toSchema, v);
      return v;
    }
    case 'float32':
      return Math.fround(Number(asNumber(value, toSchema)));
    case 'float64':
      return Number(asNumber(value, toSchema));
    case 'array':
      if (Array.isArray(value)) return value;
      break;
    case 'map':
      if (value instanceof Map) return value;
      break;
    case 'struct':
      break;
  }
  throw new DataException(`Unable to convert ${String(value)} (class ${javaClassName(value)}) to ${toSchema.toString()}`);
}

/** `Values.parseString`: the inferred schema and value of `text` (`null` text ⇒ null schema and value). */
export function parseString(text: string | null): SchemaAndValue {
  if (text === null) return { schema: null, value: null };
  if (text.length === 0) return { schema: Schema.STRING_SCHEMA, value: text };
  const parsed = new ValueParser(new Tokenizer(text)).parse(false);
  return parsed ?? { schema: null, value: null };
}
