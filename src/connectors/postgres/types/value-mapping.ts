/**
 * PostgreSQL type -> Connect schema and value, per specs/debezium-postgres.md §3. pgoutput and the snapshot
 * both deliver the server's text output of each value; a `TypeMapping` turns that text into the Connect
 * value. Mappings are built once per column (when a table schema is built) and reused for every row.
 */
import { createHash } from 'node:crypto';
import { BigDecimal, ConnectDate, ConnectTime, ConnectTimestamp, Decimal, Schema, SchemaBuilder, Struct, bigintToTwosComplement } from '../../../connect/data/index.js';
import { DataException } from '../../../connect/errors.js';
import type { BinaryMode, DecimalMode, TimePrecisionMode } from '../config.js';
import type { TypeRegistry } from './type-registry.js';
import {
  formatClock, formatIsoDate, formatIsoInstant, formatZonedParts, intervalIsoString, intervalMicros, parseDate,
  parseInterval, parseTime, parseTimeTzToUtc, parseTimestamp, parseTimestampParts,
} from './temporal.js';

export interface MappingOptions {
  decimalMode: DecimalMode;
  timePrecisionMode: TimePrecisionMode;
  binaryMode: BinaryMode;
  hstoreMode: 'json' | 'map';
  intervalMode: 'numeric' | 'string';
  moneyFractionDigits: number;
  includeUnknownDatatypes: boolean;
  unavailablePlaceholder: string;
}

export interface TypeMapping {
  /** A fresh builder for the column schema (the caller sets optional/default). */
  builder(): SchemaBuilder;
  /** Server text -> Connect value. */
  parse(text: string): unknown;
  /** The NOT NULL fallback ("zero") value (§1.4). */
  zero: unknown;
  /** The value for an unchanged TOASTed column (§3.8). */
  toast: unknown;
}

const name = (b: SchemaBuilder, n: string) => b.name(n).version(1);
const POS_INF_TS = 9223372036825200000n;
const NEG_INF_TS = -9223372036832400000n;

/** int64 values: a number when exact, otherwise a bigint. */
function int64(v: number | bigint): number | bigint {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v;
}

