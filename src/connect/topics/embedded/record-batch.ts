/**
 * The on-disk record batch: what one append of one partition writes. A segment file is a plain
 * sequence of batches, so it can be scanned from the start and a torn tail is recognised by its
 * length or its CRC.
 *
 *   off  size  field
 *   0    4     length         bytes after this field (header rest + records)
 *   4    4     crc            CRC-32 of bytes [8, 4 + length)
 *   8    1     magic          1
 *   9    3     reserved       0
 *   12   8     baseOffset     int64
 *   20   4     recordCount    uint32; record i has offset baseOffset + i
 *   24   8     maxTimestamp   int64
 *   32   ...   records
 *
 *   record: timestamp int64 | keyLength int32 (-1 = null) | key | valueLength int32 | value
 *           | headerCount uint32 | headers: keyLength uint32 | key utf8 | valueLength int32 | value
 *
 * All integers little-endian. CRC-32 (zlib's) because Node computes it natively.
 */
import zlib from 'node:zlib';
import type { ProduceRecord, TopicHeader } from '../types.js';

export const BATCH_HEADER_SIZE = 32;
export const BATCH_MAGIC = 1;
/** A batch frame shorter than this cannot be valid. */
const MIN_LENGTH = BATCH_HEADER_SIZE - 4;

/** Records of one send() are cut into batches of about this size (all still written with one call). */
export const TARGET_BATCH_BYTES = 1024 * 1024;

const TWO_32 = 4294967296;

export function writeInt64(buf: Buffer, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  buf.writeUInt32LE(n - hi * TWO_32, pos);
  buf.writeInt32LE(hi, pos + 4);
}

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32LE(pos + 4) * TWO_32 + buf.readUInt32LE(pos);
}

type Crc32 = (data: Uint8Array) => number;

/** zlib.crc32 exists from Node 20.15; older runtimes get a table-driven version. */
export const crc32: Crc32 =
  typeof (zlib as { crc32?: Crc32 }).crc32 === 'function'
    ? (zlib as unknown as { crc32: Crc32 }).crc32
    : tableCrc32();

function tableCrc32(): Crc32 {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return (data) => {
    let c = -1;
    for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  };
}

/** A record with its timestamp settled (CreateTime from the record, or now). */
export interface EncodableRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: TopicHeader[] | undefined;
  timestamp: number;
}

export function toEncodable(r: ProduceRecord, now: number): EncodableRecord {
  return { key: r.key ?? null, value: r.value ?? null, headers: r.headers, timestamp: r.timestamp ?? now };
}

function recordSize(r: EncodableRecord): number {
  let size = 20 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
  if (r.headers) {
    for (const h of r.headers) size += 4 + Buffer.byteLength(h.key, 'utf8') + 4 + (h.value?.length ?? 0);
  }
  return size;
}

export interface EncodedBatch {
  buffer: Buffer;
  baseOffset: number;
  count: number;
  maxTimestamp: number;
}

/**
 * Encodes records as consecutive batches starting at `baseOffset`, each about `targetBytes` at most
 * (a single larger record gets a batch of its own). All batches are consecutive views of one buffer, from
 * `alloc(totalBytes)` (which may return a larger buffer) or allocated for the call.
 */
export function encodeBatches(
  records: readonly EncodableRecord[],
  baseOffset: number,
  targetBytes = TARGET_BATCH_BYTES,
  alloc: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size),
): EncodedBatch[] {
  const n = records.length;
  const sizes = new Array<number>(n);
  let total = 0;
  let batchBytes = 0;
  for (let i = 0; i < n; i++) {
    const size = recordSize(records[i]!);
    sizes[i] = size;
    if (i === 0 || batchBytes + size > targetBytes) {
      total += BATCH_HEADER_SIZE;
      batchBytes = BATCH_HEADER_SIZE;
    }
    total += size;
    batchBytes += size;
  }
  const buf = alloc(total);
  const out: EncodedBatch[] = [];
  let start = 0;
  let pos = 0;
  while (start < n) {
    let end = start;
    let bytes = BATCH_HEADER_SIZE;
    while (end < n && (end === start || bytes + sizes[end]! <= targetBytes)) bytes += sizes[end++]!;
    out.push(encodeBatch(records, start, end, buf.subarray(pos, pos + bytes), baseOffset + start));
    pos += bytes;
    start = end;
  }
  return out;
}

