/**
 * The log of one partition: a directory of segments, the last one active. Appends are serialised per
 * partition (one write call per send()), then made durable per the fsync policy before they become
 * visible to readers and before send() resolves.
 *
 * Opened by the owner (the process holding the directory lock) it repairs a torn tail and writes; opened
 * read-only (e.g. `tsconnect consume` beside a worker) it never touches the files and follows the
 * owner's appends with `refresh()`.
 */
import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import { encodeBatches, type EncodableRecord } from './record-batch.js';
import { parseSegmentFileName, Segment } from './segment.js';
import type { FsyncPolicy, LogConfig } from './log-config.js';
import { fsyncDir } from './files.js';
import { acquireScratch, releaseScratch } from './scratch-buffers.js';

export interface AppendResult {
  baseOffset: number;
  count: number;
}

export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  fsync: FsyncPolicy;
  owner: boolean;
  logger: Logger;
}

export class PartitionLog {
  segments: Segment[] = [];
  private readonly listeners = new Set<() => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set by fsync=interval: segments written since the last timer fsync. */
  readonly dirty = new Set<Segment>();

  private constructor(readonly opts: PartitionLogOptions) {}

  get isClosed(): boolean {
    return this.closed;
  }

  get topic(): string {
    return this.opts.topic;
  }
  get partition(): number {
    return this.opts.partition;
  }

  /** Creates the directory and first segment (owner, new topic). */
  static async create(opts: PartitionLogOptions): Promise<PartitionLog> {
    await fs.mkdir(opts.dir, { recursive: true });
    const log = new PartitionLog(opts);
    log.segments.push(await Segment.create(opts.dir, 0));
    return log;
  }

  static async open(opts: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(opts);
    if (opts.owner) await fs.mkdir(opts.dir, { recursive: true });
    await log.loadSegments();
    if (opts.owner && log.segments.length === 0) log.segments.push(await Segment.create(opts.dir, 0));
    return log;
  }

  private async loadSegments(): Promise<void> {
    const names = await fs.readdir(this.opts.dir).catch(() => [] as string[]);
    const bases = names
      .map(parseSegmentFileName)
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    for (let i = 0; i < bases.length; i++) {
      const last = i === bases.length - 1;
      const seg = new Segment(this.opts.dir, bases[i]!, this.opts.owner);
      const problem = await seg.load(this.opts.owner);
      if (problem && this.opts.owner) {
        this.opts.logger.warn(
          { topic: this.topic, partition: this.partition, segment: seg.baseOffset, size: seg.size, problem },
          'cut a torn or corrupt tail off the log',
        );
      }
      seg.sealed = !last;
      this.segments.push(seg);
    }
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  startOffset(): number {
    return this.segments.length ? this.segments[0]!.baseOffset : 0;
  }

  /** The offset the next visible record will get (the log end offset readers see). */
  endOffset(): number {
    return this.segments.length ? this.active.nextOffset : 0;
  }

  /** Total bytes of the segment files. */
  sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.writtenSize;
    return n;
  }

