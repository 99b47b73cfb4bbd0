/**
 * The source task loop (Kafka's `WorkerSourceTask`, at-least-once): poll -> transforms -> converters -> topic;
 * `commitRecord` after each write is acknowledged; every `offset.flush.interval.ms` (and at stop) the offsets
 * of acknowledged records are written to the offset store and then handed to `task.commit(committed)`.
 * Offsets of records still in flight are never committed.
 */
import type { Logger } from 'pino';
import { type OffsetStorageReader, type RecordMetadata, SourceTask } from '../api/connector.js';
import { ConversionPending } from '../api/converter.js';
import type { SourceMap, SourceRecord } from '../data/records.js';
import { ConnectException } from '../errors.js';
import type { ConnectorTaskId, TargetState } from '../herder/types.js';
import type { PluginMetrics } from '../api/metrics.js';
import type { SourceTaskMetrics, TaskMetrics } from '../metrics/task-metrics.js';
import { type OffsetBackingStore, offsetKey } from '../storage/offset-store.js';
import { parseJsonText, toJsonText } from '../storage/json-text.js';
import type { ProduceRecord, TopicProducer } from '../topics/types.js';
import { type RetryWithToleranceOperator, RetryNeeded, SKIP } from './errors/retry-with-tolerance.js';
import { type ConverterSet, toProduceRecord } from './record-conversion.js';
import { type CommittableOffset, type SubmittedRecord, SubmittedRecords } from './submitted-records.js';
import type { TopicCreator } from './topic-creation.js';
import type { TransformationChain } from './transformation-chain.js';
import { type TaskStatusListener, WorkerTask, withTimeout } from './worker-task.js';

export interface SourceTaskDeps {
  id: ConnectorTaskId;
  task: SourceTask;
  taskConfig: Record<string, string>;
  initialState: TargetState;
  converters: ConverterSet;
  chain: TransformationChain;
  errors: RetryWithToleranceOperator;
  producer: TopicProducer;
  topicCreator: TopicCreator;
  offsetStore: OffsetBackingStore;
  offsetFlushIntervalMs: number;
  offsetFlushTimeoutMs: number;
  /** Called the first time the task writes to a topic (topic tracking). */
  onTopicUsed(topic: string): void;
  listener: TaskStatusListener;
  logger: Logger;
  /** `connector-task-metrics` and `source-task-metrics` (updated per batch), and the plugin's `context.metrics`. */
  taskMetrics?: TaskMetrics;
  sourceMetrics?: SourceTaskMetrics;
  pluginMetrics?: PluginMetrics;
}

/** At most this many produce batches outstanding while the next poll runs. */
const MAX_IN_FLIGHT_BATCHES = 2;

export class WorkerSourceTask extends WorkerTask {
  private readonly submitted: SubmittedRecords;
  private readonly inFlight = new Set<Promise<void>>();
  private producerError: unknown = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly usedTopics = new Set<string>();
  private readonly unwritten = new Map<string, CommittableOffset>();
  /**
   * Whether the task overrides `commitRecord`. When it does not, a record is not kept until its write is
   * acknowledged (only its bytes and offset are): records then die young, which keeps the heap small.
   */
  private readonly wantsCommitRecord: boolean;

  constructor(private readonly deps: SourceTaskDeps) {
    super(deps.id, deps.initialState, deps.listener, deps.logger);
    this.submitted = new SubmittedRecords(deps.id.connector);
    this.wantsCommitRecord = deps.task.commitRecord !== SourceTask.prototype.commitRecord;
    if (deps.sourceMetrics) deps.sourceMetrics.active = () => this.submitted.pending;
  }

  protected async initializeAndStart(): Promise<void> {
    const { task, taskConfig } = this.deps;
    task.initialize({
      taskId: this.id,
      configs: taskConfig,
      offsetStorageReader: offsetReader(this.id.connector, this.deps.offsetStore),
      ...(this.deps.pluginMetrics ? { metrics: this.deps.pluginMetrics } : {}),
    });
    await task.start(taskConfig);
    this.flushTimer = setInterval(() => void this.commitOffsets().catch((e) => this.logger.error({ err: e }, 'Offset commit failed')), this.deps.offsetFlushIntervalMs);
    this.flushTimer.unref();
  }

