/**
 * A consumer of the embedded log: group member (in-process membership, range assignment, eager
 * rebalance with the listener called), positions from the group's committed offsets (else
 * `auto.offset.reset`, default earliest as in Connect), and a long poll that wakes when a partition it
 * owns gets records. In a read-only view of a directory another process writes, it re-checks the files
 * on a short timer instead.
 */
import { randomUUID } from 'node:crypto';
import { ConnectException } from '../../errors.js';
import type { ClientOptions, ConsumedRecord, RebalanceListener, TopicConsumer, TopicPartition } from '../types.js';
import type { GroupCoordinator, GroupMember } from './group-coordinator.js';
import type { GroupStore } from './group-store.js';
import { LogCursor, OUT_OF_RANGE } from './log-reader.js';
import type { PartitionLog } from './partition-log.js';

/** What a consumer needs from the backend. */
export interface ConsumerHost {
  readonly readOnly: boolean;
  readonly groups: GroupStore;
  coordinator(groupId: string): GroupCoordinator;
  log(topic: string, partition: number): PartitionLog | null;
  /** Read-only view: picks up topics, segments and records another process wrote. */
  refresh(): Promise<void>;
  consumerClosed(consumer: EmbeddedConsumer): void;
}

const REFRESH_MS = 100;
const MAX_BYTES = 50 * 1024 * 1024;

export class EmbeddedConsumer implements TopicConsumer, GroupMember {
  readonly memberId: string;
  private matcher: ((topic: string) => boolean) | null = null;
  private listener: RebalanceListener | undefined;
  private owned: TopicPartition[] = [];
  private readonly cursors = new Map<TopicPartition, LogCursor>();
  private readonly paused = new Set<TopicPartition>();
  private unlisten: (() => void)[] = [];
  private joinedGeneration = -1;
  private assignedGeneration = -1;
  private signaled = false;
  private wake: (() => void) | null = null;
  private wakeupRequested = false;
  private closed = false;
  private rotate = 0;
  private readonly maxPollRecords: number;
  private readonly resetPolicy: string;
  /** `enable.auto.commit=true`: positions are committed when partitions are revoked and on close. */
  private readonly autoCommit: boolean;

  constructor(
    private readonly host: ConsumerHost,
    readonly groupId: string,
    options: ClientOptions,
  ) {
    this.memberId = `${options.clientId}-${randomUUID()}`;
    const props = options.properties ?? {};
    this.maxPollRecords = Number(props['max.poll.records'] ?? 500);
    this.resetPolicy = props['auto.offset.reset'] ?? 'earliest';
    this.autoCommit = props['enable.auto.commit'] === 'true';
    if (!['earliest', 'latest', 'none'].includes(this.resetPolicy)) {
      throw new ConnectException(`Invalid value ${this.resetPolicy} for configuration auto.offset.reset`);
    }
  }

  subscribes(topic: string): boolean {
    return this.matcher !== null && this.matcher(topic);
  }

  signal(): void {
    this.signaled = true;
    this.wake?.();
  }