  /** The segment holding `offset` (the last one whose base offset is <= offset), or null. */
  segmentFor(offset: number): Segment | null {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found: Segment | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = this.segments[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  nextSegment(seg: Segment): Segment | null {
    const i = this.segments.indexOf(seg);
    return i >= 0 && i + 1 < this.segments.length ? this.segments[i + 1]! : null;
  }

  /** Called (synchronously) whenever new records become visible. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** Appends records in order; resolves when they are written and durable per the fsync policy. */
  append(records: EncodableRecord[]): Promise<AppendResult> {
    if (!this.opts.owner) return Promise.reject(new Error('this embedded log is open read-only'));
    const step = this.queue.then(() => this.write(records));
    this.queue = step.catch(() => undefined);
    return step.then(async ({ seg, end, result }) => {
      if (this.opts.fsync === 'always') await seg.syncTo(end);
      else {
        seg.publishWritten();
        if (this.opts.fsync === 'interval') this.dirty.add(seg);
      }
      this.notify();
      return result;
    });
  }

  private async write(records: EncodableRecord[]): Promise<{ seg: Segment; end: number; result: AppendResult }> {
    if (this.closed) throw new Error(`log of ${this.topic}-${this.partition} is closed`);
    const now = Date.now();
    const baseOffset = this.active.writtenNextOffset;
    // Encoded into a reused buffer: its bytes are needed only until seg.append() has written them.
    let scratch: Buffer | null = null;
    const batches = encodeBatches(records, baseOffset, undefined, (size) => (scratch = acquireScratch(size)));
    try {
      const bytes = batches.reduce((n, b) => n + b.buffer.length, 0);
      if (this.shouldRoll(bytes, now)) await this.roll(baseOffset);
      const seg = this.active;
      await seg.append(batches, now);
      return { seg, end: seg.writtenSize, result: { baseOffset, count: records.length } };
    } finally {
      if (scratch) releaseScratch(scratch);
    }
  }

  private shouldRoll(bytes: number, now: number): boolean {
    const seg = this.active;
    if (seg.writtenSize === 0) return false;
    if (seg.writtenSize + bytes > this.opts.config.segmentBytes) return true;
    return seg.firstAppendAt > 0 && now - seg.firstAppendAt >= this.opts.config.segmentMs;
  }

  /** Seals the active segment (durable, index on disk) before the next one receives anything. */
  private async roll(baseOffset: number): Promise<void> {
    const old = this.active;
    await old.seal();
    const seg = await Segment.create(this.opts.dir, baseOffset);
    if (this.opts.fsync !== 'never') await fsyncDir(this.opts.dir);
    this.segments.push(seg);
    this.dirty.delete(old);
    // The old segment's file handle stays open: consumers may be reading it right now.
  }

  /** fsync=interval: makes everything written so far durable. */
  async syncDirty(): Promise<void> {
    const segs = [...this.dirty];
    this.dirty.clear();
    await Promise.all(segs.filter((s) => !s.deleted).map((s) => s.syncTo(s.writtenSize)));
  }

  /**
   * Deletes whole sealed segments, oldest first, that are past `retention.ms` (by their largest record
   * timestamp) or beyond `retention.bytes`. The active segment is never deleted. Returns how many.
   */
  async enforceRetention(now: number): Promise<number> {
    const { retentionBytes, retentionMs, deleteEnabled } = this.opts.config;
    if (!this.opts.owner || !deleteEnabled) return 0;
    const doomed: Segment[] = [];
    let excess = retentionBytes >= 0 ? this.sizeBytes() - retentionBytes : 0;
    for (let i = 0; i < this.segments.length - 1; i++) {
      const seg = this.segments[i]!;
      const expired = retentionMs >= 0 && now - seg.maxTimestamp > retentionMs;
      const tooBig = retentionBytes >= 0 && excess - seg.writtenSize >= 0;
      if (!expired && !tooBig) break;
      excess -= seg.writtenSize;
      doomed.push(seg);
    }
    if (doomed.length === 0) return 0;
    this.segments = this.segments.slice(doomed.length);
    for (const seg of doomed) await seg.delete();
    this.opts.logger.info({ topic: this.topic, partition: this.partition, segments: doomed.length }, 'retention deleted segments');
    return doomed.length;
  }

  /**
   * Read-only view: picks up segments the owner created or deleted and records it appended. Returns
   * true when new records became visible.
   */
  async refresh(): Promise<boolean> {
    if (this.opts.owner || this.closed) return false;
    const names = await fs.readdir(this.opts.dir).catch(() => null);
    if (names === null) return false;
    const bases = new Set(names.map(parseSegmentFileName).filter((b): b is number => b !== null));
    const before = this.endOffset();
    const kept = this.segments.filter((s) => bases.has(s.baseOffset));
    for (const s of this.segments) if (!kept.includes(s)) await s.forget();
    this.segments = kept;
    if (this.segments.length) await this.active.refresh();
    const known = new Set(this.segments.map((s) => s.baseOffset));
    const newer = [...bases].filter((b) => !known.has(b) && b >= this.endOffset()).sort((a, b) => a - b);
    for (const base of newer) {
      const seg = new Segment(this.opts.dir, base, false);
      await seg.load(false);
      this.segments.push(seg);
    }
    const grew = this.endOffset() > before;
    if (grew) this.notify();
    return grew;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    if (this.opts.owner && this.segments.length) await this.active.writeIndex().catch(() => undefined);
    for (const s of this.segments) await s.close();
  }
}