function parseInt64(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function placeholderBytes(p: string): Uint8Array {
  return p.startsWith('hex:') ? Buffer.from(p.slice(4), 'hex') : Buffer.from(p, 'utf8');
}

/** Java's UUID.nameUUIDFromBytes (version 3). */
function nameUuid(bytes: Uint8Array): string {
  const h = createHash('md5').update(bytes).digest();
  h[6] = (h[6]! & 0x0f) | 0x30;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function binary(mode: BinaryMode, raw: Uint8Array): unknown {
  const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (mode) {
    case 'bytes':
      return raw;
    case 'base64':
      return b.toString('base64');
    case 'base64-url-safe': {
      const s = b.toString('base64url');
      return s + '='.repeat((4 - (s.length % 4)) % 4);
    }
    case 'hex':
      return b.toString('hex');
  }
}

function binaryBuilder(mode: BinaryMode): SchemaBuilder {
  return mode === 'bytes' ? SchemaBuilder.bytes() : SchemaBuilder.string();
}

/** `\x0102` (bytea_output=hex) -> bytes. */
export function parseByteaHex(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  throw new DataException(`bytea value is not in hex format (bytea_output must be 'hex'): ${text.slice(0, 20)}`);
}

/** Java `BigInteger.toByteArray` of a bit string read as unsigned, then reversed (little-endian, minimal). */
export function bitsToBytes(bits: string): Uint8Array {
  let v = bits.length ? BigInt('0b' + bits) : 0n;
  const out: number[] = [];
  while (v > 0n) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return Uint8Array.from(out);
}

/** One-dimensional PostgreSQL array literal -> element texts (null for NULL). */
export function parseArrayLiteral(text: string): (string | null)[] {
  let s = text;
  if (s.startsWith('[')) s = s.slice(s.indexOf('=') + 1); // explicit bounds: [0:2]={...}
  if (s.length < 2 || s[0] !== '{') throw new DataException(`Not an array literal: ${text.slice(0, 40)}`);
  const out: (string | null)[] = [];
  let i = 1;
  if (s[i] === '}') return out;
  while (i < s.length) {
    if (s[i] === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\') i++;
        v += s[i];
        i++;
      }
      i++; // closing quote
      out.push(v);
    } else if (s[i] === '{') {
      // Nested arrays are flattened (Debezium supports one dimension).
      let depth = 0;
      const start = i;
      do {
        if (s[i] === '{') depth++;
        else if (s[i] === '}') depth--;
        i++;
      } while (depth > 0 && i < s.length);
      out.push(...parseArrayLiteral(s.slice(start, i)));
    } else {
      let j = i;
      while (j < s.length && s[j] !== ',' && s[j] !== '}') j++;
      const v = s.slice(i, j).trim();
      out.push(v === 'NULL' ? null : v);
      i = j;
    }
    if (s[i] === ',') i++;
    else if (s[i] === '}') break;
  }
  return out;
}

/** `"a"=>"b", "c"=>NULL` -> entries. */
export function parseHstore(text: string): [string, string | null][] {
  const out: [string, string | null][] = [];
  let i = 0;
  const readToken = (): string | null => {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '"') {
      let v = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        v += text[i];
        i++;
      }
      i++;
      return v;
    }
    let j = i;
    while (j < text.length && text[j] !== ',' && text[j] !== '=' && text[j] !== ' ') j++;
    const v = text.slice(i, j);
    i = j;
    return v === 'NULL' ? null : v;
  };
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (i >= text.length) break;
    const k = readToken();
    while (text[i] === ' ') i++;
    if (text.slice(i, i + 2) !== '=>') throw new DataException(`Cannot parse hstore: ${text.slice(0, 40)}`);
    i += 2;
    const v = readToken();
    out.push([k ?? '', v]);
  }
  return out;
}

/** Money text (`$1,234.11`, `-$1,234.11`, `($1,234.11)`) -> decimal at `scale`. */
function parseMoney(text: string, scale: number): BigDecimal {
  let neg = false;
  let t = text.trim();
  if (t.startsWith('(') && t.endsWith(')')) {
    neg = true;
    t = t.slice(1, -1);
  }
  if (t.startsWith('-')) {
    neg = !neg;
    t = t.slice(1);
  }
  t = t.replace(/[^0-9.]/g, '');
  const d = BigDecimal.parse((neg ? '-' : '') + t).setScale(scale);
  return d;
}

function variableScaleDecimalSchema(): SchemaBuilder {
  return SchemaBuilder.struct()
    .name('io.debezium.data.VariableScaleDecimal')
    .version(1)
    .doc('Variable scaled decimal')
    .field('scale', Schema.INT32_SCHEMA)
    .field('value', Schema.BYTES_SCHEMA);
}
const VSD_SCHEMA = variableScaleDecimalSchema().build();
const VSD_OPTIONAL_SCHEMA = variableScaleDecimalSchema().optional().build();

function variableScaleDecimal(d: BigDecimal, optional: boolean): Struct {
  let { unscaled, scale } = d;
  while (scale > 0 && unscaled % 10n === 0n && unscaled !== 0n) {
    unscaled /= 10n;
    scale--;
  }
  if (unscaled === 0n) scale = 0;
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return new Struct(optional ? VSD_OPTIONAL_SCHEMA : VSD_SCHEMA).putUnchecked(0, scale).putUnchecked(1, bigintToTwosComplement(unscaled));
}

function pointSchema(): SchemaBuilder {
  return SchemaBuilder.struct()
    .name('io.debezium.data.geometry.Point')
    .version(1)
    .doc('Geometry (POINT)')
    .field('x', Schema.FLOAT64_SCHEMA)
    .field('y', Schema.FLOAT64_SCHEMA)
    .field('wkb', Schema.OPTIONAL_BYTES_SCHEMA)
    .field('srid', Schema.OPTIONAL_INT32_SCHEMA);
}

