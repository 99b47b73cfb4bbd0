/**
 * The sink task loop (Kafka's `WorkerSinkTask`): consume in group `connect-<name>` -> converters ->
 * transforms -> `put`; every `offset.flush.interval.ms` (or on `requestCommit`) `preCommit` decides which
 * offsets are safe and they are committed to the group. A RetriableException from `put` redelivers the same
 * batch; any other error fails the task.
 */
import type { Logger } from 'pino';
import { type SinkTask, type SinkTaskContext, type TopicPartition, topicPartition } from '../api/connector.js';
import { ConversionPending, convertSettled } from '../api/converter.js';
import { SinkRecord, type SourceRecord } from '../data/records.js';
import { ConnectException } from '../errors.js';
import type { ConnectorTaskId, TargetState } from '../herder/types.js';
import type { PluginMetrics } from '../api/metrics.js';
import type { SinkTaskMetrics, TaskMetrics } from '../metrics/task-metrics.js';
import type { ConsumedRecord, ProduceRecord, TopicConsumer, TopicProducer } from '../topics/types.js';
import { type RetryWithToleranceOperator, RetryNeeded, SKIP } from './errors/retry-with-tolerance.js';
import { type ConverterSet, toProduceRecord, toSinkRecordFields } from './record-conversion.js';
import type { TopicCreator } from './topic-creation.js';
import type { TransformationChain } from './transformation-chain.js';
import { type TaskStatusListener, WorkerTask, sleep } from './worker-task.js';

export interface SinkTaskDeps {
  id: ConnectorTaskId;
  task: SinkTask;
  taskConfig: Record<string, string>;
  initialState: TargetState;
  converters: ConverterSet;
  /** For records the sink produces (`output.key.converter` / `output.value.converter`, else the connector's). */
  outputConverters: ConverterSet;
  chain: TransformationChain;
  errors: RetryWithToleranceOperator;
  consumer: TopicConsumer;
  /** `topics` list or `topics.regex`. */
  subscription: string[] | RegExp;
  /** For records a sink produces (predictions) and nothing else. Created lazily. */
  producer: () => TopicProducer;
  topicCreator: TopicCreator;
  onTopicUsed(topic: string): void;
  offsetFlushIntervalMs: number;
  listener: TaskStatusListener;
  logger: Logger;
  /** `connector-task-metrics` and `sink-task-metrics` (updated per batch), and the plugin's `context.metrics`. */
  taskMetrics?: TaskMetrics;
  sinkMetrics?: SinkTaskMetrics;
  pluginMetrics?: PluginMetrics;
}

const MAX_POLL_WAIT_MS = 500;

export class WorkerSinkTask extends WorkerTask {
  /** Next offset to consume per partition, advanced after a successful put. */
  private readonly currentOffsets = new Map<TopicPartition, number>();
  private lastCommitted = new Map<TopicPartition, number>();
  private nextCommit = 0;
  private commitRequested = false;
  private redeliveryDelayMs = 0;
  private readonly pendingSeeks = new Map<TopicPartition, number>();
  private producerInstance: TopicProducer | null = null;
  private readonly usedTopics = new Set<string>();
  /** The raw records of the batch being delivered (the errant record reporter sends these to the DLQ). */
  private currentBatch: ConsumedRecord[] = [];

  constructor(private readonly deps: SinkTaskDeps) {
    super(deps.id, deps.initialState, deps.listener, deps.logger);
    if (deps.sinkMetrics) deps.sinkMetrics.partitionCount = () => deps.consumer.assignment().length;
  }

  protected async initializeAndStart(): Promise<void> {
    const { task, taskConfig, consumer } = this.deps;
    task.initialize(this.context());
    await task.start(taskConfig);
    await consumer.subscribe(this.deps.subscription, {
      onPartitionsAssigned: async (partitions) => {
        await task.open(partitions);
        this.applySeeks();
      },
      onPartitionsRevoked: async (partitions) => {
        await this.commitOffsets(partitions);
        await task.close(partitions);
        for (const tp of partitions) this.currentOffsets.delete(tp);
      },
    });
    this.nextCommit = Date.now() + this.deps.offsetFlushIntervalMs;
  }

