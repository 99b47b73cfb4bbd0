/**
 * One polled batch on its way to the handler: the records that survived the transforms, in the handler's
 * format, each with its entry in `SubmittedRecords`; and the committer that marks them processed.
 */
import type { SourceRecord } from '../connect/data/records.js';
import type { SubmittedRecord, SubmittedRecords } from '../connect/runtime/submitted-records.js';
import type { RecordCommitter } from './types.js';

export class PreparedBatch<R> {
  /** The handler's records. */
  readonly events: R[] = [];
  /** The transformed Connect records (same index), used for keys. */
  readonly records: SourceRecord[] = [];
  /** The records as the task returned them (same index), for `SourceTask.commitRecord`. */
  readonly originals: SourceRecord[] = [];
  readonly entries: (SubmittedRecord | null)[] = [];
  private done: Uint8Array = new Uint8Array(0);
  private pendingCount = 0;

  constructor(
    private readonly submitted: SubmittedRecords,
    private readonly onProcessed: (original: SourceRecord) => void,
  ) {}

  add(event: R, record: SourceRecord, original: SourceRecord, entry: SubmittedRecord | null): void {
    this.events.push(event);
    this.records.push(record);
    this.originals.push(original);
    this.entries.push(entry);
  }

  /** Call once all records were added. */
  seal(): void {
    this.done = new Uint8Array(this.events.length);
    this.pendingCount = this.events.length;
  }

  get size(): number {
    return this.events.length;
  }

  get pending(): number {
    return this.pendingCount;
  }

  isDone(i: number): boolean {
    return this.done[i] === 1;
  }

  /** Marks record `i` processed (idempotent). */
  markIndex(i: number): void {
    if (this.done[i] === 1) return;
    this.done[i] = 1;
    this.pendingCount--;
    this.submitted.ack(this.entries[i] ?? null);
    this.onProcessed(this.originals[i]!);
  }

  markAll(): void {
    for (let i = 0; i < this.done.length; i++) this.markIndex(i);
  }

  /** The records not marked yet, in order. */
  unmarked(): R[] {
    const out: R[] = [];
    for (let i = 0; i < this.done.length; i++) if (this.done[i] !== 1) out.push(this.events[i]!);
    return out;
  }

  committer(): RecordCommitter<R> {
    return new BatchCommitter(this);
  }
}

/** Finds a record's index by identity; handlers usually mark in order, so a cursor finds it at once. */
class BatchCommitter<R> implements RecordCommitter<R> {
  private cursor = 0;
  private index: Map<R, number> | null = null;

  constructor(private readonly batch: PreparedBatch<R>) {}

  markProcessed(record: R): void {
    const events = this.batch.events;
    let i = -1;
    if (events[this.cursor] === record) i = this.cursor++;
    else {
      this.index ??= new Map(events.map((e, j) => [e, j]));
      i = this.index.get(record) ?? -1;
      if (i < 0) throw new Error('markProcessed: the record is not part of this batch');
      this.cursor = i + 1;
    }
    this.batch.markIndex(i);
  }

  markBatchFinished(): void {
    this.batch.markAll();
  }
}
