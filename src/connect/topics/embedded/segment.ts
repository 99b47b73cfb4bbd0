/**
 * One segment of a partition log: `<baseOffset 20 digits>.log` (batches) and `.index` (sparse index).
 *
 * Three positions matter: `writtenSize` (where the next append goes), `durableSize` (what fsync has
 * covered) and `size` (what readers may see: written and, under fsync=always, durable). Readers never
 * look past `size`, so they never see a batch whose send() has not resolved.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkFrame, type BatchHeader, type EncodedBatch } from './record-batch.js';
import { INDEX_INTERVAL_BYTES, SparseIndex } from './sparse-index.js';

const SCAN_CHUNK = 1024 * 1024;

export function segmentFileName(baseOffset: number, ext: 'log' | 'index'): string {
  return `${String(baseOffset).padStart(20, '0')}.${ext}`;
}

export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? Number(m[1]) : null;
}

export interface ScanResult {
  /** Position after the last valid batch. */
  end: number;
  nextOffset: number;
  maxTimestamp: number;
  /** Why the scan stopped before the file end ('' when it reached the end). */
  problem: string;
}

export class Segment {
  readonly logPath: string;
  readonly indexPath: string;
  size = 0;
  nextOffset: number;
  maxTimestamp = -1;
  writtenSize = 0;
  writtenNextOffset: number;
  writtenMaxTimestamp = -1;
  durableSize = 0;
  index = new SparseIndex();
  sealed = false;
  deleted = false;
  /** Wall clock of the first append in this process (for `segment.ms`). */
  firstAppendAt = 0;
  private bytesSinceIndex = 0;
  private handle: fs.FileHandle | null = null;
  private opening: Promise<fs.FileHandle> | null = null;
  private syncing: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly writable: boolean,
  ) {
    this.logPath = path.join(dir, segmentFileName(baseOffset, 'log'));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, 'index'));
    this.nextOffset = baseOffset;
    this.writtenNextOffset = baseOffset;
  }

  /** Creates an empty segment file (owner only). */
  static async create(dir: string, baseOffset: number): Promise<Segment> {
    const seg = new Segment(dir, baseOffset, true);
    seg.handle = await fs.open(seg.logPath, 'wx+');
    return seg;
  }

  private fileHandle(): Promise<fs.FileHandle> {
    if (this.handle) return Promise.resolve(this.handle);
    this.opening ??= fs.open(this.logPath, this.writable ? 'r+' : 'r').then((h) => {
      this.handle = h;
      return h;
    });
    return this.opening;
  }

  /**
   * Loads an existing segment. With a matching index (clean shutdown, or a sealed segment) only the
   * batches after the last index entry are checked; otherwise the whole log is scanned, checking every
   * batch. With `repair`, a torn or corrupt tail is cut off the file. Returns what was wrong ('' if nothing).
   */
  async load(repair: boolean): Promise<string> {
    const stat = await fs.stat(this.logPath);
    const parsed = await fs
      .readFile(this.indexPath)
      .then((b) => SparseIndex.parse(b, stat.size))
      .catch(() => null);
    const last = parsed?.index.lastEntry() ?? null;
    this.index = parsed && last ? parsed.index : new SparseIndex();
    this.bytesSinceIndex = 0;
    const r = last
      ? await this.scan(last.position, last.offset, last.maxTimestamp, stat.size)
      : await this.scan(0, this.baseOffset, -1, stat.size);
    this.setAll(r.end, r.nextOffset, r.maxTimestamp);
    if (r.end < stat.size && repair) {
      const h = await this.fileHandle();
      await h.truncate(r.end);
      await h.sync();
    }
    return r.problem;
  }

  private setAll(size: number, nextOffset: number, maxTimestamp: number): void {
    this.size = this.writtenSize = this.durableSize = size;
    this.nextOffset = this.writtenNextOffset = nextOffset;
    this.maxTimestamp = this.writtenMaxTimestamp = maxTimestamp;
  }

  /**
   * Reads and checks batches from `from` up to `fileSize` in 1 MiB chunks (never the whole segment),
   * adding index entries. Stops at the first incomplete or corrupt batch.
   */
  async scan(from: number, nextOffset: number, maxTimestamp: number, fileSize: number): Promise<ScanResult> {
    const h = await this.fileHandle();
    let pos = from;
    let buf = Buffer.allocUnsafe(SCAN_CHUNK);
    while (pos < fileSize) {
      const want = Math.min(buf.length, fileSize - pos);
      const { bytesRead } = await h.read(buf, 0, want, pos);
      if (bytesRead === 0) break;
      let p = 0;
      for (;;) {
        const c = checkFrame(buf, p, bytesRead);
        if (c.kind === 'ok') {
          if (c.header.baseOffset < nextOffset) {
            return { end: pos + p, nextOffset, maxTimestamp, problem: `offset ${c.header.baseOffset} goes backwards` };
          }
          this.indexBatch(c.header, pos + p, Math.max(maxTimestamp, c.header.maxTimestamp));
          nextOffset = c.header.baseOffset + c.header.count;
          maxTimestamp = Math.max(maxTimestamp, c.header.maxTimestamp);
          p += c.header.size;
          continue;
        }
        if (c.kind === 'corrupt') return { end: pos + p, nextOffset, maxTimestamp, problem: c.reason };
        // The frame does not fit in the file: a torn tail. Otherwise it only did not fit in this chunk.
        if (pos + p + c.needed > fileSize) {
          return { end: pos + p, nextOffset, maxTimestamp, problem: pos + p < fileSize ? 'incomplete batch' : '' };
        }
        if (p === 0 && c.needed > buf.length) buf = Buffer.allocUnsafe(c.needed);
        break;
      }
      pos += p;
    }
    return { end: pos, nextOffset, maxTimestamp, problem: '' };
  }

  private indexBatch(header: BatchHeader, position: number, maxTimestampSoFar: number): void {
    if (this.index.length === 0 || this.bytesSinceIndex >= INDEX_INTERVAL_BYTES) {
      this.index.add(header.baseOffset, position, maxTimestampSoFar);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += header.size;
  }

  /** Writes batches at `writtenSize` with one call; on failure the file is cut back so nothing half-written remains. */
  async append(batches: EncodedBatch[], now: number): Promise<void> {
    const h = await this.fileHandle();
    const start = this.writtenSize;
    const buffers = batches.map((b) => b.buffer);
    const total = buffers.reduce((n, b) => n + b.length, 0);
    try {
      let done = 0;
      while (done < total) {
        const { bytesWritten } = done === 0
          ? await h.writev(buffers, start)
          : await h.write(Buffer.concat(buffers).subarray(done), 0, total - done, start + done);
        done += bytesWritten;
      }
    } catch (err) {
      await h.truncate(start).catch(() => undefined);
      throw err;
    }
    if (this.firstAppendAt === 0) this.firstAppendAt = now;
    let pos = start;
    for (const b of batches) {
      this.writtenMaxTimestamp = Math.max(this.writtenMaxTimestamp, b.maxTimestamp);
      this.indexBatch({ size: b.buffer.length, baseOffset: b.baseOffset, count: b.count, maxTimestamp: b.maxTimestamp }, pos, this.writtenMaxTimestamp);
      pos += b.buffer.length;
    }
    this.writtenSize = pos;
    this.writtenNextOffset = batches[batches.length - 1]!.baseOffset + batches[batches.length - 1]!.count;
  }

  /** Makes what is written so far visible to readers (no fsync). */
  publishWritten(): void {
    this.size = this.writtenSize;
    this.nextOffset = this.writtenNextOffset;
    this.maxTimestamp = this.writtenMaxTimestamp;
  }

  /**
   * fsyncs until `position` is durable, sharing one fsync among all callers waiting at the same time
   * (group commit), then publishes what that fsync covered.
   */
  async syncTo(position: number): Promise<void> {
    while (this.durableSize < position) {
      if (this.syncing) {
        await this.syncing;
        continue;
      }
      const target = { size: this.writtenSize, next: this.writtenNextOffset, ts: this.writtenMaxTimestamp };
      this.syncing = this.fileHandle()
        .then((h) => h.datasync())
        .then(() => {
          this.durableSize = Math.max(this.durableSize, target.size);
          if (target.size > this.size) {
            this.size = target.size;
            this.nextOffset = target.next;
            this.maxTimestamp = target.ts;
          }
        })
        .finally(() => {
          this.syncing = null;
        });
      await this.syncing;
    }
  }

  /** Extends what a read-only view sees when another process appended (checks every new batch). */
  async refresh(): Promise<boolean> {
    const stat = await fs.stat(this.logPath).catch(() => null);
    if (!stat || stat.size <= this.size) return false;
    const r = await this.scan(this.size, this.nextOffset, this.maxTimestamp, stat.size);
    if (r.end <= this.size) return false;
    this.setAll(r.end, r.nextOffset, r.maxTimestamp);
    return true;
  }

  async read(buf: Buffer, length: number, position: number): Promise<number> {
    const h = await this.fileHandle();
    const { bytesRead } = await h.read(buf, 0, length, position);
    return bytesRead;
  }

  /** Writes the index with its trailer (so the next open need not scan), fsyncing both files. */
  async writeIndex(): Promise<void> {
    await this.syncTo(this.writtenSize);
    const buf = this.index.serialize({ logSize: this.size, nextOffset: this.nextOffset, maxTimestamp: this.maxTimestamp });
    const ih = await fs.open(this.indexPath, 'w');
    try {
      await ih.writeFile(buf);
      await ih.sync();
    } finally {
      await ih.close();
    }
  }

  /** Called when the segment stops being the active one: durable, with its index on disk. */
  async seal(): Promise<void> {
    await this.writeIndex();
    this.sealed = true;
  }

  async close(): Promise<void> {
    const h = this.handle ?? (this.opening ? await this.opening.catch(() => null) : null);
    this.handle = null;
    this.opening = null;
    if (h) await h.close();
  }

  /** Read-only view: the owner deleted this segment; stop reading it. */
  async forget(): Promise<void> {
    this.deleted = true;
    await this.close();
  }

  async delete(): Promise<void> {
    this.deleted = true;
    await this.close();
    await fs.rm(this.logPath, { force: true });
    await fs.rm(this.indexPath, { force: true });
  }
}