  async subscribe(topics: string[] | RegExp, listener?: RebalanceListener): Promise<void> {
    this.ensureOpen();
    if (topics instanceof RegExp) {
      const full = new RegExp(`^(?:${topics.source})$`, topics.flags.replace(/[gy]/g, ''));
      this.matcher = (t) => full.test(t);
    } else {
      const set = new Set(topics);
      this.matcher = (t) => set.has(t);
    }
    this.listener = listener;
    const coord = this.host.coordinator(this.groupId);
    if (coord.isMember(this.memberId)) coord.topicsChanged();
    else coord.add(this);
    if (this.host.readOnly) await this.host.refresh();
  }

  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    this.ensureOpen();
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    const out: ConsumedRecord[] = [];
    let lastRefresh = 0;
    for (;;) {
      if (this.wakeupRequested || this.closed) {
        this.wakeupRequested = false;
        return out;
      }
      this.signaled = false;
      if (this.matcher !== null && (await this.ensureAssigned())) {
        await this.fetch(out);
        if (out.length > 0) return out;
      }
      const now = Date.now();
      if (now >= deadline) return out;
      if (this.host.readOnly && now - lastRefresh >= REFRESH_MS) {
        lastRefresh = now;
        await this.host.refresh();
        continue;
      }
      await this.waitForSignal(Math.min(deadline - now, this.host.readOnly ? REFRESH_MS : deadline - now));
    }
  }

  /** Follows the group's generation; true when this member holds its assignment for the current one. */
  private async ensureAssigned(): Promise<boolean> {
    const coord = this.host.coordinator(this.groupId);
    if (!coord.isMember(this.memberId)) coord.add(this); // evicted after the rebalance timeout
    while (this.assignedGeneration !== coord.generation) {
      const generation = coord.generation;
      if (this.joinedGeneration !== generation) {
        await this.revokeAll();
        this.joinedGeneration = generation;
        coord.join(this.memberId, generation);
        continue;
      }
      const assigned = coord.assignmentFor(this.memberId);
      if (assigned === null) return false;
      if (coord.generation !== generation) continue;
      await this.assign(assigned);
      this.assignedGeneration = generation;
    }
    return true;
  }

  private async revokeAll(): Promise<void> {
    const revoked = this.owned;
    this.owned = [];
    for (const u of this.unlisten) u();
    this.unlisten = [];
    if (revoked.length && this.autoCommit) {
      const positions = new Map<TopicPartition, number>();
      for (const tp of revoked) {
        const cursor = this.cursors.get(tp);
        if (cursor) positions.set(tp, cursor.offset);
      }
      await this.host.groups.update(this.groupId, positions);
    }
    if (revoked.length && this.listener) await this.listener.onPartitionsRevoked(revoked);
    for (const tp of revoked) {
      this.cursors.delete(tp);
      this.paused.delete(tp);
    }
  }

  private async assign(partitions: TopicPartition[]): Promise<void> {
    const committed = await this.host.groups.get(this.groupId);
    this.owned = partitions;
    for (const tp of partitions) {
      const log = this.host.log(tp.topic, tp.partition);
      if (!log) continue;
      this.cursors.set(tp, new LogCursor(log, committed.get(tp) ?? this.resetOffset(log, tp)));
      this.unlisten.push(log.onAppend(() => this.signal()));
    }
    if (this.listener) await this.listener.onPartitionsAssigned(partitions);
  }

  private resetOffset(log: PartitionLog, tp: TopicPartition): number {
    if (this.resetPolicy === 'earliest') return log.startOffset();
    if (this.resetPolicy === 'latest') return log.endOffset();
    throw new ConnectException(`No offset for ${tp.topic}-${tp.partition} and auto.offset.reset=none`);
  }

  private async fetch(out: ConsumedRecord[]): Promise<void> {
    const n = this.owned.length;
    this.rotate = (this.rotate + 1) % Math.max(1, n);
    for (let i = 0; i < n && out.length < this.maxPollRecords; i++) {
      const tp = this.owned[(this.rotate + i) % n]!;
      if (this.paused.has(tp)) continue;
      const cursor = this.cursors.get(tp);
      if (!cursor) continue;
      const got = await cursor.read(this.maxPollRecords - out.length, MAX_BYTES, out);
      if (got === OUT_OF_RANGE) cursor.seek(this.resetOffset(cursor.log, tp));
    }
  }

  private waitForSignal(ms: number): Promise<void> {
    if (this.signaled || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  async commit(offsets: Map<TopicPartition, number>): Promise<void> {
    this.ensureOpen();
    if (offsets.size === 0) return;
    await this.host.groups.update(this.groupId, offsets);
  }

  async committed(partitions: TopicPartition[]): Promise<Map<TopicPartition, number | null>> {
    const map = await this.host.groups.get(this.groupId);
    return new Map(partitions.map((tp) => [tp, map.get(tp) ?? null]));
  }

  seek(partition: TopicPartition, offset: number): void {
    const cursor = this.cursors.get(partition);
    if (!cursor) throw new ConnectException(`No current assignment for partition ${partition.topic}-${partition.partition}`);
    cursor.seek(offset);
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) if (this.cursors.has(tp)) this.paused.add(tp);
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tp);
    this.signal();
  }

  assignment(): TopicPartition[] {
    return [...this.owned];
  }

  /** Position (next offset) of an assigned partition, as KafkaConsumer.position. */
  position(partition: TopicPartition): number | null {
    return this.cursors.get(partition)?.offset ?? null;
  }

  wakeup(): void {
    this.wakeupRequested = true;
    this.signal();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal();
    try {
      await this.revokeAll();
    } finally {
      this.host.coordinator(this.groupId).remove(this.memberId);
      this.host.consumerClosed(this);
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new ConnectException('This consumer has already been closed.');
  }
}
