/**
 * Source and sink records (`ConnectRecord`, `SourceRecord`, `SinkRecord`). Records are immutable by
 * convention: transforms return a new record with `newRecord(...)` instead of changing one.
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

export abstract class ConnectRecord<R extends ConnectRecord<R>> {
  readonly topic: string;
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly timestamp: number | null;
  readonly headers: ConnectHeaders;

  constructor(f: RecordFields) {
    this.topic = f.topic;
    this.kafkaPartition = f.kafkaPartition ?? null;
    this.keySchema = f.keySchema ?? null;
    this.key = f.key ?? null;
    this.valueSchema = f.valueSchema ?? null;
    this.value = f.value ?? null;
    this.timestamp = f.timestamp ?? null;
    this.headers = f.headers ?? new ConnectHeaders();
  }

  /**
   * A copy with the given fields replaced (unspecified ones are kept; headers are duplicated so the copy
   * can change them without touching this record).
   */
  abstract newRecord(changes: Partial<RecordFields>): R;

  /** `changes` over this record's fields. Written out field by field: object spread is slow on this hot path. */
  protected fieldsWith(changes: Partial<RecordFields>): RecordFields {
    return {
      topic: changes.topic ?? this.topic,
      kafkaPartition: changes.kafkaPartition !== undefined ? changes.kafkaPartition : this.kafkaPartition,
      keySchema: changes.keySchema !== undefined ? changes.keySchema : this.keySchema,
      key: changes.key !== undefined ? changes.key : this.key,
      valueSchema: changes.valueSchema !== undefined ? changes.valueSchema : this.valueSchema,
      value: changes.value !== undefined ? changes.value : this.value,
      timestamp: changes.timestamp !== undefined ? changes.timestamp : this.timestamp,
      headers: changes.headers ?? (this.headers.isEmpty() ? new ConnectHeaders() : this.headers.duplicate()),
    };
  }
}

export interface SourceRecordFields extends RecordFields {
  sourcePartition: SourceMap | null;
  sourceOffset: SourceMap | null;
}

export class SourceRecord extends ConnectRecord<SourceRecord> {
  readonly sourcePartition: SourceMap | null;
  readonly sourceOffset: SourceMap | null;

  constructor(f: SourceRecordFields) {
    super(f);
    this.sourcePartition = f.sourcePartition ?? null;
    this.sourceOffset = f.sourceOffset ?? null;
  }

  newRecord(changes: Partial<RecordFields>): SourceRecord {
    const f = this.fieldsWith(changes) as SourceRecordFields;
    f.sourcePartition = this.sourcePartition;
    f.sourceOffset = this.sourceOffset;
    return new SourceRecord(f);
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

export class SinkRecord extends ConnectRecord<SinkRecord> {
  readonly kafkaOffset: number;
  readonly timestampType: TimestampType;
  /** Topic/partition/offset as consumed, before any transform changed them. */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;

  constructor(f: SinkRecordFields) {
    super(f);
    this.kafkaOffset = f.kafkaOffset;
    this.timestampType = f.timestampType ?? (f.timestamp === null ? 'NoTimestampType' : 'CreateTime');
    this.originalTopic = f.originalTopic ?? f.topic;
    this.originalKafkaPartition = f.originalKafkaPartition ?? f.kafkaPartition;
    this.originalKafkaOffset = f.originalKafkaOffset ?? f.kafkaOffset;
  }

  newRecord(changes: Partial<RecordFields>): SinkRecord {
    const f = this.fieldsWith(changes) as SinkRecordFields;
    f.kafkaPartition ??= this.kafkaPartition!;
    f.kafkaOffset = this.kafkaOffset;
    f.timestampType = this.timestampType;
    f.originalTopic = this.originalTopic;
    f.originalKafkaPartition = this.originalKafkaPartition;
    f.originalKafkaOffset = this.originalKafkaOffset;
    return new SinkRecord(f);
  }
}

/** Any record a transform or predicate can see. */
export type AnyRecord = SourceRecord | SinkRecord;