  protected async execute(): Promise<void> {
    while (!this.stopping) {
      if (this.producerError) throw new ConnectException('Unrecoverable exception from producer send callback', { cause: this.producerError });
      if (this.isPaused) {
        await this.waitWhilePaused();
        continue;
      }
      let records: SourceRecord[] | null = null;
      const started = Date.now();
      try {
        records = await this.deps.task.poll();
      } catch (e) {
        if ((e as { retriable?: boolean }).retriable) continue; // Kafka swallows RetriableException from poll.
        throw e;
      }
      if (!records || records.length === 0) continue;
      const metrics = this.deps.sourceMetrics;
      if (metrics) {
        const now = Date.now();
        metrics.recordPoll(records.length, now - started, now);
        this.deps.taskMetrics?.recordBatch(records.length, now);
      }
      await this.sendRecords(records);
      // The batch is converted and handed to the producer: drop it before waiting for room, so that its records
      // die young instead of living through an fsync or a broker round trip (see change-queue.ts on promotion).
      records = null;
      if (this.inFlight.size >= MAX_IN_FLIGHT_BATCHES) await Promise.race(this.inFlight);
      metrics?.recordActive(this.submitted.pending, Date.now());
    }
  }

  private async sendRecords(records: SourceRecord[]): Promise<void> {
    const { chain, converters, errors, task } = this.deps;
    // The records themselves are kept until the write is acknowledged (an fsync or a broker round trip) only
    // when commitRecord or KIP-779's one-by-one resend needs them, so that otherwise they die young (see
    // change-queue.ts on promotion) and only the offsets wait.
    const keepRecords = this.wantsCommitRecord || errors.toleratesAll;
    const toSend: ProduceRecord[] = [];
    const sentRecords: SourceRecord[] = [];
    const sentEntries: (SubmittedRecord | null)[] = [];
    for (const record of records) {
      const entry = this.submitted.submit(record.sourcePartition, record.sourceOffset);
      const context = { sourceRecord: record };
      let produced: ProduceRecord | typeof SKIP;
      try {
        const transformed = chain.apply(record, context);
        produced = transformed === null ? SKIP : toProduceRecord(transformed, converters, errors, context);
      } catch (e) {
        // A retriable failure, or a converter waiting for I/O (a schema registry): the slow path, awaited.
        if (!(e instanceof RetryNeeded) && !(e instanceof ConversionPending)) throw e;
        produced = await this.retryRecord(record);
      }
      if (produced === SKIP) {
        // Dropped by a transform or a tolerated error: acknowledged at once, like Kafka Connect.
        this.submitted.ack(entry);
        if (this.wantsCommitRecord) {
          const done = task.commitRecord(record, null);
          if (done) await done;
        }
        continue;
      }
      if (!this.usedTopics.has(produced.topic)) await this.ensureTopic(produced.topic);
      toSend.push(produced);
      if (keepRecords) sentRecords.push(record);
      sentEntries.push(entry);
    }
    if (toSend.length === 0) return;
    const count = toSend.length;
    const kept = keepRecords ? sentRecords : null;
    const resend = errors.toleratesAll ? toSend : null;
    const batch = this.deps.producer.send(toSend).then(
      async (metadata) => {
        this.deps.sourceMetrics?.recordWrite(count, Date.now());
        for (let i = 0; i < sentEntries.length; i++) {
          this.submitted.ack(sentEntries[i]!);
          if (!this.wantsCommitRecord) continue;
          // Most tasks' commitRecord is synchronous: await only a promise (no microtask per record).
          const done = task.commitRecord(kept![i]!, metadata[i]!);
          if (done) await done;
        }
      },
      async (e: unknown) => {
        // KIP-779: under errors.tolerance=all a refused record is reported and skipped. The backend refuses a
        // whole request, so the records are sent again one by one to find the refused ones.
        if (resend && kept && !(e as { retriable?: boolean }).retriable) await this.sendOneByOne(resend, kept, sentEntries);
        else this.producerError = e;
      },
    );
    const tracked = batch.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async sendOneByOne(toSend: ProduceRecord[], records: SourceRecord[], entries: (SubmittedRecord | null)[]): Promise<void> {
    for (let i = 0; i < toSend.length; i++) {
      let metadata: RecordMetadata | null = null;
      try {
        metadata = (await this.deps.producer.send([toSend[i]!]))[0]!;
        this.deps.sourceMetrics?.recordWrite(1, Date.now());
      } catch (e) {
        if ((e as { retriable?: boolean }).retriable) {
          this.producerError = e;
          return;
        }
        await this.deps.errors.reportFailure({ stage: 'KAFKA_PRODUCE', executingClass: 'producer', error: e as Error, sourceRecord: records[i]! });
      }
      this.submitted.ack(entries[i]!);
      await this.deps.task.commitRecord(records[i]!, metadata);
    }
  }

  /**
   * A record whose conversion failed with a retriable error, or waits for a converter's I/O: repeat it as one
   * async stage (with backoff for retriable errors).
   */
  private async retryRecord(record: SourceRecord): Promise<ProduceRecord | typeof SKIP> {
    const { chain, converters, errors } = this.deps;
    return errors.runAsync('VALUE_CONVERTER', this.deps.converters.valueClass, () => {
      const t = chain.apply(record, { sourceRecord: record });
      if (t === null) return SKIP;
      return toProduceRecord(t, converters, errors, { sourceRecord: record });
    }, { sourceRecord: record });
  }

  private async ensureTopic(topic: string): Promise<void> {
    if (this.usedTopics.has(topic)) return;
    await this.deps.topicCreator.ensure(topic);
    this.usedTopics.add(topic);
    this.deps.onTopicUsed(topic);
  }

  /** Writes the committable offsets, then tells the task which ones are durable. Never runs twice at once. */
  commitOffsets(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.doCommitOffsets());
    return this.flushing;
  }

