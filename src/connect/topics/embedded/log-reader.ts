/**
 * A read position in one partition log with buffered reads: it reads up to 1 MiB of the segment at a
 * time, hands out records from that chunk (as views, no copies) and only then reads the next chunk.
 * Batches are CRC-checked as they are read.
 */
import { ConnectException } from '../../errors.js';
import type { ConsumedRecord } from '../types.js';
import { checkFrame, decodeRecords } from './record-batch.js';
import type { PartitionLog } from './partition-log.js';
import type { Segment } from './segment.js';

const READ_CHUNK = 1024 * 1024;

/** `read()` result when the position is before the log start or after its end. */
export const OUT_OF_RANGE = -1;

export class LogCursor {
  private seg: Segment | null = null;
  private buf: Buffer | null = null;
  /** File position of buf[0]. */
  private bufStart = 0;
  private bufLen = 0;
  /** Position in buf of the next batch to look at. */
  private parse = 0;

  constructor(
    readonly log: PartitionLog,
    public offset: number,
  ) {}

  seek(offset: number): void {
    this.offset = offset;
    this.seg = null;
    this.buf = null;
  }

  /**
   * Appends to `out` up to `maxRecords` records (and about `maxBytes` of keys and values) from the
   * current offset. Returns how many, or OUT_OF_RANGE.
   */
  async read(maxRecords: number, maxBytes: number, out: ConsumedRecord[]): Promise<number> {
    const log = this.log;
    if (log.isClosed) return 0; // topic deleted; the consumer rebalances on its next poll
    if (this.offset < log.startOffset() || this.offset > log.endOffset()) return OUT_OF_RANGE;
    let added = 0;
    let bytes = 0;
    const topic = log.topic;
    const partition = log.partition;
    const take = (r: { offset: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers: ConsumedRecord['headers'] }): boolean => {
      out.push({
        topic,
        partition,
        offset: r.offset,
        timestamp: r.timestamp,
        timestampType: 'CreateTime',
        key: r.key,
        value: r.value,
        headers: r.headers,
      });
      added++;
      bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      this.offset = r.offset + 1;
      return added < maxRecords && bytes < maxBytes;
    };
    while (added < maxRecords && bytes < maxBytes && this.offset < log.endOffset() && !log.isClosed) {
      if (this.seg === null || this.seg.deleted) {
        this.seg = log.segmentFor(this.offset);
        if (this.seg === null) return added || OUT_OF_RANGE;
        this.buf = null;
        this.bufStart = this.seg.index.floorPosition(this.offset);
      }
      const seg = this.seg;
      if (this.buf === null || this.parse >= this.bufLen) {
        const filePos = this.buf === null ? this.bufStart : this.bufStart + this.parse;
        if (filePos >= seg.size) {
          const next = log.nextSegment(seg);
          if (next === null) break;
          this.seg = next;
          this.buf = null;
          this.bufStart = 0;
          continue;
        }
        if (!(await this.fill(seg, filePos, Math.min(READ_CHUNK, seg.size - filePos)))) continue;
      }
      const buf = this.buf!;
      const c = checkFrame(buf, this.parse, this.bufLen);
      if (c.kind === 'ok') {
        const h = c.header;
        if (h.baseOffset + h.count > this.offset) {
          decodeRecords(buf, this.parse, h, this.offset, take);
          if (this.offset < h.baseOffset + h.count) break; // stopped inside this batch; resume here next time
        }
        this.parse += h.size;
      } else if (c.kind === 'incomplete') {
        // The batch straddles the chunk end: read again from its start, with room for all of it.
        const filePos = this.bufStart + this.parse;
        if (filePos + c.needed > seg.size) throw this.corrupt(seg, filePos, 'batch runs past the end of the log');
        await this.fill(seg, filePos, Math.max(c.needed, Math.min(READ_CHUNK, seg.size - filePos)));
      } else {
        throw this.corrupt(seg, this.bufStart + this.parse, c.reason);
      }
    }
    return added;
  }

  /** Reads `length` bytes at `filePos` into a fresh buffer; false when the segment vanished (retention). */
  private async fill(seg: Segment, filePos: number, length: number): Promise<boolean> {
    const buf = Buffer.allocUnsafe(length);
    let n: number;
    try {
      n = await seg.read(buf, length, filePos);
    } catch (err) {
      if (seg.deleted) {
        this.seg = null;
        return false;
      }
      throw err;
    }
    this.buf = buf;
    this.bufStart = filePos;
    this.bufLen = n;
    this.parse = 0;
    return true;
  }

  private corrupt(seg: Segment, pos: number, reason: string): ConnectException {
    return new ConnectException(
      `Corrupt record batch in ${this.log.topic}-${this.log.partition} (segment ${seg.logPath}, position ${pos}): ${reason}`,
    );
  }
}