  protected async execute(): Promise<void> {
    const { consumer } = this.deps;
    while (!this.stopping) {
      if (this.isPaused) {
        if (this.commitRequested || Date.now() >= this.nextCommit) await this.commitOffsets();
        await this.waitWhilePaused();
        continue;
      }
      if (this.commitRequested || Date.now() >= this.nextCommit) await this.commitOffsets();
      const wait = Math.max(0, Math.min(MAX_POLL_WAIT_MS, this.nextCommit - Date.now()));
      const consumed = await consumer.poll(wait);
      if (this.stopping) break;
      this.applySeeks();
      await this.deliver(consumed);
    }
  }

  private async deliver(consumed: ConsumedRecord[]): Promise<void> {
    this.currentBatch = consumed;
    const metrics = this.deps.sinkMetrics;
    if (metrics && consumed.length > 0) {
      const now = Date.now();
      metrics.recordRead(consumed.length, now);
      this.deps.taskMetrics?.recordBatch(consumed.length, now);
    }
    const batch: SinkRecord[] = [];
    for (const raw of consumed) {
      let record: SinkRecord | null | typeof SKIP;
      try {
        record = this.convertAndTransform(raw);
      } catch (e) {
        // A retriable failure, or a converter waiting for I/O (a schema registry): the slow path, awaited.
        if (!(e instanceof RetryNeeded) && !(e instanceof ConversionPending)) throw e;
        record = await this.deps.errors.runAsync('VALUE_CONVERTER', this.deps.converters.valueClass, () => this.convertAndTransform(raw), { consumerRecord: raw });
      }
      if (record !== null && record !== SKIP) batch.push(record);
    }
    // put is called once per poll, also with an empty batch (tasks use it as a heartbeat).
    for (;;) {
      try {
        const started = Date.now();
        await this.deps.task.put(batch);
        if (metrics && batch.length > 0) {
          const now = Date.now();
          metrics.recordSend(batch.length, now);
          metrics.recordPut(now - started, now);
        }
        break;
      } catch (e) {
        if ((e as { retriable?: boolean }).retriable && !this.stopping) {
          this.logger.warn({ err: e }, 'RetriableException from SinkTask.put; redelivering the same batch');
          await sleep(this.redeliveryDelayMs || 1000);
          continue;
        }
        if (this.stopping) return;
        throw new ConnectException('Exiting WorkerSinkTask due to unrecoverable exception.', { cause: e });
      }
    }
    // Every consumed record counts, including those dropped by transforms or tolerated errors. A poll returns
    // each partition's records together: the partition is looked up once per run, not per record.
    let tp: TopicPartition | null = null;
    for (const raw of consumed) {
      if (tp === null || tp.partition !== raw.partition || tp.topic !== raw.topic) tp = topicPartition(raw.topic, raw.partition);
      this.currentOffsets.set(tp, raw.offset + 1);
    }
  }

  /**
   * Converters then transforms, synchronously (no promise per record): null or SKIP when dropped; throws
   * RetryNeeded / ConversionPending for the awaited slow path in `deliver`.
   */
  private convertAndTransform(raw: ConsumedRecord): SinkRecord | null | typeof SKIP {
    const { converters, errors, chain } = this.deps;
    const fields = toSinkRecordFields(raw, converters, errors);
    if (fields === SKIP) return SKIP;
    return chain.apply(new SinkRecord(fields), { consumerRecord: raw });
  }

