/**
 * The embedded engine's public types (Debezium's `DebeziumEngine` API, shaped for Node): the options of
 * `createEngine`, the record shapes of each output format, the batch handler with its committer
 * (`ChangeConsumer` / `RecordCommitter`), the per-record handler, and the lifecycle callbacks.
 */
import type { Logger } from 'pino';
import type { SourceRecord } from '../connect/data/records.js';
import type { PluginRegistry } from '../connect/runtime/plugins.js';
import type { OffsetBackingStore } from '../connect/storage/offset-store.js';

/**
 * Output formats (Debezium's `Connect`, `Json`, `JsonByteArray`, `CloudEvents`):
 * - `connect`: the transformed `SourceRecord` itself;
 * - `json`: key and value as the JsonConverter's JSON text (strings);
 * - `json-bytes`: the same as Buffers (the exact bytes the worker would write to a topic);
 * - `cloudevents`: value as CloudEvents 1.0 structured JSON (`io.debezium.converters.CloudEventsConverter`),
 *   key as the JsonConverter's JSON text.
 * Avro is not available yet.
 */
export type EngineFormat = 'connect' | 'json' | 'json-bytes' | 'cloudevents';

/** A change event of the serialized formats (Debezium's `ChangeEvent` + `Header`). */
export interface ChangeEvent<T> {
  /** Key text/bytes; null when the record has no key. */
  readonly key: T | null;
  /** Value text/bytes; null for tombstones (and, in `cloudevents`, for records that are not change events). */
  readonly value: T | null;
  /** The topic the worker would have written the record to. */
  readonly destination: string;
  /** Explicit Kafka partition set by the connector or a transform, else null. */
  readonly partition: number | null;
  readonly headers: readonly EventHeader<T>[];
  /** The transformed Connect record the event was made from. */
  readonly record: SourceRecord;
}

export interface EventHeader<T> {
  readonly key: string;
  readonly value: T | null;
}

/** What the handler receives for each format. */
export interface FormatRecord {
  connect: SourceRecord;
  json: ChangeEvent<string>;
  'json-bytes': ChangeEvent<Buffer>;
  cloudevents: ChangeEvent<string>;
}

/**
 * Handed to a batch handler with each batch (Debezium's `RecordCommitter`). A record's source offset counts as
 * processed only once it is marked; offsets are stored (and a CDC source confirms its position to the
 * database) only up to the last record that is processed together with every record before it. Marks may
 * come after the handler returned (e.g. when an asynchronous write is acknowledged).
 */
export interface RecordCommitter<R> {
  markProcessed(record: R): void;
  /** Marks every record of the batch processed. */
  markBatchFinished(): void;
}

/** `ChangeConsumer.handleBatch`: batches arrive one at a time, in source order. */
export type BatchHandler<R> = (records: R[], committer: RecordCommitter<R>) => void | Promise<void>;

/**
 * A handler of single records (Debezium's `Consumer<R>`): the record counts as processed when the handler
 * returns (or its promise resolves). Several run at once per `record.processing.threads` and
 * `record.processing.order`.
 */
export type RecordHandler<R> = (record: R) => void | Promise<void>;

/** Debezium's `ConnectorCallback`, plus failure notices. */
export interface EngineCallbacks {
  connectorStarted?(): void;
  connectorStopped?(): void;
  connectorFailed?(error: Error): void;
  taskStarted?(): void;
  taskStopped?(): void;
  taskFailed?(error: Error): void;
}

/** How the engine ended (Debezium's `CompletionCallback` arguments). */
export interface EngineCompletion {
  success: boolean;
  message: string;
  error: Error | null;
}

/** Property values: strings as in a connector config; numbers and booleans are turned into strings. */
export type EnginePropertyValue = string | number | boolean | null | undefined;

export interface EngineProperties {
  [key: string]: EnginePropertyValue | OffsetBackingStore;
  /** `file` (default), `memory`, the Java class names of those, or a store the application provides. */
  'offset.storage'?: string | OffsetBackingStore;
}

export interface EngineOptions<F extends EngineFormat = 'connect'> {
  /** Connector config keys plus the engine's own (see README "Embedded engine"). */
  properties: EngineProperties;
  /** Output format; default `connect`. */
  format?: F;
  /** Receives batches with a committer. Give this or `recordHandler` (or use `changeStream` instead). */
  handler?: BatchHandler<FormatRecord[F]>;
  /** Receives single records. */
  recordHandler?: RecordHandler<FormatRecord[F]>;
  /** Called once when the engine has ended, whatever the reason. */
  completion?: (success: boolean, message: string, error: Error | null) => void;
  callbacks?: EngineCallbacks;
  /** Aborting stops the engine gracefully (like `stop()`). */
  signal?: AbortSignal;
  /** Plugin registry; default: every built-in plugin. */
  registry?: PluginRegistry;
  logger?: Logger;
}

/** The running engine. */
export interface Engine {
  /** Starts connector and task; resolves once the task runs, rejects when starting failed. */
  start(): Promise<void>;
  /**
   * Graceful stop: no new batches are delivered, in-flight handler calls finish (up to
   * `record.processing.shutdown.timeout.ms`), processed offsets are flushed, then task and connector stop.
   */
  stop(): Promise<void>;
  /** Same as `stop()`. */
  close(): Promise<void>;
  /** Resolves (never rejects) when the engine has ended. */
  readonly completion: Promise<EngineCompletion>;
  readonly running: boolean;
}
