import type { SinkRecord, SourceMap, SourceRecord } from '../data/records.js';
import type { ConfigDef, ConfigValue } from './config-def.js';
import type { PluginMetrics } from './metrics.js';

/** What the runtime offers a connector instance (`ConnectorContext`). */
export interface ConnectorContext {
  /** Ask the runtime to call `taskConfigs` again (the task set changed, e.g. new tables). */
  requestTaskReconfiguration(): void;
  /** Fail the connector with this error. */
  raiseError(error: Error): void;
  /** Last committed offsets of this connector (source connectors only). */
  offsetStorageReader?: OffsetStorageReader;
}

export interface OffsetStorageReader {
  offset(partition: SourceMap): Promise<SourceMap | null>;
  offsets(partitions: SourceMap[]): Promise<Map<SourceMap, SourceMap | null>>;
}

/**
 * A task class. `className` is the Java-style class name shown as `task.class` in task configs (Kafka shows
 * the task's FQCN there); without it the JS class name is used.
 */
export type TaskFactory<T> = (new () => T) & { readonly className?: string };

/**
 * Base of source and sink connectors (`org.apache.kafka.connect.connector.Connector`). Lifecycle:
 * `initialize(ctx)`, `validate(config)` (REST), `start(config)`, `taskConfigs(maxTasks)`, `stop()`.
 */
export abstract class Connector {
  protected context!: ConnectorContext;

  initialize(context: ConnectorContext): void {
    this.context = context;
  }

  abstract version(): string;
  abstract start(props: Record<string, string>): void | Promise<void>;
  abstract taskClass(): TaskFactory<SourceTask> | TaskFactory<SinkTask>;
  abstract taskConfigs(maxTasks: number): Record<string, string>[] | Promise<Record<string, string>[]>;
  abstract stop(): void | Promise<void>;
  abstract config(): ConfigDef;

  /**
   * Validates a config; the default runs `config().validateAll`. Connectors add cross-key checks by
   * overriding and appending to the returned values' `errorMessages`.
   */
  validate(props: Record<string, string>): Map<string, ConfigValue> | Promise<Map<string, ConfigValue>> {
    return this.config().validateAll(props);
  }
}

export abstract class SourceConnector extends Connector {
  abstract override taskClass(): TaskFactory<SourceTask>;
  /** KIP-875 hook; return true when the connector manages the change itself. */
  alterOffsets(_config: Record<string, string>, _offsets: Map<SourceMap, SourceMap | null>): boolean | Promise<boolean> {
    return false;
  }
}

export abstract class SinkConnector extends Connector {
  abstract override taskClass(): TaskFactory<SinkTask>;
  alterOffsets(_config: Record<string, string>, _offsets: Map<TopicPartition, number | null>): boolean | Promise<boolean> {
    return false;
  }
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What the runtime offers a source task (`SourceTaskContext`). */
export interface SourceTaskContext {
  readonly taskId: { connector: string; task: number };
  readonly configs: Record<string, string>;
  offsetStorageReader: OffsetStorageReader;
  /** The worker's metrics (`GET /metrics`); absent on runtimes without them. */
  readonly metrics?: PluginMetrics;
}

/**
 * A source task (`org.apache.kafka.connect.source.SourceTask`). The runtime calls `poll` in a loop; a task
 * waits inside `poll` (for at most about a second) when it has nothing, and returns `null` or `[]`.
 */
export abstract class SourceTask {
  protected context!: SourceTaskContext;

  initialize(context: SourceTaskContext): void {
    this.context = context;
  }

  abstract version(): string;
  abstract start(props: Record<string, string>): void | Promise<void>;
  abstract poll(): Promise<SourceRecord[] | null>;
  abstract stop(): void | Promise<void>;

  /**
   * Called after offsets were written to the offset store (every `offset.flush.interval.ms` and at stop).
   * `committed` holds, per source partition, the offset just made durable: everything up to it is on its
   * topic. A change-data-capture task may confirm its position to the database up to there, and no further.
   */
  commit(_committed: readonly CommittedOffset[]): void | Promise<void> {}

  /** Called when a record was written to its topic (metadata) or dropped by a transform/error (null). */
  commitRecord(_record: SourceRecord, _metadata: RecordMetadata | null): void | Promise<void> {}
}

export interface CommittedOffset {
  partition: SourceMap;
  offset: SourceMap;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export interface ErrantRecordReporter {
  report(record: SinkRecord, error: Error): Promise<void>;
}

/** What the runtime offers a sink task (`SinkTaskContext`). */
export interface SinkTaskContext {
  readonly taskId: { connector: string; task: number };
  readonly configs: Record<string, string>;
  /** Rewind or skip: consume these partitions from the given offsets next. */
  offset(offsets: Map<TopicPartition, number> | TopicPartition, offset?: number): void;
  /** Redeliver after this many ms when `put` threw a RetriableException. */
  timeout(ms: number): void;
  assignment(): TopicPartition[];
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  requestCommit(): void;
  errantRecordReporter(): ErrantRecordReporter | null;
  /**
   * Produce records from a sink (used by the ML sinks to write predictions) through the worker's topic
   * backend, with the connector's converters. Resolves when the records are durably written.
   */
  produce?(records: SourceRecord[]): Promise<void>;
  /** The worker's metrics (`GET /metrics`); absent on runtimes without them. */
  readonly metrics?: PluginMetrics;
}

/** A sink task (`org.apache.kafka.connect.sink.SinkTask`). */
export abstract class SinkTask {
  protected context!: SinkTaskContext;

  initialize(context: SinkTaskContext): void {
    this.context = context;
  }

  abstract version(): string;
  abstract start(props: Record<string, string>): void | Promise<void>;
  abstract put(records: SinkRecord[]): void | Promise<void>;
  abstract stop(): void | Promise<void>;

  /** Make everything `put` so far durable. */
  flush(_currentOffsets: Map<TopicPartition, number>): void | Promise<void> {}

  /** Offsets safe to commit (the next offset to consume, per partition); default: flush and return them. */
  async preCommit(currentOffsets: Map<TopicPartition, number>): Promise<Map<TopicPartition, number>> {
    await this.flush(currentOffsets);
    return currentOffsets;
  }

  open(_partitions: TopicPartition[]): void | Promise<void> {}
  close(_partitions: TopicPartition[]): void | Promise<void> {}
}

const interned = new Map<string, TopicPartition>();

/**
 * The canonical TopicPartition object for a topic and partition: the runtime hands out only these, so
 * they can be used as Map keys by identity.
 */
export function topicPartition(topic: string, partition: number): TopicPartition {
  const k = `${partition}:${topic}`;
  let tp = interned.get(k);
  if (!tp) {
    tp = Object.freeze({ topic, partition });
    interned.set(k, tp);
  }
  return tp;
}