  /** preCommit -> commit of the offsets it returns (only assigned partitions, never past what was consumed). */
  private async commitOffsets(only?: TopicPartition[]): Promise<void> {
    this.commitRequested = false;
    this.nextCommit = Date.now() + this.deps.offsetFlushIntervalMs;
    await this.deps.errors.flushReports();
    const scope = only ? new Set(only) : null;
    const current = new Map([...this.currentOffsets].filter(([tp]) => !scope || scope.has(tp)));
    if (current.size === 0) return;
    let offsets: Map<TopicPartition, number>;
    const started = Date.now();
    try {
      offsets = await this.deps.task.preCommit(new Map(current));
    } catch (e) {
      this.deps.taskMetrics?.recordCommit(false, Date.now() - started, Date.now());
      this.logger.error({ err: e }, 'Commit of offsets threw an unexpected exception; rewinding to the last committed offsets');
      for (const [tp, off] of this.lastCommitted) this.deps.consumer.seek(tp, off);
      for (const tp of current.keys()) {
        const last = this.lastCommitted.get(tp);
        if (last === undefined) this.currentOffsets.delete(tp);
        else this.currentOffsets.set(tp, last);
      }
      return;
    }
    const assigned = new Set(this.deps.consumer.assignment());
    const toCommit = new Map<TopicPartition, number>();
    for (const [tp, off] of offsets) {
      const consumedUpTo = current.get(tp);
      if (!assigned.has(tp) || consumedUpTo === undefined) continue;
      const safe = Math.min(off, consumedUpTo);
      if (this.lastCommitted.get(tp) !== safe) toCommit.set(tp, safe);
    }
    if (toCommit.size === 0) return;
    try {
      await this.deps.consumer.commit(toCommit);
    } catch (e) {
      this.deps.taskMetrics?.recordCommit(false, Date.now() - started, Date.now());
      throw e;
    }
    for (const [tp, off] of toCommit) this.lastCommitted.set(tp, off);
    const now = Date.now();
    this.deps.taskMetrics?.recordCommit(true, now - started, now);
    this.deps.sinkMetrics?.recordCommit(false, now);
  }

  private applySeeks(): void {
    for (const [tp, off] of this.pendingSeeks) {
      if (!this.deps.consumer.assignment().includes(tp)) continue;
      this.deps.consumer.seek(tp, off);
      this.currentOffsets.set(tp, off);
      this.pendingSeeks.delete(tp);
    }
  }

  private context(): SinkTaskContext {
    const consumer = this.deps.consumer;
    return {
      taskId: this.id,
      configs: this.deps.taskConfig,
      offset: (offsets, offset) => {
        if (offsets instanceof Map) for (const [tp, off] of offsets) this.pendingSeeks.set(topicPartition(tp.topic, tp.partition), off);
        else this.pendingSeeks.set(topicPartition(offsets.topic, offsets.partition), offset!);
      },
      timeout: (ms) => {
        this.redeliveryDelayMs = ms;
      },
      assignment: () => consumer.assignment(),
      pause: (...tps) => consumer.pause(tps),
      resume: (...tps) => consumer.resume(tps),
      requestCommit: () => {
        this.commitRequested = true;
      },
      errantRecordReporter: () => ({
        report: (record, error) => {
          const raw = this.currentBatch.find(
            (r) => r.topic === record.originalTopic && r.partition === record.originalKafkaPartition && r.offset === record.originalKafkaOffset,
          );
          return this.deps.errors.reportFailure({ stage: 'TASK_PUT', executingClass: this.deps.task.constructor.name, error, consumerRecord: raw });
        },
      }),
      produce: (records) => this.produce(records),
      ...(this.deps.pluginMetrics ? { metrics: this.deps.pluginMetrics } : {}),
    };
  }

  /** Records a sink writes (e.g. predictions), converted with the connector's converters. */
  private async produce(records: SourceRecord[]): Promise<void> {
    const out: ProduceRecord[] = [];
    for (const r of records) {
      const p = await convertSettled(() => toProduceRecord(r, this.deps.outputConverters, this.deps.errors, { sourceRecord: r }));
      if (p === SKIP) continue;
      if (!this.usedTopics.has(p.topic)) {
        await this.deps.topicCreator.ensure(p.topic);
        this.usedTopics.add(p.topic);
        this.deps.onTopicUsed(p.topic);
      }
      out.push(p);
    }
    if (out.length === 0) return;
    this.producerInstance ??= this.deps.producer();
    await this.producerInstance.send(out);
  }

  protected override wakeup(): void {
    this.deps.consumer.wakeup();
    this.deps.errors.stop();
  }

  protected async close(): Promise<void> {
    try {
      await this.commitOffsets();
    } catch (e) {
      this.logger.warn({ err: e }, 'Final offset commit failed');
    }
    try {
      await this.deps.task.close(this.deps.consumer.assignment());
      await this.deps.task.stop();
    } finally {
      this.deps.chain.close();
      await this.deps.errors.close();
      await this.deps.consumer.close();
      await this.producerInstance?.close();
    }
  }
}
