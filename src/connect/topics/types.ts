/**
 * Where records travel: the interface both topic backends implement, the embedded log (files on this
 * machine, used when the worker has no `bootstrap.servers`) and Kafka (kafkajs). Keys, values and header
 * values are bytes, exactly as on a Kafka topic.
 */
import type { TopicPartition } from '../api/connector.js';

export type { TopicPartition };

export interface TopicHeader {
  key: string;
  value: Buffer | null;
}

export interface ProduceRecord {
  topic: string;
  /** Explicit partition; otherwise murmur2(key) like the Java client, or sticky/round-robin for null keys. */
  partition?: number | null;
  key: Buffer | null;
  value: Buffer | null;
  headers?: TopicHeader[];
  /** Epoch ms; defaults to now. */
  timestamp?: number | null;
}

export interface ProducedMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Epoch ms, or -1 when the record has none. */
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  key: Buffer | null;
  value: Buffer | null;
  headers: TopicHeader[];
}

export interface TopicSpec {
  name: string;
  /** -1 or absent: the backend's default. */
  partitions?: number;
  replicationFactor?: number;
  /** Topic-level configs (`cleanup.policy`, `retention.ms`, `retention.bytes`, ...). */
  configs?: Record<string, string>;
}

export interface TopicDescription {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still stored. */
  start: number;
  /** Offset the next record will get. */
  end: number;
}

export interface RebalanceListener {
  onPartitionsAssigned(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsRevoked(partitions: TopicPartition[]): void | Promise<void>;
}

export interface ClientOptions {
  clientId: string;
  /** Client properties (`producer.*` / `consumer.*` of the worker, then the connector's overrides). */
  properties?: Record<string, string>;
}

export interface TopicProducer {
  /**
   * Writes records; resolves when all are durably written (acks=all on Kafka; the configured fsync
   * policy on the embedded log). Records to one partition keep their order.
   */
  send(records: ProduceRecord[]): Promise<ProducedMetadata[]>;
  close(): Promise<void>;
}

export interface TopicConsumer {
  /** Subscribe to topics by name or by pattern (full match). Assignment happens on the next poll. */
  subscribe(topics: string[] | RegExp, listener?: RebalanceListener): Promise<void>;
  /** Waits up to `maxWaitMs` for records; resolves with what is there (possibly none). */
  poll(maxWaitMs: number): Promise<ConsumedRecord[]>;
  /** Commits, per partition, the offset of the next record to consume. */
  commit(offsets: Map<TopicPartition, number>): Promise<void>;
  committed(partitions: TopicPartition[]): Promise<Map<TopicPartition, number | null>>;
  seek(partition: TopicPartition, offset: number): void;
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  assignment(): TopicPartition[];
  /** Ends a pending poll early (used on shutdown). */
  wakeup(): void;
  close(): Promise<void>;
}

export interface TopicBackend {
  readonly kind: 'embedded' | 'kafka';
  start(): Promise<void>;
  close(): Promise<void>;
  /** Kafka cluster id (`GET /` shows it); the embedded log makes one up once and keeps it. */
  clusterId(): Promise<string>;
  /** Creates the topics that do not exist yet; resolves with the names it created. */
  createTopics(specs: TopicSpec[]): Promise<string[]>;
  describeTopic(name: string): Promise<TopicDescription | null>;
  listTopics(): Promise<string[]>;
  deleteTopic(name: string): Promise<void>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  producer(options: ClientOptions): TopicProducer;
  consumer(groupId: string, options: ClientOptions): TopicConsumer;
  groupOffsets(groupId: string): Promise<Map<TopicPartition, number>>;
  /** Sets (number) or deletes (null) committed offsets of a group that has no active members. */
  alterGroupOffsets(groupId: string, offsets: Map<TopicPartition, number | null>): Promise<void>;
  deleteGroup(groupId: string): Promise<void>;
  /** Whether the group has live members (REST offset changes refuse then). */
  groupHasMembers(groupId: string): Promise<boolean>;
}
