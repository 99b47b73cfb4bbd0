/**
 * Builds the SourceRecords Debezium emits (specs/debezium-postgres.md §1): change events with their
 * envelope, tombstones, truncates, logical decoding messages, heartbeats and transaction BEGIN/END.
 */
import { ConnectHeaders, Schema, SchemaBuilder, SourceRecord, Struct, type Header, type SourceMap } from '../../connect/data/index.js';
import type { PostgresConfig } from './config.js';
import { SOURCE_SCHEMA, type SourceFields, SourceInfoBuilder } from './source-info.js';
import { TRANSACTION_BLOCK_SCHEMA, type TableSchema } from './table-schema.js';

export type Op = 'r' | 'c' | 'u' | 'd' | 't';

export const MESSAGE_KEY_SCHEMA = SchemaBuilder.struct().name('io.debezium.connector.postgresql.MessageKey').version(1)
  .field('prefix', Schema.OPTIONAL_STRING_SCHEMA).build();

export const HEARTBEAT_KEY_SCHEMA = SchemaBuilder.struct().name('io.debezium.connector.common.ServerNameKey').version(1)
  .field('serverName', Schema.STRING_SCHEMA).build();
export const HEARTBEAT_VALUE_SCHEMA = SchemaBuilder.struct().name('io.debezium.connector.common.Heartbeat').version(1)
  .field('ts_ms', Schema.INT64_SCHEMA).build();

export const TX_KEY_SCHEMA = SchemaBuilder.struct().name('io.debezium.connector.common.TransactionMetadataKey').version(1)
  .field('id', Schema.STRING_SCHEMA).build();
const TX_COLLECTION_SCHEMA = SchemaBuilder.struct().name('event.collection').version(1)
  .field('data_collection', Schema.STRING_SCHEMA).field('event_count', Schema.INT64_SCHEMA).build();
export const TX_VALUE_SCHEMA = SchemaBuilder.struct().name('io.debezium.connector.common.TransactionMetadataValue').version(1)
  .field('status', Schema.STRING_SCHEMA)
  .field('id', Schema.STRING_SCHEMA)
  .field('event_count', Schema.OPTIONAL_INT64_SCHEMA)
  .field('data_collections', SchemaBuilder.array(TX_COLLECTION_SCHEMA).optional().build())
  .field('ts_ms', Schema.INT64_SCHEMA)
  .build();

