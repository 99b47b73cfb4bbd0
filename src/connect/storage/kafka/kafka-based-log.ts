/**
 * A compacted Kafka topic read from the beginning into memory and kept up to date (Kafka Connect's
 * `KafkaBasedLog`): the offset, config and status stores of distributed mode sit on one each.
 *
 * - start(): creates the topic when it is missing (compacted, with the configured partitions and replication
 *   factor), checks an existing one (compaction; the config topic must have exactly one partition), then reads
 *   every partition to its end before resolving.
 * - A background loop then keeps fetching (long poll) and hands every record, in offset order per partition,
 *   to `onRecord`. No consumer group is used: partitions are read by hand, like Java's `consumer.assign()`.
 * - readToEnd() resolves once everything written before the call has been handed to `onRecord`.
 * - send() writes with acks=all; sends are serialized so records of one store keep their order.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ConfigException, ConnectException } from '../../errors.js';
import type { KafkaTopicBackend } from '../../topics/kafka/backend.js';
import type { ProduceRecord, TopicProducer, TopicSpec } from '../../topics/types.js';
import { clusterOf, type FetchedMessage, type InternalCluster } from './kafkajs-internals.js';

export interface LogRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
}

export interface KafkaBasedLogOptions {
  backend: KafkaTopicBackend;
  /** A kafkajs client configured like the worker's clients (for the fetch connection). */
  kafka: Kafka;
  topic: TopicSpec;
  /** The worker key naming the topic (for error messages), e.g. `config.storage.topic`. */
  topicKey: string;
  clientId: string;
  /** The config topic must have exactly one partition. */
  singlePartition?: boolean;
  onRecord(record: LogRecord): void;
  log?: Logger;
}

const FETCH_MAX_WAIT_MS = 500;
const PARTITION_MAX_BYTES = 1024 * 1024;

