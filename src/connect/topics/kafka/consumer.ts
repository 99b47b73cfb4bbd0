/**
 * TopicConsumer on kafkajs. kafkajs pushes batches (`eachBatch`); Connect's sink loop pulls (`poll`).
 * The adapter keeps a bounded per-partition buffer between the two: eachBatch appends and advances the
 * kafkajs position, poll() takes up to `max.poll.records`; when the buffer passes its high-water mark
 * the kafkajs consumer is paused (all partitions) and resumed once poll() has drained it.
 *
 * Offsets are committed only through commit() (kafkajs autoCommit is off).
 *
 * Rebalances: kafkajs has no revoke callback. Like the Java client's eager protocol (Connect's default
 * RangeAssignor), a rebalance revokes every partition and then assigns the new set:
 *   - kafkajs' REBALANCING event (heartbeat/fetch saw REBALANCE_IN_PROGRESS), a GROUP_JOIN that was not
 *     preceded by one (re-join after UNKNOWN_MEMBER_ID) and a crash count as "revoke all"; from then on
 *     no record of the old assignment is returned;
 *   - the listener callbacks run inside poll() (as in Java), revoke first, then assign. Java runs the
 *     revoke callback BEFORE JoinGroup, so its commit uses the old generation. kafkajs re-joins at once
 *     (and the broker holds the coordinator connection during JoinGroup), so a commit made then fails
 *     with ILLEGAL_GENERATION. The revoke callback is therefore run once the new generation exists
 *     (when the assignment arrives), and its commit goes out in that generation;
 *   - each newly assigned partition is then positioned at its committed offset (read after the revoke
 *     callback) before onPartitionsAssigned, so what this member committed on revoke is where it
 *     resumes. A partition that moved to another member may be read from before this member's revoke
 *     commit landed: a few records twice (at-least-once), never skipped;
 *   - close() and a pattern-subscription change run the revoke callback while still a stable member
 *     (like Java), before leaving the group.
 * Buffered records of revoked partitions are dropped.
 *
 * Pattern subscriptions are resolved against the topic list (full match, internal topics excluded) and
 * re-resolved every `metadata.max.age.ms`; a change restarts the kafkajs consumer with the new topics.
 *
 * Topics named in a list subscription that do not exist yet are left out (kafkajs would fail the
 * subscription with UNKNOWN_TOPIC_OR_PARTITION); like the Java consumer, which keeps asking for their
 * metadata, the list is re-resolved every MISSING_TOPIC_RECHECK_MS while some are missing, and the
 * consumer restarts on the topics that have appeared.
 */
