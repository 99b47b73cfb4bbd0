/**
 * Source and sink records (`ConnectRecord`, `SourceRecord`, `SinkRecord`). Records are immutable by
 * convention: transforms return a new record with `newRecord(...)` instead of changing one.
 *
 * Performance note: each transform copies the record, so construction is a hot path. SourceRecord and
 * SinkRecord are deliberately two plain classes, not subclasses of one base: under tsx/esbuild (`keepNames`
 * redefines each class's `name`), V8 in Node 20 constructs *derived* classes about 30-60x slower than base
 * classes (measured: ~500 ns instead of ~10 ns per `new`). The shared shape is the `ConnectRecord` interface.
 */
import { ConnectHeaders } from './headers.js';
import type { Schema } from './schema.js';

/** Partition and offset maps of a source: string keys, primitive values (string, number, bigint, boolean, null). */
export type SourceMap = Record<string, unknown>;

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

export interface RecordFields {
  topic: string;
  kafkaPartition: number | null;
  keySchema: Schema | null;
  key: unknown;
  valueSchema: Schema | null;
  value: unknown;
  /** Epoch milliseconds, or null. */
  timestamp: number | null;
  headers?: ConnectHeaders;
}

/** What every record has (Kafka's abstract `ConnectRecord`). */
export interface ConnectRecord<R extends ConnectRecord<R>> {
  readonly topic: string;
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly timestamp: number | null;
  /** The record's headers (mutable, like Kafka's `ConnectRecord.headers()`). */
  readonly headers: ConnectHeaders;
  /**
   * A copy with the given fields replaced (unspecified ones are kept; headers are duplicated so the copy
   * can change them without touching this record).
   */
  newRecord(changes: Partial<RecordFields>): R;
  /** `newRecord({ valueSchema, value })` without the changes object: the hot path of value transforms. */
  withValue(valueSchema: Schema | null, value: unknown): R;
}

/** A copy's own headers: a duplicate of the original's, or none (undefined) when it has none. */
function duplicated(original: ConnectHeaders | null): ConnectHeaders | undefined {
  return original === null || original.isEmpty() ? undefined : original.duplicate();
}

export interface SourceRecordFields extends RecordFields {
  sourcePartition: SourceMap | null;
  sourceOffset: SourceMap | null;
}

export class SourceRecord implements ConnectRecord<SourceRecord> {
  readonly topic: string;
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly timestamp: number | null;
  /** Created on first use: most records never have headers, and records are copied once per transform. */
  private headersOrNull: ConnectHeaders | null;
  readonly sourcePartition: SourceMap | null;
  readonly sourceOffset: SourceMap | null;

  constructor(f: SourceRecordFields);
  /** A copy of `f` with another value (see `withValue`): no intermediate fields object on this hot path. */
  constructor(f: SourceRecord, valueSchema: Schema | null, value: unknown);
  constructor(f: SourceRecordFields | SourceRecord, valueSchema?: Schema | null, value?: unknown) {
    if (f instanceof SourceRecord) {
      this.topic = f.topic;
      this.kafkaPartition = f.kafkaPartition;
      this.keySchema = f.keySchema;
      this.key = f.key;
      this.valueSchema = valueSchema ?? null;
      this.value = value ?? null;
      this.timestamp = f.timestamp;
      this.headersOrNull = duplicated(f.headersOrNull) ?? null;
      this.sourcePartition = f.sourcePartition;
      this.sourceOffset = f.sourceOffset;
      return;
    }
    this.topic = f.topic;
    this.kafkaPartition = f.kafkaPartition ?? null;
    this.keySchema = f.keySchema ?? null;
    this.key = f.key ?? null;
    this.valueSchema = f.valueSchema ?? null;
    this.value = f.value ?? null;
    this.timestamp = f.timestamp ?? null;
    this.headersOrNull = f.headers ?? null;
    this.sourcePartition = f.sourcePartition ?? null;
    this.sourceOffset = f.sourceOffset ?? null;
  }

  get headers(): ConnectHeaders {
    return (this.headersOrNull ??= new ConnectHeaders());
  }