function pointWkb(x: number, y: number): Buffer {
  const b = Buffer.alloc(21);
  b[0] = 1;
  b.writeUInt32LE(1, 1);
  b.writeDoubleLE(x, 5);
  b.writeDoubleLE(y, 13);
  return b;
}

/**
 * Remembers the last text -> string conversion of a column (pure parsers only, string results only, so no
 * mutable value is shared): rows of one transaction often repeat a value, e.g. every `now()` of a bulk insert.
 */
function memoLast(parse: (text: string) => string): (text: string) => string {
  let lastText: string | null = null;
  let last = '';
  return (text) => {
    if (text !== lastText) {
      last = parse(text);
      lastText = text;
    }
    return last;
  };
}

const simple = (builder: () => SchemaBuilder, parse: (t: string) => unknown, zero: unknown, toast: unknown = null): TypeMapping => ({ builder, parse, zero, toast });

/** Text-like types: the value is the text itself. */
function stringMapping(semantic: string | null, o: MappingOptions): TypeMapping {
  return simple(() => (semantic ? name(SchemaBuilder.string(), semantic) : SchemaBuilder.string()), (t) => t, '', o.unavailablePlaceholder);
}

/**
 * The mapping for a column type, or null when the column is left out of the schema (unknown type without
 * `include.unknown.datatypes`, unsupported array element).
 */
export function mapType(typeOid: number, typmod: number, registry: TypeRegistry, o: MappingOptions, element = false): TypeMapping | null {
  const { type, typmod: mod, isDomain } = registry.resolveDomain(typeOid, typmod);
  if (!type) return unknownMapping(o);
  if (type.category === 'A' && type.elemOid !== 0) {
    if (element || isDomain) return unknownMapping(o);
    return arrayMapping(type.elemOid, registry, o);
  }
  if (type.kind === 'e') {
    const labels = type.enumLabels ?? [];
    return simple(() => name(SchemaBuilder.string(), 'io.debezium.data.Enum').parameter('allowed', labels.join(',')), (t) => t, '', o.unavailablePlaceholder);
  }
  switch (type.name) {
    case 'bool':
      return simple(() => SchemaBuilder.bool(), (t) => t === 't', false);
    case 'int2':
      return simple(() => SchemaBuilder.int16(), (t) => Number(t), 0);
    case 'int4':
      return simple(() => SchemaBuilder.int32(), (t) => Number(t), 0);
    case 'int8':
    case 'oid':
      return simple(() => SchemaBuilder.int64(), parseInt64, 0);
    case 'float4':
      return simple(() => SchemaBuilder.float32(), (t) => Number(t), 0);
    case 'float8':
      return simple(() => SchemaBuilder.float64(), (t) => Number(t), 0);
    case 'numeric':
      return numericMapping(mod, o);
    case 'money':
      return moneyMapping(o);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'char':
    case 'name':
    case 'citext':
    case 'inet':
    case 'cidr':
    case 'macaddr':
    case 'macaddr8':
    case 'int4range':
    case 'int8range':
    case 'numrange':
    case 'tsrange':
    case 'tstzrange':
    case 'daterange':
    case 'isbn':
      return stringMapping(null, o);
    case 'json':
    case 'jsonb':
      return stringMapping('io.debezium.data.Json', o);
    case 'xml':
      return stringMapping('io.debezium.data.Xml', o);
    case 'uuid':
      return stringMapping('io.debezium.data.Uuid', o);
    case 'ltree':
      return stringMapping('io.debezium.data.Ltree', o);
    case 'tsvector':
      return stringMapping('io.debezium.data.Tsvector', o);
    case 'bytea':
      return simple(
        () => binaryBuilder(o.binaryMode),
        (t) => binary(o.binaryMode, parseByteaHex(t)),
        binary(o.binaryMode, new Uint8Array(0)),
        o.binaryMode === 'bytes' ? placeholderBytes(o.unavailablePlaceholder) : o.unavailablePlaceholder,
      );
    case 'bit':
    case 'varbit': {
      const len = mod < 0 ? (type.name === 'bit' ? 1 : 2147483647) : mod;
      if (len === 1) return simple(() => SchemaBuilder.bool(), (t) => t === '1', false);
      return simple(() => name(SchemaBuilder.bytes(), 'io.debezium.data.Bits').parameter('length', String(len)), bitsToBytes, new Uint8Array(0));
    }
    case 'date':
      return dateMapping(o);
    case 'time':
      return timeMapping(mod < 0 ? 6 : mod, o);
    case 'timetz':
      return simple(() => name(SchemaBuilder.string(), 'io.debezium.time.ZonedTime'), parseTimeTzToUtc, '00:00:00Z');
    case 'timestamp':
      return timestampMapping(mod < 0 ? 6 : mod, o);
    case 'timestamptz': {
      const p = mod < 0 ? 6 : mod;
      return simple(
        () => name(SchemaBuilder.string(), 'io.debezium.time.ZonedTimestamp'),
        memoLast((t) => (t === 'infinity' || t === '-infinity' ? t : formatZonedParts(...parseTimestampParts(t), p))),
        '1970-01-01T00:00:00Z',
      );
    }
    case 'interval':
      return o.intervalMode === 'string'
        ? simple(() => name(SchemaBuilder.string(), 'io.debezium.time.Interval'), (t) => intervalIsoString(parseInterval(t)), 'P0Y0M0DT0H0M0S')
        : simple(() => name(SchemaBuilder.int64(), 'io.debezium.time.MicroDuration'), (t) => int64(intervalMicros(parseInterval(t))), 0);
    case 'point':
      return {
        builder: pointSchema,
        parse: (t) => {
          const [x, y] = t.replace(/[()]/g, '').split(',').map(Number) as [number, number];
          return { x, y, wkb: pointWkb(x, y) } satisfies PointValue;
        },
        zero: { x: 0, y: 0, wkb: pointWkb(0, 0) } satisfies PointValue,
        toast: null,
      };
    case 'hstore':
      return hstoreMapping(o);
    default:
      return unknownMapping(o);
  }
}