import { Kafka, type Admin, type Batch, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { topicPartition } from '../../api/connector.js';
import type {
  ClientOptions,
  ConsumedRecord,
  RebalanceListener,
  TopicConsumer,
  TopicHeader,
  TopicPartition,
} from '../types.js';
import { consumerSettings, kafkaConfig, type ConsumerSettings } from './client-config.js';
import { toConnectError } from './errors.js';

/** How often a list subscription with missing topics looks for them again. */
const MISSING_TOPIC_RECHECK_MS = 1000;

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state', '__cluster_metadata']);

type Event = { kind: 'revoke' | 'assign'; partitions: TopicPartition[] };

interface PartitionBuffer {
  records: ConsumedRecord[];
  head: number;
}

interface WithBatchContext {
  batchContext?: { timestampType?: number };
}

export class KafkaTopicConsumer implements TopicConsumer {
  private readonly kafka: Kafka;
  private readonly settings: ConsumerSettings;
  private consumer: Consumer | null = null;
  private subscription: string[] | RegExp = [];
  private subscribedTopics: string[] = [];
  private listener: RebalanceListener | undefined;
  private lastRefresh = 0;
  /** Some topics of a list subscription do not exist (yet). */
  private missingTopics = false;

  /** What kafkajs has assigned right now. */
  private assigned = new Set<TopicPartition>();
  /** What the user has been told (through the listener) is assigned. */
  private visible: TopicPartition[] = [];
  private readonly events: Event[] = [];
  private readonly buffers = new Map<TopicPartition, PartitionBuffer>();
  private buffered = 0;
  /** Lowest offset poll() may return per partition (after seek / delivery); stale records below are dropped. */
  private readonly positions = new Map<TopicPartition, number>();
  private readonly userPaused = new Set<TopicPartition>();
  private backpressured = false;
  private readonly highWater: number;
  private waiter: (() => void) | null = null;
  private woken = false;
  private crash: unknown = null;
  private lastRecovery = 0;
  private closed = false;

  constructor(
    private readonly bootstrapServers: string,
    private readonly groupId: string,
    private readonly options: ClientOptions,
    private readonly admin: Admin,
    private readonly log?: Logger,
  ) {
    const props = options.properties ?? {};
    this.settings = consumerSettings(props);
    // The Java consumer retries coordinator discovery and fetches for as long as the broker is away;
    // a kafkajs consumer that gives up loses its member id, and its replacement then waits a whole
    // session timeout for the old member to expire. So retry for about a minute (like
    // default.api.timeout.ms) before recover() replaces it.
    this.kafka = new Kafka(kafkaConfig(bootstrapServers, options.clientId, props, 60));
    this.highWater = Math.max(this.settings.maxPollRecords * 4, 1000);
  }

  async subscribe(topics: string[] | RegExp, listener?: RebalanceListener): Promise<void> {
    this.subscription = topics instanceof RegExp ? new RegExp(`^(?:${topics.source})$`, topics.flags.replace('g', '')) : [...topics];
    this.listener = listener;
    await this.restart(await this.resolveTopics());
  }

  private async resolveTopics(): Promise<string[]> {
    this.lastRefresh = Date.now();
    const all = await this.admin.listTopics();
    if (Array.isArray(this.subscription)) {
      const existing = new Set(all);
      const present = this.subscription.filter((t) => existing.has(t));
      this.missingTopics = present.length < this.subscription.length;
      if (this.missingTopics) this.log?.debug({ missing: this.subscription.filter((t) => !existing.has(t)) }, 'Subscribed topics do not exist yet');
      return present;
    }
    const pattern = this.subscription;
    return all.filter((t) => !INTERNAL_TOPICS.has(t) && pattern.test(t)).sort();
  }

  /** (Re)starts the kafkajs consumer on `topics`; a fresh kafkajs consumer because kafkajs cannot re-subscribe. */
  private async restart(topics: string[]): Promise<void> {
    if (this.consumer) {
      // Still a member of a stable generation: run the revoke callback (and its commit) before leaving.
      this.onRevokeAll();
      await this.runEvents(true);
      const old = this.consumer;
      this.consumer = null;
      await old.disconnect().catch(() => undefined);
    }
    this.subscribedTopics = topics;
    if (topics.length === 0) return;
    const s = this.settings;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: s.sessionTimeout,
      rebalanceTimeout: s.rebalanceTimeout,
      heartbeatInterval: s.heartbeatInterval,
      maxBytesPerPartition: s.maxBytesPerPartition,
      maxBytes: s.maxBytes,
      minBytes: s.minBytes,
      maxWaitTimeInMs: s.maxWaitTimeInMs,
      readUncommitted: s.readUncommitted,
      metadataMaxAge: s.metadataMaxAge,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.REBALANCING, () => this.onRevokeAll());
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (e) => {
      this.log?.warn({ err: e.payload.error, restart: e.payload.restart }, 'kafkajs consumer crashed');
      this.onRevokeAll();
      if (!e.payload.restart) this.crash = e.payload.error;
      this.notify();
    });
    // Set before run(): the group join (and first batches) can happen before run() resolves.
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: s.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (p) => this.onBatch(p),
      });
    } catch (e) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw toConnectError(e, `Subscribing group ${this.groupId} to ${topics.join(', ')}`);
    }
  }

  private onRevokeAll(): void {
    if (this.assigned.size === 0) return;
    this.events.push({ kind: 'revoke', partitions: [...this.assigned] });
    for (const tp of this.assigned) this.dropBuffer(tp);
    this.assigned.clear();
    this.backpressured = false;
    this.notify();
  }

  private onJoin(assignment: Record<string, number[]>): void {
    this.onRevokeAll();
    const parts: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const p of [...partitions].sort((a, b) => a - b)) parts.push(topicPartition(topic, p));
    }
    for (const tp of parts) this.assigned.add(tp);
    this.events.push({ kind: 'assign', partitions: parts });
    this.notify();
  }

  private async onBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale()) return;
    const tp = topicPartition(batch.topic, batch.partition);
    if (!this.assigned.has(tp)) return;
    const min = this.positions.get(tp) ?? -1;
    let buf = this.buffers.get(tp);
    if (!buf) this.buffers.set(tp, (buf = { records: [], head: 0 }));
    let added = 0;
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      if (offset < min) continue;
      buf.records.push(toRecord(batch, m, offset));
      added++;
    }
    if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
    this.buffered += added;
    if (added > 0) this.notify();
    if (this.buffered >= this.highWater && !this.backpressured) {
      this.backpressured = true;
      this.kafkajsPause([...this.assigned]);
    }
  }

  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    if (this.closed) throw toConnectError(new Error('consumer is closed'), 'Polling');
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    this.woken = false;
    for (;;) {
      if (this.crash) await this.recover();
      if (this.refreshDue()) {
        const topics = await this.resolveTopics();
        if (topics.join('\n') !== this.subscribedTopics.join('\n')) await this.restart(topics);
      }
      await this.runEvents();
      const out = this.take();
      if (out.length > 0 || this.woken) return out;
      const left = deadline - Date.now();
      if (left <= 0) return out;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.waiter = done;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
      this.waiter = null;
    }
  }

  private refreshDue(): boolean {
    const age = Date.now() - this.lastRefresh;
    if (Array.isArray(this.subscription)) return this.missingTopics && age >= MISSING_TOPIC_RECHECK_MS;
    return age >= this.settings.metadataMaxAge;
  }

  /**
   * kafkajs gave up (it restarts by itself only after some errors). Like the Java consumer, which keeps
   * retrying while the cluster is unreachable, start a fresh kafkajs consumer when the cause is
   * transient (at most once a second); fail the poll otherwise.
   */
  private async recover(): Promise<void> {
    const err = toConnectError(this.crash, `Consuming in group ${this.groupId}`);
    if (!err.retriable) throw err;
    if (Date.now() - this.lastRecovery < 1000) return;
    this.lastRecovery = Date.now();
    this.crash = null;
    const old = this.consumer;
    this.consumer = null;
    if (old) await old.disconnect().catch(() => undefined);
    try {
      await this.restart(this.subscribedTopics);
    } catch (e) {
      const again = toConnectError(e, `Consuming in group ${this.groupId}`);
      if (!again.retriable) throw again;
      this.crash = again;
    }
  }

  /**
   * Runs queued rebalance callbacks, in order, on the caller's (the task loop's) turn. A revoke waits
   * for the assignment that follows it (unless `force`): kafkajs has already sent JoinGroup by then,
   * so a commit made in onPartitionsRevoked only succeeds once the new generation exists.
   */
  private async runEvents(force = false): Promise<void> {
    while (this.events.length > 0) {
      const ev = this.events[0]!;
      if (ev.kind === 'revoke' && !force && !this.events.some((e) => e.kind === 'assign')) return;
      this.events.shift();
      if (ev.kind === 'revoke') {
        const revoked = this.visible;
        this.visible = [];
        for (const tp of revoked) this.positions.delete(tp);
        if (revoked.length > 0) await this.listener?.onPartitionsRevoked(revoked);
      } else {
        // A later revoke may already have superseded this assignment.
        const current = ev.partitions.filter((tp) => this.assigned.has(tp));
        if (current.length !== ev.partitions.length) continue;
        await this.positionAtCommitted(current);
        this.visible = current;
        for (const tp of current) if (this.userPaused.has(tp)) this.kafkajsPause([tp]);
        await this.listener?.onPartitionsAssigned(current);
      }
    }
  }

  private async positionAtCommitted(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const committed = await this.committed(partitions);
    for (const tp of partitions) {
      const off = committed.get(tp);
      if (off !== null && off !== undefined) this.seek(tp, off);
    }
  }

  private take(): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    const max = this.settings.maxPollRecords;
    for (const tp of this.visible) {
      if (out.length >= max) break;
      if (this.userPaused.has(tp) || !this.assigned.has(tp)) continue;
      const buf = this.buffers.get(tp);
      if (!buf || buf.head >= buf.records.length) continue;
      const n = Math.min(max - out.length, buf.records.length - buf.head);
      for (let i = 0; i < n; i++) out.push(buf.records[buf.head + i]!);
      buf.head += n;
      if (buf.head >= buf.records.length) {
        buf.records = [];
        buf.head = 0;
      } else if (buf.head > 4096) {
        buf.records = buf.records.slice(buf.head);
        buf.head = 0;
      }
      this.positions.set(tp, out[out.length - 1]!.offset + 1);
      this.buffered -= n;
    }
    if (this.backpressured && this.buffered <= this.settings.maxPollRecords) {
      this.backpressured = false;
      this.kafkajsResume([...this.assigned].filter((tp) => !this.userPaused.has(tp)));
    }
    return out;
  }

  private dropBuffer(tp: TopicPartition): void {
    const buf = this.buffers.get(tp);
    if (!buf) return;
    this.buffered -= buf.records.length - buf.head;
    this.buffers.delete(tp);
  }

  private notify(): void {
    this.waiter?.();
  }

  async commit(offsets: Map<TopicPartition, number>): Promise<void> {
    if (offsets.size === 0) return;
    if (!this.consumer) throw toConnectError(new Error('not subscribed'), `Committing offsets of group ${this.groupId}`);
    const list = [...offsets].map(([tp, offset]) => ({ topic: tp.topic, partition: tp.partition, offset: String(offset) }));
    try {
      await this.consumer.commitOffsets(list);
    } catch (e) {
      throw toConnectError(e, `Committing offsets of group ${this.groupId}`);
    }
  }

  async committed(partitions: TopicPartition[]): Promise<Map<TopicPartition, number | null>> {
    const out = new Map<TopicPartition, number | null>();
    if (partitions.length === 0) return out;
    const topics = [...new Set(partitions.map((tp) => tp.topic))];
    let res: Awaited<ReturnType<Admin['fetchOffsets']>>;
    try {
      res = await this.admin.fetchOffsets({ groupId: this.groupId, topics });
    } catch (e) {
      throw toConnectError(e, `Reading committed offsets of group ${this.groupId}`);
    }
    const found = new Map<TopicPartition, number>();
    for (const t of res) for (const p of t.partitions) found.set(topicPartition(t.topic, p.partition), Number(p.offset));
    for (const tp of partitions) {
      const o = found.get(topicPartition(tp.topic, tp.partition));
      out.set(tp, o === undefined || o < 0 ? null : o);
    }
    return out;
  }

  seek(partition: TopicPartition, offset: number): void {
    const tp = topicPartition(partition.topic, partition.partition);
    if (!this.consumer || !this.assigned.has(tp)) {
      throw toConnectError(new Error(`No current assignment for partition ${tp.topic}-${tp.partition}`), 'Seeking');
    }
    this.dropBuffer(tp);
    this.positions.set(tp, offset);
    this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
  }

  pause(partitions: TopicPartition[]): void {
    const tps = partitions.map((p) => topicPartition(p.topic, p.partition));
    for (const tp of tps) this.userPaused.add(tp);
    this.kafkajsPause(tps.filter((tp) => this.assigned.has(tp)));
  }

  resume(partitions: TopicPartition[]): void {
    const tps = partitions.map((p) => topicPartition(p.topic, p.partition));
    for (const tp of tps) this.userPaused.delete(tp);
    if (!this.backpressured) this.kafkajsResume(tps.filter((tp) => this.assigned.has(tp)));
    this.notify();
  }

  private kafkajsPause(tps: TopicPartition[]): void {
    if (this.consumer && tps.length > 0) this.consumer.pause(groupByTopic(tps));
  }

  private kafkajsResume(tps: TopicPartition[]): void {
    if (this.consumer && tps.length > 0) this.consumer.resume(groupByTopic(tps));
  }

  assignment(): TopicPartition[] {
    return [...this.visible];
  }

  wakeup(): void {
    this.woken = true;
    this.notify();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeup();
    // Java's close() revokes (eager protocol) before leaving the group; Connect commits there.
    this.events.length = 0;
    const revoked = this.visible;
    this.visible = [];
    if (revoked.length > 0 && this.listener) {
      try {
        await this.listener.onPartitionsRevoked(revoked);
      } catch (e) {
        this.log?.warn({ err: e }, 'onPartitionsRevoked failed during close');
      }
    }
    const c = this.consumer;
    this.consumer = null;
    if (c) await c.disconnect().catch(() => undefined);
    this.buffers.clear();
    this.buffered = 0;
  }
}

function groupByTopic(tps: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    let l = m.get(tp.topic);
    if (!l) m.set(tp.topic, (l = []));
    l.push(tp.partition);
  }
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}

function toRecord(batch: Batch, m: Batch['messages'][number], offset: number): ConsumedRecord {
  const tsType = (m as WithBatchContext).batchContext?.timestampType;
  const timestamp = Number(m.timestamp);
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset,
    timestamp: Number.isFinite(timestamp) ? timestamp : -1,
    timestampType: tsType === 1 ? 'LogAppendTime' : timestamp < 0 ? 'NoTimestampType' : 'CreateTime',
    key: m.key ?? null,
    value: m.value ?? null,
    headers: fromKafkajsHeaders(m.headers),
  };
}

function fromKafkajsHeaders(h: Batch['messages'][number]['headers']): TopicHeader[] {
  if (!h) return [];
  const out: TopicHeader[] = [];
  for (const key of Object.keys(h)) {
    const v = h[key];
    if (Array.isArray(v)) for (const x of v) out.push({ key, value: toBuf(x) });
    else out.push({ key, value: toBuf(v) });
  }
  return out;
}

function toBuf(v: Buffer | string | undefined | null): Buffer | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}