export class KafkaBasedLog {
  private readonly cluster: InternalCluster;
  private producer: TopicProducer | null = null;
  private positions: number[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private sending: Promise<unknown> = Promise.resolve();
  private readonly waiters: { targets: number[]; resolve(): void; reject(e: unknown): void }[] = [];
  private failure: unknown = null;

  constructor(private readonly options: KafkaBasedLogOptions) {
    this.cluster = clusterOf(options.kafka);
  }

  get topic(): string {
    return this.options.topic.name;
  }

  get partitions(): number {
    return this.positions.length;
  }

  async start(): Promise<void> {
    const { backend, topic } = this.options;
    await backend.start();
    await backend.createTopics([{ ...topic, configs: { ...topic.configs, 'cleanup.policy': 'compact' } }]);
    await this.checkTopic();
    await this.cluster.connect();
    await this.cluster.addTargetTopic(topic.name);
    this.positions = new Array<number>(await this.partitionCount()).fill(0);
    this.producer = backend.producer({ clientId: `${this.options.clientId}-producer` });
    this.running = true;
    this.loop = this.fetchLoop();
    await this.readToEnd();
  }

  private async checkTopic(): Promise<void> {
    const { backend, topic, topicKey } = this.options;
    const d = await backend.describeTopic(topic.name);
    if (!d) throw new ConnectException(`Topic ${topic.name} does not exist and could not be created`);
    if (this.options.singlePartition && d.partitions !== 1) {
      throw new ConfigException(
        `Topic '${topic.name}' supplied via the '${topicKey}' property is required to have a single partition in order to guarantee consistency of connector configurations, but found ${d.partitions} partitions.`,
      );
    }
    const policy = d.configs['cleanup.policy'];
    if (policy !== undefined && !policy.split(',').map((s) => s.trim()).includes('compact')) {
      throw new ConfigException(
        `Topic '${topic.name}' supplied via the '${topicKey}' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of source connector offsets, but found the topic currently has 'cleanup.policy=${policy}'. Continuing would likely result in eventually losing source connector offsets and problems restarting this Connect cluster in the future. Change the '${topicKey}' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'.`,
      );
    }
  }

  private async partitionCount(): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const md = this.cluster.findTopicPartitionMetadata(this.topic);
      if (md.length > 0 && md.every((p) => p.leader >= 0)) return md.length;
      await sleep(100);
      await this.cluster.refreshMetadata();
    }
    throw new ConnectException(`No leader for the partitions of ${this.topic}`);
  }

  /** Writes records to this log's topic; resolves when the broker acknowledged them all. */
  send(records: Omit<ProduceRecord, 'topic'>[]): Promise<void> {
    const producer = this.producer;
    if (!producer) return Promise.reject(new ConnectException(`The log of ${this.topic} is not started`));
    const run = this.sending.then(
      () => producer.send(records.map((r) => ({ ...r, topic: this.topic }))),
      () => producer.send(records.map((r) => ({ ...r, topic: this.topic }))),
    );
    this.sending = run.catch(() => undefined);
    return run.then(() => undefined);
  }

  /** Resolves when every record written before this call has been passed to `onRecord`. */
  async readToEnd(): Promise<void> {
    if (this.failure) throw this.failure;
    const ends = await this.endOffsets();
    const targets = this.positions.map((_, p) => ends.find((e) => e.partition === p)?.end ?? 0);
    if (this.reached(targets)) return;
    await new Promise<void>((resolve, reject) => this.waiters.push({ targets, resolve, reject }));
  }

  /** End offsets; kafkajs' admin fails for a while on a topic whose metadata it has not seen yet. */
  private async endOffsets(): Promise<{ partition: number; end: number }[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const ends = await this.options.backend.offsets(this.topic);
        if (ends.length >= this.positions.length) return ends;
      } catch (e) {
        if (attempt >= 50) throw e;
      }
      if (attempt >= 50) throw new ConnectException(`Could not read the end offsets of ${this.topic}`);
      await sleep(200);
    }
  }

  private reached(targets: number[]): boolean {
    return targets.every((t, p) => (this.positions[p] ?? 0) >= t);
  }

  private async fetchLoop(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        await this.fetchOnce();
        backoff = 100;
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const w = this.waiters[i]!;
          if (this.reached(w.targets)) {
            this.waiters.splice(i, 1);
            w.resolve();
          }
        }
      } catch (e) {
        if (!this.running) return;
        this.options.log?.warn({ err: e, topic: this.topic }, 'Reading the internal topic failed; retrying');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
    }
  }

  /** One long-poll fetch of every partition, grouped by leader. */
  private async fetchOnce(): Promise<void> {
    const byLeader = new Map<number, number[]>();
    for (const p of this.cluster.findTopicPartitionMetadata(this.topic)) {
      if (p.partitionId >= this.positions.length) continue;
      let l = byLeader.get(p.leader);
      if (!l) byLeader.set(p.leader, (l = []));
      l.push(p.partitionId);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const broker = await this.cluster.findBroker({ nodeId: String(leader) });
        const res = await broker.fetch({
          maxWaitTime: FETCH_MAX_WAIT_MS,
          minBytes: 1,
          maxBytes: PARTITION_MAX_BYTES * partitions.length,
          isolationLevel: 1,
          topics: [
            {
              topic: this.topic,
              partitions: partitions.map((partition) => ({ partition, fetchOffset: String(this.positions[partition]), maxBytes: PARTITION_MAX_BYTES })),
            },
          ],
        });
        if (!this.running) return;
        for (const t of res.responses) for (const p of t.partitions) this.apply(p.partition, p.messages);
      }),
    );
  }

  private apply(partition: number, messages: FetchedMessage[]): void {
    let position = this.positions[partition]!;
    for (const m of messages) {
      const offset = Number(m.offset);
      if (offset < position) continue; // fetches answer whole batches
      position = offset + 1;
      if (m.isControlRecord) continue;
      try {
        this.options.onRecord({ partition, offset, key: m.key ?? null, value: m.value ?? null, timestamp: Number(m.timestamp) });
      } catch (e) {
        this.options.log?.error({ err: e, topic: this.topic, partition, offset }, 'Failed to apply a record of an internal topic');
      }
    }
    this.positions[partition] = position;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.waiters.splice(0)) w.reject(new ConnectException(`The log of ${this.topic} was stopped`));
    await this.sending.catch(() => undefined);
    await this.producer?.close().catch(() => undefined);
    this.producer = null;
    await this.loop?.catch(() => undefined);
    await this.cluster.disconnect().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
