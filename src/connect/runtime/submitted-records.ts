/**
 * Which source offsets may be committed (Kafka's `SubmittedRecords`): records are tracked per source partition
 * in the order they were submitted; a partition's committable offset is that of its latest record such that
 * it and every earlier record of that partition were acknowledged (written, or dropped by a transform/error).
 */
import type { SourceMap } from '../data/records.js';
import { offsetKey } from '../storage/offset-store.js';

export interface SubmittedRecord {
  readonly partitionKey: string;
  readonly partition: SourceMap;
  readonly offset: SourceMap;
  acked: boolean;
}

export interface CommittableOffset {
  partition: SourceMap;
  offset: SourceMap;
}

export class SubmittedRecords {
  private readonly byPartition = new Map<string, SubmittedRecord[]>();
  private inFlight = 0;

  constructor(private readonly connector: string) {}

  /** Tracks a record; returns null for records without partition/offset (never committed). */
  submit(partition: SourceMap | null, offset: SourceMap | null): SubmittedRecord | null {
    if (!partition || !offset) return null;
    const partitionKey = offsetKey(this.connector, partition);
    const entry: SubmittedRecord = { partitionKey, partition, offset, acked: false };
    let queue = this.byPartition.get(partitionKey);
    if (!queue) this.byPartition.set(partitionKey, (queue = []));
    queue.push(entry);
    this.inFlight++;
    return entry;
  }

  ack(entry: SubmittedRecord | null): void {
    if (entry && !entry.acked) {
      entry.acked = true;
      this.inFlight--;
    }
  }

  /** Removes the acknowledged heads of every partition and returns the latest committable offset of each. */
  committable(): Map<string, CommittableOffset> {
    const out = new Map<string, CommittableOffset>();
    for (const [key, queue] of this.byPartition) {
      let i = 0;
      while (i < queue.length && queue[i]!.acked) i++;
      if (i === 0) continue;
      const last = queue[i - 1]!;
      out.set(key, { partition: last.partition, offset: last.offset });
      queue.splice(0, i);
      if (queue.length === 0) this.byPartition.delete(key);
    }
    return out;
  }

  get pending(): number {
    return this.inFlight;
  }
}