/** Writes records [start, end) as one batch into `buf` (exactly the batch's size). */
function encodeBatch(
  records: readonly EncodableRecord[],
  start: number,
  end: number,
  buf: Buffer,
  baseOffset: number,
): EncodedBatch {
  let pos = BATCH_HEADER_SIZE;
  let maxTimestamp = -1;
  for (let i = start; i < end; i++) {
    const r = records[i]!;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    writeInt64(buf, pos, r.timestamp);
    pos = writeBytes(buf, pos + 8, r.key);
    pos = writeBytes(buf, pos, r.value);
    const headers = r.headers;
    buf.writeUInt32LE(headers ? headers.length : 0, pos);
    pos += 4;
    if (headers) {
      for (const h of headers) {
        const n = buf.write(h.key, pos + 4, 'utf8');
        buf.writeUInt32LE(n, pos);
        pos = writeBytes(buf, pos + 4 + n, h.value);
      }
    }
  }
  const bytes = buf.length;
  buf.writeUInt32LE(bytes - 4, 0);
  buf.writeUInt8(BATCH_MAGIC, 8);
  buf.writeUInt8(0, 9);
  buf.writeUInt16LE(0, 10);
  writeInt64(buf, 12, baseOffset);
  buf.writeUInt32LE(end - start, 20);
  writeInt64(buf, 24, maxTimestamp);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return { buffer: buf, baseOffset, count: end - start, maxTimestamp };
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf.writeInt32LE(-1, pos);
    return pos + 4;
  }
  buf.writeInt32LE(bytes.length, pos);
  buf.set(bytes, pos + 4);
  return pos + 4 + bytes.length;
}

/** What a batch header says; `size` is the whole frame (length field included). */
export interface BatchHeader {
  size: number;
  baseOffset: number;
  count: number;
  maxTimestamp: number;
}

export type FrameCheck =
  | { kind: 'ok'; header: BatchHeader }
  /** Not all of the frame is in `buf` (need `needed` bytes from `pos`). */
  | { kind: 'incomplete'; needed: number }
  | { kind: 'corrupt'; reason: string };

/**
 * Looks at the frame starting at `pos` in `buf` (which holds bytes up to `limit`). Verifies the CRC
 * when the frame is complete.
 */
export function checkFrame(buf: Buffer, pos: number, limit: number, verifyCrc = true): FrameCheck {
  if (limit - pos < 4) return { kind: 'incomplete', needed: BATCH_HEADER_SIZE };
  const length = buf.readUInt32LE(pos);
  if (length < MIN_LENGTH) return { kind: 'corrupt', reason: `batch length ${length} too small` };
  const size = length + 4;
  if (limit - pos < size) return { kind: 'incomplete', needed: size };
  if (buf[pos + 8] !== BATCH_MAGIC) return { kind: 'corrupt', reason: `unknown batch magic ${buf[pos + 8]}` };
  if (verifyCrc && crc32(buf.subarray(pos + 8, pos + size)) !== buf.readUInt32LE(pos + 4)) {
    return { kind: 'corrupt', reason: 'CRC mismatch' };
  }
  return {
    kind: 'ok',
    header: {
      size,
      baseOffset: readInt64(buf, pos + 12),
      count: buf.readUInt32LE(pos + 20),
      maxTimestamp: readInt64(buf, pos + 24),
    },
  };
}

/** A decoded record; key, value and header values are views into the read buffer. */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: TopicHeader[];
}

const NO_HEADERS: TopicHeader[] = [];

/**
 * Calls `onRecord` for each record of the (already checked) batch at `pos` whose offset is at least
 * `fromOffset`, until it returns false. Returns the offset after the last record handed out.
 */
export function decodeRecords(
  buf: Buffer,
  pos: number,
  header: BatchHeader,
  fromOffset: number,
  onRecord: (r: DecodedRecord) => boolean,
): number {
  const end = pos + header.size;
  let p = pos + BATCH_HEADER_SIZE;
  let offset = header.baseOffset;
  for (let i = 0; i < header.count; i++, offset++) {
    if (p + 20 > end) throw new Error(`record ${offset} runs past its batch`);
    const timestamp = readInt64(buf, p);
    p += 8;
    let len = buf.readInt32LE(p);
    p += 4;
    const key = len < 0 ? null : buf.subarray(p, p + len);
    if (len > 0) p += len;
    len = buf.readInt32LE(p);
    p += 4;
    const value = len < 0 ? null : buf.subarray(p, p + len);
    if (len > 0) p += len;
    const headerCount = buf.readUInt32LE(p);
    p += 4;
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      headers = new Array<TopicHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const kl = buf.readUInt32LE(p);
        const k = buf.toString('utf8', p + 4, p + 4 + kl);
        p += 4 + kl;
        const vl = buf.readInt32LE(p);
        p += 4;
        headers[h] = { key: k, value: vl < 0 ? null : buf.subarray(p, p + vl) };
        if (vl > 0) p += vl;
      }
    }
    if (p > end) throw new Error(`record ${offset} runs past its batch`);
    if (offset < fromOffset) continue;
    if (!onRecord({ offset, timestamp, key, value, headers: headers === NO_HEADERS ? [] : headers })) {
      return offset + 1;
    }
  }
  return offset;
}
