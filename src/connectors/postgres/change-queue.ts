/**
 * The bounded queue between the producers (snapshot reader, replication stream) and `poll()`, like
 * Debezium's ChangeEventQueue: `max.queue.size` records, batches of at most `max.batch.size`. Producers
 * check `full` and wait with `waitForSpace()`; `poll()` waits with `take()` up to the poll interval.
 */
import type { SourceRecord } from '../../connect/data/index.js';

export class ChangeQueue {
  private items: SourceRecord[] = [];
  private head = 0;
  private readers: (() => void)[] = [];
  private writers: (() => void)[] = [];

  constructor(
    readonly maxSize: number,
    readonly maxBatch: number,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.maxSize;
  }

  /** Adds records (may exceed the bound by one event's records; producers check `full` before the next). */
  push(...records: SourceRecord[]): void {
    for (const r of records) this.items.push(r);
    this.wake(this.readers);
  }

  /** Adds a batch (a snapshot fetch); the producer then waits for space. */
  pushAll(records: readonly SourceRecord[]): void {
    for (let i = 0; i < records.length; i++) this.items.push(records[i]!);
    this.wake(this.readers);
  }

  /** Resolves when the queue has room again (below the bound). */
  waitForSpace(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.writers.push(resolve));
  }

  /** Up to `maxBatch` records; waits up to `timeoutMs` when empty (or until `interrupt()`). */
  async take(timeoutMs: number): Promise<SourceRecord[]> {
    if (this.size === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.readers.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const n = Math.min(this.size, this.maxBatch);
    if (n === 0) return [];
    const batch = this.items.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (!this.full) this.wake(this.writers);
    return batch;
  }

  /** Wakes a waiting `take()` (new error, stop). */
  interrupt(): void {
    this.wake(this.readers);
    this.wake(this.writers);
  }

  private wake(list: (() => void)[]): void {
    if (!list.length) return;
    const fns = list.splice(0);
    for (const f of fns) f();
  }
}
