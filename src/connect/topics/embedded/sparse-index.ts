/**
 * The sparse offset index of one segment: every ~4 KiB of log, (batch base offset, file position,
 * largest timestamp so far). Kept in memory; written to `<base>.index` when a segment is sealed or the
 * log closes, with a trailer that says which log size it describes. An index whose trailer does not
 * match the log file is ignored and rebuilt by scanning the log.
 *
 *   entries: offset f64 | position f64 | maxTimestamp f64        (24 bytes each)
 *   trailer: magic u32 'TSIX' | entryCount u32 | logSize f64 | nextOffset f64 | maxTimestamp f64
 */
const STRIDE = 3;
const ENTRY_BYTES = 24;
const TRAILER_BYTES = 32;
const MAGIC = 0x58495354; // 'TSIX'

export const INDEX_INTERVAL_BYTES = 4096;

export interface IndexTrailer {
  logSize: number;
  nextOffset: number;
  maxTimestamp: number;
}

export class SparseIndex {
  private data = new Float64Array(16 * STRIDE);
  private n = 0;

  get length(): number {
    return this.n;
  }

  add(offset: number, position: number, maxTimestamp: number): void {
    if ((this.n + 1) * STRIDE > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const i = this.n * STRIDE;
    this.data[i] = offset;
    this.data[i + 1] = position;
    this.data[i + 2] = maxTimestamp;
    this.n++;
  }

  /** File position of the last indexed batch whose base offset is <= `offset` (0 when none). */
  floorPosition(offset: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid * STRIDE]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.data[found * STRIDE + 1]!;
  }

  lastEntry(): { offset: number; position: number; maxTimestamp: number } | null {
    if (this.n === 0) return null;
    const i = (this.n - 1) * STRIDE;
    return { offset: this.data[i]!, position: this.data[i + 1]!, maxTimestamp: this.data[i + 2]! };
  }

  /** Last indexed position; batches at or after it may still need scanning. */
  lastPosition(): number {
    return this.n === 0 ? 0 : this.data[(this.n - 1) * STRIDE + 1]!;
  }

  serialize(trailer: IndexTrailer): Buffer {
    const buf = Buffer.allocUnsafe(this.n * ENTRY_BYTES + TRAILER_BYTES);
    for (let i = 0; i < this.n * STRIDE; i++) buf.writeDoubleLE(this.data[i]!, i * 8);
    const t = this.n * ENTRY_BYTES;
    buf.writeUInt32LE(MAGIC, t);
    buf.writeUInt32LE(this.n, t + 4);
    buf.writeDoubleLE(trailer.logSize, t + 8);
    buf.writeDoubleLE(trailer.nextOffset, t + 16);
    buf.writeDoubleLE(trailer.maxTimestamp, t + 24);
    return buf;
  }

  /** Parses an index file; null when it is damaged or describes a log of another size. */
  static parse(buf: Buffer, logSize: number): { index: SparseIndex; trailer: IndexTrailer } | null {
    if (buf.length < TRAILER_BYTES || (buf.length - TRAILER_BYTES) % ENTRY_BYTES !== 0) return null;
    const t = buf.length - TRAILER_BYTES;
    const n = t / ENTRY_BYTES;
    if (buf.readUInt32LE(t) !== MAGIC || buf.readUInt32LE(t + 4) !== n) return null;
    const trailer = {
      logSize: buf.readDoubleLE(t + 8),
      nextOffset: buf.readDoubleLE(t + 16),
      maxTimestamp: buf.readDoubleLE(t + 24),
    };
    if (trailer.logSize !== logSize) return null;
    const index = new SparseIndex();
    for (let i = 0; i < n; i++) {
      const p = i * ENTRY_BYTES;
      index.add(buf.readDoubleLE(p), buf.readDoubleLE(p + 8), buf.readDoubleLE(p + 16));
    }
    if (n > 0 && index.lastPosition() >= logSize) return null;
    return { index, trailer };
  }
}
