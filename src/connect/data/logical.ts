/**
 * Connect's logical types: Decimal, Date, Time, Timestamp (`org.apache.kafka.connect.data.*`).
 * Each has a schema builder, and conversions between the logical value and its underlying representation.
 */
import { DataException } from '../errors.js';
import { type Schema, SchemaBuilder, registerLogicalValidator } from './schema.js';

const MS_PER_DAY = 86_400_000;

/** An exact decimal number: `unscaled × 10^-scale`. */
export class BigDecimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  /** Parses `-12.340`, `1e3`, `5` into an exact decimal (the scale follows the digits given). */
  static parse(text: string): BigDecimal {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DataException(`Invalid decimal: ${text}`);
    const intPart = m[2] ?? '';
    const frac = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    let unscaled = BigInt((m[1] === '-' ? '-' : '') + (intPart + frac || '0'));
    let scale = frac.length - exp;
    if (scale < 0) {
      unscaled *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new BigDecimal(unscaled, scale);
  }

  static fromNumber(n: number): BigDecimal {
    return BigDecimal.parse(String(n));
  }

  /** The same value at another scale; rounding is HALF_UP when the scale shrinks. */
  setScale(scale: number): BigDecimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new BigDecimal(this.unscaled * 10n ** BigInt(scale - this.scale), scale);
    const div = 10n ** BigInt(this.scale - scale);
    let q = this.unscaled / div;
    const r = this.unscaled % div;
    const absR = r < 0n ? -r : r;
    if (absR * 2n >= div) q += this.unscaled < 0n ? -1n : 1n;
    return new BigDecimal(q, scale);
  }

  toNumber(): number {
    return Number(this.toString());
  }

  /** Plain notation, like Java's `BigDecimal.toPlainString`. */
  toString(): string {
    const neg = this.unscaled < 0n;
    let digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-this.scale);
    if (digits.length <= this.scale) digits = '0'.repeat(this.scale - digits.length + 1) + digits;
    return (neg ? '-' : '') + digits.slice(0, digits.length - this.scale) + '.' + digits.slice(digits.length - this.scale);
  }

  toJSON(): string {
    return this.toString();
  }

  equals(other: unknown): boolean {
    return other instanceof BigDecimal && other.unscaled === this.unscaled && other.scale === this.scale;
  }
}

export const Decimal = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Decimal',
  SCALE_FIELD: 'scale',
  builder(scale: number): SchemaBuilder {
    return SchemaBuilder.bytes().name(Decimal.LOGICAL_NAME).parameter(Decimal.SCALE_FIELD, String(scale)).version(1);
  },
  schema(scale: number): Schema {
    return Decimal.builder(scale).build();
  },
  scaleOf(schema: Schema): number {
    const s = schema.parameters?.[Decimal.SCALE_FIELD];
    if (s === undefined) throw new DataException('Invalid Decimal schema: scale parameter not found.');
    return Number(s);
  },
  /** Two's-complement big-endian bytes of the unscaled value (Java `BigInteger.toByteArray`). */
  fromLogical(schema: Schema, value: BigDecimal): Uint8Array {
    const scale = Decimal.scaleOf(schema);
    if (value.scale !== scale) throw new DataException(`Decimal value has mismatching scale for given Decimal schema. Schema has scale ${scale}, value has scale ${value.scale}.`);
    return bigintToTwosComplement(value.unscaled);
  },
  toLogical(schema: Schema, bytes: Uint8Array): BigDecimal {
    return new BigDecimal(twosComplementToBigint(bytes), Decimal.scaleOf(schema));
  },
};

const SMALL = 2n ** 47n;

export function bigintToTwosComplement(n: bigint): Uint8Array {
  // Minimal length, like BigInteger.toByteArray: enough bytes for the value plus a sign bit.
  if (n < SMALL && n >= -SMALL) return smallTwosComplement(Number(n));
  let hex = (n < 0n ? -n - 1n : n).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  if (n < 0n) for (let i = 0; i < bytes.length; i++) bytes[i] = ~bytes[i]! & 0xff;
  return bytes;
}

/** The same for |v| <= 2^47 with number arithmetic (the usual decimal; no hex text, no concat). */
function smallTwosComplement(v: number): Buffer {
  let k = 1;
  let limit = 128;
  while (v >= limit || v < -limit) {
    k++;
    limit *= 256;
  }
  const bytes = Buffer.allocUnsafe(k);
  for (let i = k - 1; i >= 0; i--) {
    bytes[i] = ((v % 256) + 256) % 256;
    v = Math.floor(v / 256);
  }
  return bytes;
}

export function twosComplementToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const n = BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
  return (bytes[0]! & 0x80) !== 0 ? n - (1n << BigInt(bytes.length * 8)) : n;
}

export const ConnectDate = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Date',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name('org.apache.kafka.connect.data.Date').version(1);
  },
  SCHEMA: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Date').version(1).build(),
  /** Days since the epoch; the Date must be at midnight UTC. */
  fromLogical(_schema: Schema, value: Date): number {
    const ms = value.getTime();
    if (ms % MS_PER_DAY !== 0) throw new DataException('Kafka Connect Date type should not have any time fields set to non-zero values.');
    return ms / MS_PER_DAY;
  },
  toLogical(_schema: Schema, days: number): Date {
    return new Date(days * MS_PER_DAY);
  },
};

export const ConnectTime = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Time',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name('org.apache.kafka.connect.data.Time').version(1);
  },
  SCHEMA: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Time').version(1).build(),
  /** Milliseconds since midnight; the Date must be on 1970-01-01 UTC. */
  fromLogical(_schema: Schema, value: Date): number {
    const ms = value.getTime();
    if (ms < 0 || ms >= MS_PER_DAY) throw new DataException('Kafka Connect Time type should not have any date fields set to non-zero values.');
    return ms;
  },
  toLogical(_schema: Schema, ms: number): Date {
    if (ms < 0 || ms >= MS_PER_DAY) throw new DataException('Time values must use number of milliseconds greater than 0 and less than 86400000');
    return new Date(ms);
  },
};

export const ConnectTimestamp = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Timestamp',
  builder(): SchemaBuilder {
    return SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1);
  },
  SCHEMA: SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1).build(),
  fromLogical(_schema: Schema, value: Date): number {
    return value.getTime();
  },
  toLogical(_schema: Schema, ms: number | bigint): Date {
    return new Date(Number(ms));
  },
};

registerLogicalValidator(Decimal.LOGICAL_NAME, (v) => v instanceof BigDecimal);
registerLogicalValidator(ConnectDate.LOGICAL_NAME, (v) => v instanceof Date);
registerLogicalValidator(ConnectTime.LOGICAL_NAME, (v) => v instanceof Date);
registerLogicalValidator(ConnectTimestamp.LOGICAL_NAME, (v) => v instanceof Date);