  /** Written out field by field: object spread is slow on this hot path. */
  newRecord(changes: Partial<RecordFields>): SourceRecord {
    return new SourceRecord({
      topic: changes.topic ?? this.topic,
      kafkaPartition: changes.kafkaPartition !== undefined ? changes.kafkaPartition : this.kafkaPartition,
      keySchema: changes.keySchema !== undefined ? changes.keySchema : this.keySchema,
      key: changes.key !== undefined ? changes.key : this.key,
      valueSchema: changes.valueSchema !== undefined ? changes.valueSchema : this.valueSchema,
      value: changes.value !== undefined ? changes.value : this.value,
      timestamp: changes.timestamp !== undefined ? changes.timestamp : this.timestamp,
      headers: changes.headers ?? duplicated(this.headersOrNull),
      sourcePartition: this.sourcePartition,
      sourceOffset: this.sourceOffset,
    });
  }

  withValue(valueSchema: Schema | null, value: unknown): SourceRecord {
    return new SourceRecord(this, valueSchema, value);
  }
}

export interface SinkRecordFields extends RecordFields {
  kafkaPartition: number;
  kafkaOffset: number;
  timestampType?: TimestampType;
  originalTopic?: string;
  originalKafkaPartition?: number;
  originalKafkaOffset?: number;
}

export class SinkRecord implements ConnectRecord<SinkRecord> {
  readonly topic: string;
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly timestamp: number | null;
  /** Created on first use, as in SourceRecord. */
  private headersOrNull: ConnectHeaders | null;
  readonly kafkaOffset: number;
  readonly timestampType: TimestampType;
  /** Topic/partition/offset as consumed, before any transform changed them. */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;

  constructor(f: SinkRecordFields) {
    this.topic = f.topic;
    this.kafkaPartition = f.kafkaPartition ?? null;
    this.keySchema = f.keySchema ?? null;
    this.key = f.key ?? null;
    this.valueSchema = f.valueSchema ?? null;
    this.value = f.value ?? null;
    this.timestamp = f.timestamp ?? null;
    this.headersOrNull = f.headers ?? null;
    this.kafkaOffset = f.kafkaOffset;
    this.timestampType = f.timestampType ?? (f.timestamp === null ? 'NoTimestampType' : 'CreateTime');
    this.originalTopic = f.originalTopic ?? f.topic;
    this.originalKafkaPartition = f.originalKafkaPartition ?? f.kafkaPartition;
    this.originalKafkaOffset = f.originalKafkaOffset ?? f.kafkaOffset;
  }

  get headers(): ConnectHeaders {
    return (this.headersOrNull ??= new ConnectHeaders());
  }

  newRecord(changes: Partial<RecordFields>): SinkRecord {
    return new SinkRecord({
      topic: changes.topic ?? this.topic,
      kafkaPartition: (changes.kafkaPartition !== undefined ? changes.kafkaPartition : this.kafkaPartition) ?? this.kafkaPartition!,
      keySchema: changes.keySchema !== undefined ? changes.keySchema : this.keySchema,
      key: changes.key !== undefined ? changes.key : this.key,
      valueSchema: changes.valueSchema !== undefined ? changes.valueSchema : this.valueSchema,
      value: changes.value !== undefined ? changes.value : this.value,
      timestamp: changes.timestamp !== undefined ? changes.timestamp : this.timestamp,
      headers: changes.headers ?? duplicated(this.headersOrNull),
      kafkaOffset: this.kafkaOffset,
      timestampType: this.timestampType,
      originalTopic: this.originalTopic,
      originalKafkaPartition: this.originalKafkaPartition,
      originalKafkaOffset: this.originalKafkaOffset,
    });
  }

  withValue(valueSchema: Schema | null, value: unknown): SinkRecord {
    return new SinkRecord({
      topic: this.topic,
      kafkaPartition: this.kafkaPartition!,
      keySchema: this.keySchema,
      key: this.key,
      valueSchema,
      value,
      timestamp: this.timestamp,
      headers: duplicated(this.headersOrNull),
      kafkaOffset: this.kafkaOffset,
      timestampType: this.timestampType,
      originalTopic: this.originalTopic,
      originalKafkaPartition: this.originalKafkaPartition,
      originalKafkaOffset: this.originalKafkaOffset,
    });
  }
}

/** Any record a transform or predicate can see. */
export type AnyRecord = SourceRecord | SinkRecord;
