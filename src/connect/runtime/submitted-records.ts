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

/** One source partition: its records not yet released, and the newest offset that became committable. */
interface PartitionState {
  queue: SubmittedRecord[];
  head: number;
  committable: CommittableOffset | null;
}

/**
 * Memory: acknowledged records are released as soon as every earlier record of their partition is
 * acknowledged too (only the newest committable offset is kept), so what is held is bounded by the records
 * in flight, not by the records of a whole `offset.flush.interval.ms`.
 */
export class SubmittedRecords {
  private readonly byPartition = new Map<string, PartitionState>();
  private inFlight = 0;
  /** The last partition seen: a source usually hands the same partition object to every record. */
  private lastPartition: SourceMap | null = null;
  private lastState: PartitionState | null = null;
  private lastKey = '';

  constructor(private readonly connector: string) {}

  /** Tracks a record; returns null for records without partition/offset (never committed). */
  submit(partition: SourceMap | null, offset: SourceMap | null): SubmittedRecord | null {
    if (!partition || !offset) return null;
    const state = this.stateOf(partition);
    const entry: SubmittedRecord = { partitionKey: this.lastKey, partition, offset, acked: false };
    state.queue.push(entry);
    this.inFlight++;
    return entry;
  }

  ack(entry: SubmittedRecord | null): void {
    if (!entry || entry.acked) return;
    entry.acked = true;
    this.inFlight--;
    const state = this.byPartition.get(entry.partitionKey);
    if (state) release(state);
  }

  /** The latest committable offset of every partition that has a new one (each handed out once). */
  committable(): Map<string, CommittableOffset> {
    const out = new Map<string, CommittableOffset>();
    for (const [key, state] of this.byPartition) {
      if (state.committable !== null) {
        out.set(key, state.committable);
        state.committable = null;
      }
      if (state.head === state.queue.length) {
        this.byPartition.delete(key);
        if (this.lastState === state) this.lastPartition = this.lastState = null;
      }
    }
    return out;
  }

  get pending(): number {
    return this.inFlight;
  }

  private stateOf(partition: SourceMap): PartitionState {
    if (partition === this.lastPartition && this.lastState !== null) return this.lastState;
    const key = offsetKey(this.connector, partition);
    let state = this.byPartition.get(key);
    if (!state) this.byPartition.set(key, (state = { queue: [], head: 0, committable: null }));
    this.lastPartition = partition;
    this.lastState = state;
    this.lastKey = key;
    return state;
  }
}

/** Drops the acknowledged records at the head of a partition, remembering the newest one's offset. */
function release(state: PartitionState): void {
  const queue = state.queue;
  let i = state.head;
  while (i < queue.length && queue[i]!.acked) i++;
  if (i === state.head) return;
  // The record itself is the committable offset (no copy: this runs for about every acknowledged record).
  state.committable = queue[i - 1]!;
  if (i === queue.length) {
    queue.length = 0;
    state.head = 0;
  } else if (i > 1024 && i * 2 > queue.length) {
    state.queue = queue.slice(i);
    state.head = 0;
  } else {
    state.head = i;
    // Let the released records be collected while the head moves on.
    for (let j = state.head - 1; j >= 0 && queue[j] !== undefined; j--) queue[j] = undefined as unknown as SubmittedRecord;
  }
}