/** Point values are plain objects until the table schema wraps them in a Struct of the column's schema. */
export interface PointValue {
  x: number;
  y: number;
  wkb: Uint8Array;
}

function unknownMapping(o: MappingOptions): TypeMapping | null {
  if (!o.includeUnknownDatatypes) return null;
  return simple(() => binaryBuilder(o.binaryMode), (t) => binary(o.binaryMode, Buffer.from(t, 'utf8')), binary(o.binaryMode, new Uint8Array(0)));
}

function numericMapping(typmod: number, o: MappingOptions): TypeMapping {
  const precision = typmod >= 4 ? ((typmod - 4) >> 16) & 0xffff : -1;
  const scale = typmod >= 4 ? (typmod - 4) & 0xffff : -1;
  if (o.decimalMode === 'double') return simple(() => SchemaBuilder.float64(), (t) => Number(t === 'NaN' ? NaN : t), 0);
  if (o.decimalMode === 'string') {
    return simple(
      () => SchemaBuilder.string(),
      (t) => (t === 'NaN' ? 'NAN' : t === 'Infinity' ? 'POSITIVE_INFINITY' : t === '-Infinity' ? 'NEGATIVE_INFINITY' : t),
      scale > 0 ? '0.' + '0'.repeat(scale) : '0',
    );
  }
  const special = (t: string) => {
    if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') {
      throw new DataException(`numeric value ${t} cannot be represented with decimal.handling.mode=precise; use double or string`);
    }
  };
  if (precision > 0) {
    return simple(
      () => Decimal.builder(scale).parameter('connect.decimal.precision', String(precision)),
      (t) => {
        special(t);
        return BigDecimal.parse(t).setScale(scale);
      },
      new BigDecimal(0n, scale),
    );
  }
  return {
    builder: variableScaleDecimalSchema,
    parse: (t) => {
      special(t);
      return BigDecimal.parse(t);
    },
    zero: new BigDecimal(0n, 0),
    toast: null,
  };
}

