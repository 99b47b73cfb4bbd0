/**
 * Kafka's `transforms.util.Requirements`: checks with the exact messages users see in task traces, and the
 * Java class names those messages print for our JS values.
 */
import { Struct } from '../../connect/data/struct.js';
import { javaClassName as javaValueClassName } from '../../converters/java-format.js';
import type { Schema } from '../../connect/data/schema.js';
import { SinkRecord, type AnyRecord } from '../../connect/data/records.js';
import { DataException } from '../../connect/errors.js';

/**
 * The Java class a value would have in Kafka Connect (what `value.getClass().getName()` prints): the
 * converters' `javaClassName`, except that an integral number is a Long (the SMTs mostly see schemaless JSON,
 * whose integers JsonConverter reads as Long) and records print their record class.
 */
export function javaClassName(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'number' && Number.isInteger(value)) return 'java.lang.Long';
  if (value instanceof SinkRecord) return 'org.apache.kafka.connect.sink.SinkRecord';
  if (typeof value === 'object' && value !== null && value.constructor?.name === 'SourceRecord') return 'org.apache.kafka.connect.source.SourceRecord';
  return javaValueClassName(value);
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