/** Wall clock in µs (envelope ts_*), from the monotonic clock anchored at start (no BigInt per call). */
function nowUs(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export interface TransactionBlock {
  id: string;
  totalOrder: number;
  dataCollectionOrder: number;
}

export class EventFactory {
  readonly partition: SourceMap;
  private readonly source: SourceInfoBuilder;
  private readonly messageValueSchema: Schema;
  private readonly messageEnvelope: Schema;

  constructor(private readonly cfg: PostgresConfig, private readonly taskId = '0') {
    this.partition = { server: cfg.topicPrefix };
    this.source = new SourceInfoBuilder(cfg.topicPrefix, cfg.connection.database);
    this.messageValueSchema = SchemaBuilder.struct().name('io.debezium.connector.postgresql.Message').version(1)
      .field('prefix', Schema.OPTIONAL_STRING_SCHEMA)
      .field('content', cfg.binaryMode === 'bytes' ? Schema.OPTIONAL_BYTES_SCHEMA : Schema.OPTIONAL_STRING_SCHEMA)
      .build();
    this.messageEnvelope = SchemaBuilder.struct().name('io.debezium.connector.postgresql.MessageValue').version(1)
      .field('op', Schema.STRING_SCHEMA)
      .field('ts_ms', Schema.OPTIONAL_INT64_SCHEMA)
      .field('source', SOURCE_SCHEMA)
      .field('transaction', TRANSACTION_BLOCK_SCHEMA)
      .field('message', this.messageValueSchema)
      .build();
  }

  /** The extended headers; Header objects are immutable, so one set is shared by every record's list. */
  private readonly contextHeaders: readonly Header[] = this.cfg.extendedHeaders
    ? [
        { key: '__debezium.context.connectorLogicalName', value: this.cfg.topicPrefix, schema: Schema.STRING_SCHEMA },
        { key: '__debezium.context.taskId', value: this.taskId, schema: Schema.STRING_SCHEMA },
        { key: '__debezium.context.connectorName', value: 'postgresql', schema: Schema.STRING_SCHEMA },
      ]
    : [];

  /** Undefined when there are none: a record creates its (empty) headers only when asked for them. */
  private headers(): ConnectHeaders | undefined {
    return this.contextHeaders.length === 0 ? undefined : new ConnectHeaders(this.contextHeaders);
  }

  private txStruct(tx: TransactionBlock | null): Struct | null {
    if (!tx) return null;
    return new Struct(TRANSACTION_BLOCK_SCHEMA).putUnchecked(0, tx.id).putUnchecked(1, tx.totalOrder).putUnchecked(2, tx.dataCollectionOrder);
  }

  /** A change event (`r`, `c`, `u`, `d`, `t`). `key` may be null (keyless tables, truncates). */
  change(
    table: TableSchema, op: Op, key: Struct | null, before: Struct | null, after: Struct | null,
    src: SourceFields, offset: SourceMap, tx: TransactionBlock | null, headers?: ConnectHeaders,
  ): SourceRecord {
    const us = nowUs();
    // before, after, source, transaction, op, ts_ms, ts_us, ts_ns (one array literal: once per event).
    const env = Struct.fromValues(table.envelopeSchema, [
      before, after, this.source.build(src), this.txStruct(tx), op, Math.floor(us / 1000), us, BigInt(us) * 1000n,
    ]);
    const h = headers ?? this.headers();
    return new SourceRecord({
      topic: table.topic,
      kafkaPartition: null,
      keySchema: op === 't' ? null : table.keySchema,
      key: op === 't' ? null : key,
      valueSchema: table.envelopeSchema,
      value: env,
      timestamp: null,
      headers: h,
      sourcePartition: this.partition,
      sourceOffset: offset,
    });
  }

  /** The tombstone after a delete: same topic, key, headers and offset; null value. */
  tombstone(deleteRecord: SourceRecord): SourceRecord {
    return new SourceRecord({
      topic: deleteRecord.topic,
      kafkaPartition: deleteRecord.kafkaPartition,
      keySchema: deleteRecord.keySchema,
      key: deleteRecord.key,
      valueSchema: null,
      value: null,
      timestamp: null,
      headers: deleteRecord.headers.isEmpty() ? undefined : deleteRecord.headers.duplicate(),
      sourcePartition: this.partition,
      sourceOffset: deleteRecord.sourceOffset,
    });
  }

  headersFor(extra: [string, Struct, Schema][]): ConnectHeaders {
    const h = this.headers() ?? new ConnectHeaders();
    for (const [k, v, s] of extra) h.add(k, v, s);
    return h;
  }

  /** A logical decoding message (`op: m`) on `<prefix>.message`. */
  message(prefix: string, content: Uint8Array, src: SourceFields, offset: SourceMap, tx: TransactionBlock | null): SourceRecord {
    const key = new Struct(MESSAGE_KEY_SCHEMA).putUnchecked(0, prefix);
    const b = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    let c: unknown;
    switch (this.cfg.binaryMode) {
      case 'bytes': c = Buffer.from(b); break;
      case 'base64': c = b.toString('base64'); break;
      case 'hex': c = b.toString('hex'); break;
      default: {
        const s = b.toString('base64url');
        c = s + '='.repeat((4 - (s.length % 4)) % 4);
      }
    }
    const msg = new Struct(this.messageValueSchema).putUnchecked(0, prefix).putUnchecked(1, c);
    const v = new Struct(this.messageEnvelope)
      .putUnchecked(0, 'm')
      .putUnchecked(1, Date.now())
      .putUnchecked(2, this.source.build(src))
      .putUnchecked(3, this.txStruct(tx))
      .putUnchecked(4, msg);
    return new SourceRecord({
      topic: `${this.cfg.topicPrefix}${this.cfg.topicDelimiter}message`,
      kafkaPartition: null,
      keySchema: MESSAGE_KEY_SCHEMA,
      key,
      valueSchema: this.messageEnvelope,
      value: v,
      timestamp: null,
      headers: this.headers(),
      sourcePartition: this.partition,
      sourceOffset: offset,
    });
  }

  heartbeat(offset: SourceMap): SourceRecord {
    return new SourceRecord({
      topic: `${this.cfg.heartbeatTopicPrefix}.${this.cfg.topicPrefix}`,
      kafkaPartition: 0,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: new Struct(HEARTBEAT_KEY_SCHEMA).putUnchecked(0, this.cfg.topicPrefix),
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: new Struct(HEARTBEAT_VALUE_SCHEMA).putUnchecked(0, Date.now()),
      timestamp: null,
      sourcePartition: this.partition,
      sourceOffset: offset,
    });
  }

  /** Transaction BEGIN/END on `<prefix>.transaction`. */
  transaction(status: 'BEGIN' | 'END', id: string, tsMs: number, offset: SourceMap, counts: Map<string, number> | null): SourceRecord {
    const v = new Struct(TX_VALUE_SCHEMA).putUnchecked(0, status).putUnchecked(1, id);
    if (status === 'END' && counts) {
      let total = 0;
      const list: Struct[] = [];
      for (const [coll, n] of counts) {
        total += n;
        list.push(new Struct(TX_COLLECTION_SCHEMA).putUnchecked(0, coll).putUnchecked(1, n));
      }
      v.putUnchecked(2, total).putUnchecked(3, list);
    }
    v.putUnchecked(4, tsMs);
    return new SourceRecord({
      topic: `${this.cfg.topicPrefix}${this.cfg.topicDelimiter}${this.cfg.transactionTopic}`,
      kafkaPartition: null,
      keySchema: TX_KEY_SCHEMA,
      key: new Struct(TX_KEY_SCHEMA).putUnchecked(0, id),
      valueSchema: TX_VALUE_SCHEMA,
      value: v,
      timestamp: null,
      sourcePartition: this.partition,
      sourceOffset: offset,
    });
  }
}