/** VariableScaleDecimal columns parse to BigDecimal; the table schema wraps them (see `finishValue`). */
export function finishValue(schema: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (schema.name === 'io.debezium.data.VariableScaleDecimal' && v instanceof BigDecimal) return variableScaleDecimal(v, schema.optional);
  if (schema.name === 'io.debezium.data.geometry.Point' && !(v instanceof Struct)) {
    const p = v as PointValue;
    return new Struct(schema).putUnchecked(0, p.x).putUnchecked(1, p.y).putUnchecked(2, p.wkb).putUnchecked(3, null);
  }
  return v;
}

function moneyMapping(o: MappingOptions): TypeMapping {
  const scale = o.moneyFractionDigits;
  if (o.decimalMode === 'double') return simple(() => SchemaBuilder.float64(), (t) => parseMoney(t, scale).toNumber(), 0);
  if (o.decimalMode === 'string') return simple(() => SchemaBuilder.string(), (t) => parseMoney(t, scale).toString(), '0');
  return simple(() => Decimal.builder(scale), (t) => parseMoney(t, scale), new BigDecimal(0n, scale));
}

function dateMapping(o: MappingOptions): TypeMapping {
  switch (o.timePrecisionMode) {
    case 'connect':
      return simple(() => ConnectDate.builder(), (t) => new Date((parseDate(t) ?? 0) * 86_400_000), new Date(0));
    case 'isostring':
      return simple(() => name(SchemaBuilder.string(), 'io.debezium.time.IsoDate'), (t) => (parseDate(t) === null ? t : formatIsoDate(parseDate(t)!)), '1970-01-01Z');
    default:
      return simple(() => name(SchemaBuilder.int32(), 'io.debezium.time.Date'), (t) => clampInt32(parseDate(t), t), 0);
  }
}

function clampInt32(days: number | null, t: string): number {
  if (days === null) return t === 'infinity' ? 2147483647 : -2147483648;
  return days;
}

function timeMapping(p: number, o: MappingOptions): TypeMapping {
  switch (o.timePrecisionMode) {
    case 'connect':
      return simple(() => ConnectTime.builder(), (t) => new Date(Math.min(Math.floor(parseTime(t) / 1000), 86_399_999)), new Date(0));
    case 'isostring':
      return simple(() => name(SchemaBuilder.string(), 'io.debezium.time.IsoTime'), (t) => formatClock(parseTime(t) % 86_400_000_000) + 'Z', '00:00:00Z');
    case 'nanoseconds':
      return simple(() => name(SchemaBuilder.int64(), 'io.debezium.time.NanoTime'), (t) => int64(BigInt(parseTime(t)) * 1000n), 0);
    default:
      if (o.timePrecisionMode === 'adaptive' && p <= 3) {
        return simple(() => name(SchemaBuilder.int32(), 'io.debezium.time.Time'), (t) => Math.floor(parseTime(t) / 1000), 0);
      }
      return simple(() => name(SchemaBuilder.int64(), 'io.debezium.time.MicroTime'), (t) => parseTime(t), 0);
  }
}

