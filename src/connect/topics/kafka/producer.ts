/**
 * TopicProducer on kafkajs, with the guarantees Kafka Connect's source producer has: acks=all, no
 * idempotence, one request in flight so records of a partition stay in order even across retries, and
 * the Java client's partitioning (murmur2 of the key bytes; sticky per request for null keys).
 *
 * send() calls are accumulated: while one produce request is in flight, records of later calls wait and
 * go together in the next request (like the Java client's RecordAccumulator with max.in.flight=1).
 */
import { Kafka, type Message, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import { DefaultPartitioner } from '../partitioner.js';
import type { ClientOptions, ProduceRecord, ProducedMetadata, TopicProducer } from '../types.js';
import { kafkaConfig, producerSettings, type ProducerSettings } from './client-config.js';
import { toConnectError } from './errors.js';

const EMPTY = Buffer.alloc(0);

interface Job {
  records: ProduceRecord[];
  /** Index of the first record not yet handed to a request. */
  next: number;
  /** Records acknowledged so far. */
  done: number;
  results: ProducedMetadata[];
  failed: boolean;
  resolve: (r: ProducedMetadata[]) => void;
  reject: (e: unknown) => void;
}

/** A partition's part of a produce response, and how many of the request's records were matched to it. */
interface PartitionResult {
  offset: number;
  appendTime: number;
  next: number;
}

interface Slice {
  job: Job;
  from: number;
  to: number;
}

export class KafkaTopicProducer implements TopicProducer {
  private readonly producer: Producer;
  private readonly settings: ProducerSettings;
  private readonly partitioner = new DefaultPartitioner();
  /** Partition the partitioner chose for each message of the request in flight. */
  private chosen = new WeakMap<Message, number>();
  private sticky = new Map<string, number>();
  private readonly queue: Job[] = [];
  private connecting: Promise<void> | null = null;
  private pumping = false;
  private closed = false;

  constructor(bootstrapServers: string, options: ClientOptions, private readonly log?: Logger) {
    const props = options.properties ?? {};
    this.settings = producerSettings(props);
    const kafka = new Kafka(kafkaConfig(bootstrapServers, options.clientId, props));
    this.producer = kafka.producer({
      // With idempotence the broker drops the duplicates a retried request would otherwise write.
      idempotent: this.settings.idempotent,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: () => ({ topic, partitionMetadata, message }) => {
        let p: number;
        if (message.partition !== undefined && message.partition !== null) p = message.partition;
        else {
          const key = message.key === undefined || message.key === null ? null : (message.key as Buffer);
          p = this.partitioner.partition(topic, key, partitionMetadata.length, this.sticky);
        }
        this.chosen.set(message, p);
        return p;
      },
    });
  }

  private connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.producer.connect().catch((e: unknown) => {
        this.connecting = null;
        throw toConnectError(e, 'Connecting the Kafka producer');
      });
    }
    return this.connecting;
  }

  send(records: ProduceRecord[]): Promise<ProducedMetadata[]> {
    if (this.closed) return Promise.reject(toConnectError(new Error('producer is closed'), 'Producing'));
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ records, next: 0, done: 0, results: new Array(records.length), failed: false, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await this.connect();
      if (this.settings.lingerMs > 0) await new Promise((r) => setTimeout(r, this.settings.lingerMs));
      while (this.queue.length > 0) await this.sendOne(this.takeSlices());
    } catch (e) {
      // Connection failure: fail everything queued.
      for (const job of this.queue.splice(0)) job.reject(e);
    } finally {
      this.pumping = false;
    }
  }

  /** Takes the next records (whole jobs or parts of one) up to the request limits. */
  private takeSlices(): Slice[] {
    const slices: Slice[] = [];
    let count = 0;
    let bytes = 0;
    for (const job of this.queue) {
      if (job.next >= job.records.length) continue;
      const from = job.next;
      let i = from;
      while (i < job.records.length && count < this.settings.maxRequestRecords) {
        const size = estimatedSize(job.records[i]!);
        // Stop before the request outgrows the limit (a single larger record still goes, alone).
        if (count > 0 && bytes + size > this.settings.maxRequestBytes) break;
        bytes += size;
        count++;
        i++;
      }
      job.next = i;
      slices.push({ job, from, to: i });
      if (i < job.records.length) break;
    }
    return slices;
  }

  private async sendOne(slices: Slice[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    const order: Message[] = [];
    const now = Date.now();
    for (const { job, from, to } of slices) {
      for (let i = from; i < to; i++) {
        const r = job.records[i]!;
        const m: Message = {
          key: r.key,
          value: r.value,
          partition: r.partition ?? undefined,
          timestamp: String(r.timestamp ?? now),
        };
        if (r.headers && r.headers.length > 0) m.headers = toKafkajsHeaders(r.headers);
        let list = byTopic.get(r.topic);
        if (!list) byTopic.set(r.topic, (list = []));
        list.push(m);
        order.push(m);
      }
    }
    const topicMessages: TopicMessages[] = [];
    for (const [topic, messages] of byTopic) topicMessages.push({ topic, messages });
    this.chosen = new WeakMap();
    this.sticky = this.partitioner.beginSend();
    let response: RecordMetadata[];
    const started = Date.now();
    let backoff = this.settings.retryBackoffMs;
    for (;;) {
      try {
        response = await this.producer.sendBatch({
          topicMessages,
          acks: this.settings.acks,
          timeout: this.settings.timeoutMs,
          compression: this.settings.compression,
        });
        break;
      } catch (e) {
        const err = toConnectError(e, `Producing to ${[...byTopic.keys()].join(', ')}`);
        // Like the Java producer until delivery.timeout.ms: keep retrying this request (and hold back
        // the ones after it, so per-partition order survives a broker restart). Without idempotence a
        // retry may duplicate records the broker did write, as in Java.
        if (err.retriable && !this.closed && Date.now() - started + backoff < this.settings.deliveryTimeoutMs) {
          this.log?.warn({ err: err.message }, 'Kafka produce failed; retrying');
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, this.settings.retryBackoffMaxMs);
          continue;
        }
        for (const { job } of slices) this.fail(job, err);
        return;
      }
    }
    // Each partition's base offset and the index of its next record, by topic then partition (no string key
    // built per record).
    const base = new Map<string, PartitionResult[]>();
    for (const rm of response) {
      let partitions = base.get(rm.topicName);
      if (!partitions) base.set(rm.topicName, (partitions = []));
      partitions[rm.partition] = { offset: Number(rm.baseOffset ?? -1), appendTime: Number(rm.logAppendTime ?? -1), next: 0 };
    }
    let k = 0;
    for (const { job, from, to } of slices) {
      for (let i = from; i < to; i++) {
        const r = job.records[i]!;
        const m = order[k++]!;
        const partition = this.chosen.get(m) ?? m.partition ?? -1;
        const b = base.get(r.topic)?.[partition];
        const offset = b && b.offset >= 0 ? b.offset + b.next++ : -1;
        const timestamp = b && b.appendTime >= 0 ? b.appendTime : Number(m.timestamp);
        job.results[i] = { topic: r.topic, partition, offset, timestamp };
      }
      job.done += to - from;
      if (job.done === job.records.length && !job.failed) {
        this.remove(job);
        job.resolve(job.results);
      }
    }
  }

  private fail(job: Job, err: unknown): void {
    if (job.failed) return;
    job.failed = true;
    this.remove(job);
    this.log?.warn({ err }, 'Kafka produce failed');
    job.reject(err);
  }

  private remove(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Let queued records go out first, like KafkaProducer.close().
    while (this.pumping || this.queue.length > 0) {
      if (!this.pumping) void this.pump();
      await new Promise((r) => setTimeout(r, 5));
    }
    if (this.connecting) await this.producer.disconnect().catch(() => undefined);
  }
}

/**
 * An upper bound of a record's encoded size in a record batch (v2): key, value, header keys and values,
 * plus the varints and fields around them (at most ~35 bytes a record and ~10 a header); the 61-byte
 * batch header is covered by the first record's slack.
 */
function estimatedSize(r: ProduceRecord): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
  if (r.headers) for (const h of r.headers) n += h.key.length * 3 + (h.value?.length ?? 0) + 10;
  return n;
}

/**
 * kafkajs takes headers as an object (repeated keys as arrays) and cannot encode a null header value
 * (its size computation calls Buffer.byteLength(null)): null values are sent as empty bytes.
 */
function toKafkajsHeaders(headers: { key: string; value: Buffer | null }[]): Record<string, Buffer | Buffer[]> {
  const out: Record<string, Buffer | Buffer[]> = Object.create(null) as Record<string, Buffer | Buffer[]>;
  for (const h of headers) {
    const v = h.value ?? EMPTY;
    const prev = out[h.key];
    if (prev === undefined) out[h.key] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[h.key] = [prev, v];
  }
  return out;
}
