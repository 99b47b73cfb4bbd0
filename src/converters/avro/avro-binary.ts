/**
 * Avro's binary encoding, primitives only (spec "Binary Encoding"): int and long as zig-zag varints, float
 * and double little-endian, bytes and string length-prefixed. Records, arrays, maps and unions are written
 * by the compiled encoders of avro-values.ts from these.
 *
 * One `AvroWriter` is reused by a converter for every record (it grows and stays grown); `finish` copies
 * the bytes written out.
 */
import { DataException } from '../../connect/errors.js';

const TWO_32 = 4294967296;
const TWO_52 = 2 ** 52;

export class AvroWriter {
  private buf = Buffer.allocUnsafe(1024);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written since `reset`. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** 4-byte big-endian (the schema id of the wire format). */
  int32BE(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  boolean(v: boolean): void {
    this.byte(v ? 1 : 0);
  }

  int(v: number): void {
    this.ensure(5);
    let n = ((v << 1) ^ (v >> 31)) >>> 0;
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  long(v: number | bigint): void {
    if (typeof v === 'number' && v >= -0x40000000 && v < 0x40000000 && Number.isInteger(v)) {
      this.int(v);
      return;
    }
    this.ensure(10);
    if (typeof v === 'number') {
      if (!(v > -TWO_52 && v < TWO_52 && Number.isInteger(v))) {
        this.longBig(BigInt(Math.trunc(v)));
        return;
      }
      // zig-zag in doubles: 2v for v >= 0, -2v - 1 for v < 0 (exact while |v| < 2^52).
      let n = v >= 0 ? v * 2 : -v * 2 - 1;
      while (n >= 0x80) {
        this.buf[this.pos++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
      this.buf[this.pos++] = n;
      return;
    }
    this.longBig(v);
  }

  private longBig(v: bigint): void {
    this.ensure(10);
    let n = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (n > 0x7fn) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }

  float(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(v: Uint8Array): void {
    this.long(v.length);
    this.raw(v);
  }

  /** Bytes without a length (fixed, and the top-level bytes value of Confluent's serializer). */
  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  string(v: string): void {
    const max = v.length * 3;
    if (max < 64) {
      // Short string: its zig-zag length (< 128) fits in one byte whatever the UTF-8 size; text after it.
      this.ensure(1 + max);
      const start = this.pos++;
      const n = this.buf.write(v, this.pos, 'utf8');
      this.buf[start] = n << 1;
      this.pos += n;
      return;
    }
    const n = Buffer.byteLength(v, 'utf8');
    this.long(n);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos, 'utf8');
  }
}

export class AvroReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DataException('Avro data is truncated');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  boolean(): boolean {
    return this.byte() !== 0;
  }

  int(): number {
    let n = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      n |= (b & 0x7f) << shift;
      shift += 7;
      if (shift > 35) throw new DataException('Invalid Avro int');
    } while (b & 0x80);
    return (n >>> 1) ^ -(n & 1);
  }

  /** A long as a number when it is a safe integer, else a bigint (Connect's int64 representation). */
  long(): number | bigint {
    // Up to 7 bytes (49 bits) fit a double exactly.
    let n = 0;
    let mul = 1;
    let b: number;
    let i = 0;
    const start = this.pos;
    do {
      b = this.byte();
      n += (b & 0x7f) * mul;
      mul *= 128;
      i++;
    } while (b & 0x80 && i < 7);
    if (!(b & 0x80)) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    this.pos = start;
    return this.longBig();
  }

  private longBig(): number | bigint {
    let n = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.byte();
      n |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (shift > 70n) throw new DataException('Invalid Avro long');
    } while (b & 0x80);
    const v = BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  float(): number {
    this.need(4);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bytes(): Buffer {
    return this.raw(this.length());
  }

  raw(n: number): Buffer {
    this.need(n);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.length();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A block or item count (negative counts are followed by the block's byte size, which is skipped). */
  blockCount(): number {
    let n = Number(this.long());
    if (n < 0) {
      this.long();
      n = -n;
    }
    return n;
  }

  private length(): number {
    const n = Number(this.long());
    if (n < 0 || n > TWO_32) throw new DataException('Invalid Avro length ' + n);
    return n;
  }
}
