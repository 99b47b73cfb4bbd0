/**
 * Writes the offsets that became committable (`SubmittedRecords`: a record is processed together with every
 * earlier record of its source partition) to the offset store, and only then tells the task which offsets are
 * durable (`SourceTask.commit`), so a CDC task confirms its position to the database no further than what is
 * stored. Offsets whose write failed are kept and written with the next flush. Flushes never overlap.
 */
import type { Logger } from 'pino';
import type { CommittedOffset } from '../connect/api/connector.js';
import type { OffsetBackingStore } from '../connect/storage/offset-store.js';
import { toJsonText } from '../connect/storage/json-text.js';
import type { CommittableOffset, SubmittedRecords } from '../connect/runtime/submitted-records.js';
import { withTimeout } from '../connect/runtime/worker-task.js';

export class OffsetFlusher {
  private readonly unwritten = new Map<string, CommittableOffset>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly submitted: SubmittedRecords,
    private readonly store: OffsetBackingStore,
    private readonly timeoutMs: number,
    private readonly committed: (offsets: readonly CommittedOffset[]) => void | Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Flushes now (after any flush already running). */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.doFlush());
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    for (const [key, c] of this.submitted.committable()) this.unwritten.set(key, c);
    if (this.unwritten.size === 0) return;
    const writing = new Map(this.unwritten);
    const entries = new Map<string, string | null>();
    for (const [key, c] of writing) entries.set(key, toJsonText(c.offset));
    await withTimeout(this.store.set(entries), this.timeoutMs, 'Timed out waiting to flush offsets to storage; will try again on the next flush interval');
    for (const [key, c] of writing) if (this.unwritten.get(key) === c) this.unwritten.delete(key);
    this.logger.debug({ partitions: writing.size }, 'Offsets flushed');
    await this.committed([...writing.values()]);
  }
}
