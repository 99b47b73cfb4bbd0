/**
 * Kafka's `transforms.util.Requirements`: checks with the exact messages users see in task traces, and the
 * Java class names those messages print for our JS values.
 */
import { Struct } from '../../connect/data/struct.js';
import { BigDecimal } from '../../connect/data/logical.js';
import type { Schema } from '../../connect/data/schema.js';
import { SinkRecord, type AnyRecord } from '../../connect/data/records.js';
import { DataException } from '../../connect/errors.js';

/** The Java class a value would have in Kafka Connect (what `value.getClass().getName()` prints). */
export function javaClassName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return 'java.lang.String';
    case 'boolean':
      return 'java.lang.Boolean';
    case 'bigint':
      return 'java.lang.Long';
    case 'number':
      return Number.isInteger(value) ? 'java.lang.Long' : 'java.lang.Double';
    default:
      break;
  }
  if (value instanceof Struct) return 'org.apache.kafka.connect.data.Struct';
  if (value instanceof Map) return 'java.util.HashMap';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  if (value instanceof Uint8Array) return '[B';
  if (value instanceof Date) return 'java.util.Date';
  if (value instanceof BigDecimal) return 'java.math.BigDecimal';
  if (value instanceof SinkRecord) return 'org.apache.kafka.connect.sink.SinkRecord';
  if (typeof value === 'object' && value.constructor?.name === 'SourceRecord') return 'org.apache.kafka.connect.source.SourceRecord';
  return typeof value === 'object' ? (value.constructor?.name ?? 'java.lang.Object') : typeof value;
}

export type ConnectMap = Map<unknown, unknown>;

export function requireMap(value: unknown, purpose: string): ConnectMap {
  if (!(value instanceof Map)) {
    throw new DataException(`Only Map objects supported in absence of schema for [${purpose}], found: ${javaClassName(value)}`);
  }
  return value;
}

export function requireMapOrNull(value: unknown, purpose: string): ConnectMap | null {
  return value === null || value === undefined ? null : requireMap(value, purpose);
}

export function requireStruct(value: unknown, purpose: string): Struct {
  if (!(value instanceof Struct)) {
    throw new DataException(`Only Struct objects supported for [${purpose}], found: ${javaClassName(value)}`);
  }
  return value;
}

export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose);
}

export function requireSchema(schema: Schema | null, purpose: string): Schema {
  if (!schema) throw new DataException(`Schema required for [${purpose}]`);
  return schema;
}

export function requireSinkRecord(record: AnyRecord, purpose: string): SinkRecord {
  if (!(record instanceof SinkRecord)) {
    throw new DataException(`Only SinkRecord supported for [${purpose}], found: ${javaClassName(record)}`);
  }
  return record;
}