  private async doCommitOffsets(): Promise<void> {
    const started = Date.now();
    try {
      await this.writeOffsets();
    } catch (e) {
      this.deps.taskMetrics?.recordCommit(false, Date.now() - started, Date.now());
      throw e;
    }
    this.deps.taskMetrics?.recordCommit(true, Date.now() - started, Date.now());
  }

  private async writeOffsets(): Promise<void> {
    // Offsets that failed to be written last time stay here and are written with the newer ones.
    for (const [key, c] of this.submitted.committable()) this.unwritten.set(key, c);
    const committable = new Map(this.unwritten);
    const committed = [...committable.values()];
    if (committable.size > 0) {
      const entries = new Map<string, string | null>();
      for (const [key, c] of committable) entries.set(key, toJsonText(c.offset));
      await withTimeout(
        this.deps.offsetStore.set(entries),
        this.deps.offsetFlushTimeoutMs,
        'Timed out waiting to flush offsets to storage; will try again on the next flush interval',
      );
      for (const [key, c] of committable) if (this.unwritten.get(key) === c) this.unwritten.delete(key);
    }
    await this.deps.task.commit(committed);
  }

  protected override wakeup(): void {
    this.deps.errors.stop();
  }

  protected async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    // Let in-flight writes finish so their offsets can be committed, then the final offset commit.
    await Promise.allSettled([...this.inFlight]);
    try {
      if (!this.producerError) await this.commitOffsets();
    } finally {
      await this.deps.task.stop();
      this.deps.chain.close();
      await this.deps.errors.close();
      await this.deps.producer.close();
    }
  }
}

/** Reads this connector's committed offsets (`OffsetStorageReader`). */
export function offsetReader(connector: string, store: OffsetBackingStore): OffsetStorageReader {
  return {
    async offset(partition: SourceMap): Promise<SourceMap | null> {
      const key = offsetKey(connector, partition);
      const text = (await store.get([key])).get(key);
      return text ? (parseJsonText(text) as SourceMap) : null;
    },
    async offsets(partitions: SourceMap[]): Promise<Map<SourceMap, SourceMap | null>> {
      const keys = partitions.map((p) => offsetKey(connector, p));
      const values = await store.get(keys);
      return new Map(partitions.map((p, i) => {
        const text = values.get(keys[i]!);
        return [p, text ? (parseJsonText(text) as SourceMap) : null];
      }));
    },
  };
}
