/**
 * Change events built by hand exactly as Debezium's PostgreSQL connector (3.x) shapes them: key
 * `<topic>.Key`, value `<topic>.Envelope` (v2) with `before`/`after` `<topic>.Value`, the
 * `io.debezium.connector.postgresql.Source` block and the `event.block` transaction block.
 */
import { ConnectHeaders, Schema, SchemaBuilder, SinkRecord, SourceRecord, Struct } from '../../../src/connect/data/index.js';

export const TOPIC = 'fulfillment.public.customers';

export const SOURCE_SCHEMA = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .version(1)
  .field('version', Schema.STRING_SCHEMA)
  .field('connector', Schema.STRING_SCHEMA)
  .field('name', Schema.STRING_SCHEMA)
  .field('ts_ms', Schema.INT64_SCHEMA)
  .field('snapshot', SchemaBuilder.string().optional().name('io.debezium.data.Enum').version(1)
    .parameter('allowed', 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental').defaultValue('false').build())
  .field('db', Schema.STRING_SCHEMA)
  .field('sequence', Schema.OPTIONAL_STRING_SCHEMA)
  .field('ts_us', Schema.OPTIONAL_INT64_SCHEMA)
  .field('ts_ns', Schema.OPTIONAL_INT64_SCHEMA)
  .field('schema', Schema.STRING_SCHEMA)
  .field('table', Schema.STRING_SCHEMA)
  .field('txId', Schema.OPTIONAL_INT64_SCHEMA)
  .field('lsn', Schema.OPTIONAL_INT64_SCHEMA)
  .field('xmin', Schema.OPTIONAL_INT64_SCHEMA)
  .build();

export const TX_SCHEMA = SchemaBuilder.struct().optional().name('event.block').version(1)
  .field('id', Schema.STRING_SCHEMA)
  .field('total_order', Schema.INT64_SCHEMA)
  .field('data_collection_order', Schema.INT64_SCHEMA)
  .build();

export const KEY_SCHEMA = SchemaBuilder.struct().name(`${TOPIC}.Key`)
  .field('id', SchemaBuilder.int32().defaultValue(0).build())
  .build();

export const ROW_SCHEMA = SchemaBuilder.struct().optional().name(`${TOPIC}.Value`)
  .field('id', SchemaBuilder.int32().defaultValue(0).build())
  .field('first_name', Schema.STRING_SCHEMA)
  .field('email', Schema.OPTIONAL_STRING_SCHEMA)
  .field('status', SchemaBuilder.string().optional().defaultValue('new').build())
  .build();

export const ENVELOPE_SCHEMA = SchemaBuilder.struct().name(`${TOPIC}.Envelope`).version(2)
  .field('before', ROW_SCHEMA)
  .field('after', ROW_SCHEMA)
  .field('source', SOURCE_SCHEMA)
  .field('transaction', TX_SCHEMA)
  .field('op', Schema.STRING_SCHEMA)
  .field('ts_ms', Schema.OPTIONAL_INT64_SCHEMA)
  .field('ts_us', Schema.OPTIONAL_INT64_SCHEMA)
  .field('ts_ns', Schema.OPTIONAL_INT64_SCHEMA)
  .build();

export interface Row { id: number; first_name: string; email: string | null; status?: string | null }

export function row(r: Row): Struct {
  return new Struct(ROW_SCHEMA).put('id', r.id).put('first_name', r.first_name).put('email', r.email).put('status', r.status ?? null);
}

export function source(lsn = 24023128): Struct {
  return new Struct(SOURCE_SCHEMA)
    .put('version', '3.2.0.Final').put('connector', 'postgresql').put('name', 'fulfillment')
    .put('ts_ms', 1559033904863).put('db', 'postgres').put('sequence', `["24023119","${lsn}"]`)
    .put('ts_us', 1559033904863000).put('ts_ns', 1559033904863000000n)
    .put('schema', 'public').put('table', 'customers').put('txId', 555).put('lsn', lsn);
}

export function envelope(op: string, before: Row | null, after: Row | null, tx = false): Struct {
  const e = new Struct(ENVELOPE_SCHEMA)
    .put('before', before && row(before)).put('after', after && row(after))
    .put('source', source()).put('op', op)
    .put('ts_ms', 1559033905000).put('ts_us', 1559033905000000).put('ts_ns', 1559033905000000000n);
  if (tx) e.put('transaction', new Struct(TX_SCHEMA).put('id', '571:53195829').put('total_order', 1).put('data_collection_order', 1));
  return e;
}

export function keyOf(id: number): Struct {
  return new Struct(KEY_SCHEMA).put('id', id);
}

export function changeRecord(op: string, before: Row | null, after: Row | null, opts: { tx?: boolean; headers?: ConnectHeaders } = {}): SourceRecord {
  const id = (after ?? before)?.id ?? 1;
  return new SourceRecord({
    topic: TOPIC,
    kafkaPartition: null,
    keySchema: op === 't' ? null : KEY_SCHEMA,
    key: op === 't' ? null : keyOf(id),
    valueSchema: ENVELOPE_SCHEMA,
    value: envelope(op, before, after, opts.tx),
    timestamp: null,
    headers: opts.headers,
    sourcePartition: { server: 'fulfillment' },
    sourceOffset: { lsn: 24023128, txId: 555, ts_usec: 1559033904863000 },
  });
}

export function tombstone(id: number): SourceRecord {
  return new SourceRecord({
    topic: TOPIC, kafkaPartition: null, keySchema: KEY_SCHEMA, key: keyOf(id), valueSchema: null, value: null, timestamp: null,
    sourcePartition: { server: 'fulfillment' }, sourceOffset: { lsn: 24023128 },
  });
}

export const HEARTBEAT_VALUE_SCHEMA = SchemaBuilder.struct().name('io.debezium.connector.common.Heartbeat').version(1)
  .field('ts_ms', Schema.INT64_SCHEMA).build();

export function heartbeat(): SourceRecord {
  const keySchema = SchemaBuilder.struct().name('io.debezium.connector.common.ServerNameKey').version(1).field('serverName', Schema.STRING_SCHEMA).build();
  return new SourceRecord({
    topic: '__debezium-heartbeat.fulfillment', kafkaPartition: 0,
    keySchema, key: new Struct(keySchema).put('serverName', 'fulfillment'),
    valueSchema: HEARTBEAT_VALUE_SCHEMA, value: new Struct(HEARTBEAT_VALUE_SCHEMA).put('ts_ms', 1700000000000),
    timestamp: null, sourcePartition: { server: 'fulfillment' }, sourceOffset: { lsn: 1 },
  });
}

/** A schemaless sink record as a JSON converter with `schemas.enable=false` would hand it over. */
export function sinkRecord(value: unknown, opts: { key?: unknown; topic?: string; timestamp?: number | null; offset?: number; partition?: number; valueSchema?: Schema | null; keySchema?: Schema | null } = {}): SinkRecord {
  return new SinkRecord({
    topic: opts.topic ?? 'orders',
    kafkaPartition: opts.partition ?? 3,
    kafkaOffset: opts.offset ?? 42,
    keySchema: opts.keySchema ?? null,
    key: opts.key ?? null,
    valueSchema: opts.valueSchema ?? null,
    value,
    timestamp: opts.timestamp === undefined ? 1700000000123 : opts.timestamp,
  });
}

/** `new Map(Object.entries(...))`, recursively: schemaless JSON objects are Maps in Connect. */
export function jsonMap(obj: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(obj).map(([k, v]) => [k, v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date) ? jsonMap(v as Record<string, unknown>) : v]));
}

/** Plain-object view of a Struct/Map tree, for deepEqual assertions. */
export function plain(v: unknown): unknown {
  if (v instanceof Struct) return Object.fromEntries(v.schema.fields.map((f) => [f.name, plain(v.getWithoutDefault(f))]));
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