function timestampMapping(p: number, o: MappingOptions): TypeMapping {
  const inf = (us: number): bigint | null => (us === Infinity ? POS_INF_TS : us === -Infinity ? NEG_INF_TS : null);
  switch (o.timePrecisionMode) {
    case 'connect':
      return simple(() => ConnectTimestamp.builder(), (t) => new Date(Math.floor(parseTimestamp(t) / 1000)), new Date(0));
    case 'isostring':
      return simple(() => name(SchemaBuilder.string(), 'io.debezium.time.IsoTimestamp'), memoLast((t) => (t.endsWith('infinity') ? t : formatIsoInstant(parseTimestamp(t)))), '1970-01-01T00:00:00Z');
    case 'nanoseconds':
      return simple(() => name(SchemaBuilder.int64(), 'io.debezium.time.NanoTimestamp'), (t) => {
        const us = parseTimestamp(t);
        if (!Number.isFinite(us)) return us > 0 ? 9223372036854775807n : -9223372036854775808n;
        return int64(BigInt(us) * 1000n);
      }, 0);
    default:
      if ((o.timePrecisionMode === 'adaptive' || o.timePrecisionMode === 'adaptive_time_microseconds') && p <= 3) {
        return simple(() => name(SchemaBuilder.int64(), 'io.debezium.time.Timestamp'), (t) => {
          const us = parseTimestamp(t);
          return inf(us) ?? int64(Math.floor(us / 1000));
        }, 0);
      }
      return simple(() => name(SchemaBuilder.int64(), 'io.debezium.time.MicroTimestamp'), (t) => {
        const us = parseTimestamp(t);
        return inf(us) ?? int64(us);
      }, 0);
  }
}

function hstoreMapping(o: MappingOptions): TypeMapping {
  if (o.hstoreMode === 'map') {
    const p = o.unavailablePlaceholder;
    return simple(
      () => SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA),
      (t) => new Map(parseHstore(t)),
      new Map(),
      new Map([[p, p]]),
    );
  }
  return simple(
    () => name(SchemaBuilder.string(), 'io.debezium.data.Json'),
    (t) => JSON.stringify(Object.fromEntries(parseHstore(t))),
    '{}',
    JSON.stringify({ [o.unavailablePlaceholder]: o.unavailablePlaceholder }),
  );
}

const UNSUPPORTED_ELEMENTS = new Set(['money', 'name', 'interval', 'varbit', 'xml', 'point', 'refcursor']);

function arrayMapping(elemOid: number, registry: TypeRegistry, o: MappingOptions): TypeMapping | null {
  const elemType = registry.resolveDomain(elemOid, -1);
  if (!elemType.type || elemType.isDomain || UNSUPPORTED_ELEMENTS.has(elemType.type.name)) return o.includeUnknownDatatypes ? unknownMapping(o) : null;
  const elem = mapType(elemOid, -1, registry, o, true);
  if (!elem) return null;
  const elemSchema = elem.builder().optional().build();
  const p = o.unavailablePlaceholder;
  let toast: unknown;
  switch (elemSchema.type) {
    case 'string':
      toast = elemSchema.name === 'io.debezium.data.Uuid' ? [nameUuid(placeholderBytes(p))] : [p];
      break;
    case 'bytes':
      toast = [placeholderBytes(p)];
      break;
    case 'int32':
    case 'int64':
    case 'int16':
      toast = [...placeholderBytes(p)];
      break;
    default:
      toast = null;
  }
  return simple(
    () => SchemaBuilder.array(elemSchema),
    (t) => parseArrayLiteral(t).map((e) => (e === null ? null : finishValue(elemSchema, elem.parse(e)))),
    [],
    toast,
  );
}

/**
 * The schema default for a column default expression, or undefined when it cannot be parsed. Function
 * calls (`nextval(...)`, `now()`) give the type's zero value, as in Debezium.
 */
export function parseDefault(expr: string | null, mapping: TypeMapping): unknown {
  if (!expr) return undefined;
  let e = expr.trim();
  if (/^NULL(::.*)?$/i.test(e)) return undefined;
  if (/^[A-Za-z_][\w.]*\(.*\)(::[\w\s."[\]]+)?$/s.test(e)) return mapping.zero;
  try {
    const lit = /^'((?:[^']|'')*)'(::.*)?$/s.exec(e);
    if (lit) return mapping.parse(lit[1]!.replace(/''/g, "'"));
    e = e.replace(/::[\w\s."[\]]+$/, '');
    if (/^\(?-?\d+(\.\d+)?\)?$/.test(e)) return mapping.parse(e.replace(/[()]/g, ''));
    if (/^(true|false)$/i.test(e)) return mapping.parse(e.toLowerCase() === 'true' ? 't' : 'f');
  } catch {
    return undefined;
  }
  return undefined;
}
