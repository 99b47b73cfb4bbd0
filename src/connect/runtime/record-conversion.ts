/**
 * Converting records between Connect data and topic bytes with a connector's converters: the key, value
 * and header stages of both task loops, each guarded by the error operator.
 */
import type { Converter, HeaderConverter } from '../api/converter.js';
import { ConnectHeaders } from '../data/headers.js';
import type { AnyRecord, SinkRecordFields } from '../data/records.js';
import type { ConsumedRecord, ProduceRecord, TopicHeader } from '../topics/types.js';
import { type ProcessingContext, type RetryWithToleranceOperator, SKIP, type Skip } from './errors/retry-with-tolerance.js';

export interface ConverterSet {
  key: Converter;
  keyClass: string;
  value: Converter;
  valueClass: string;
  header: HeaderConverter;
  headerClass: string;
}

/** Connect record -> bytes for a topic; SKIP when a tolerated error dropped it. */
export function toProduceRecord(
  record: AnyRecord,
  converters: ConverterSet,
  errors: RetryWithToleranceOperator,
  context: Partial<ProcessingContext>,
): ProduceRecord | Skip {
  const topic = record.topic;
  let headers: TopicHeader[] | undefined;
  if (!record.headers.isEmpty()) {
    const converted = errors.run('HEADER_CONVERTER', converters.headerClass, () => {
      const out: TopicHeader[] = [];
      for (const h of record.headers) out.push({ key: h.key, value: converters.header.fromConnectHeader(topic, h.key, h.schema, h.value) });
      return out;
    }, context);
    if (converted === SKIP) return SKIP;
    headers = converted;
  }
  const key = errors.run('KEY_CONVERTER', converters.keyClass, () => converters.key.fromConnectData(topic, record.keySchema, record.key, record.headers), context);
  if (key === SKIP) return SKIP;
  const value = errors.run('VALUE_CONVERTER', converters.valueClass, () => converters.value.fromConnectData(topic, record.valueSchema, record.value, record.headers), context);
  if (value === SKIP) return SKIP;
  return { topic, partition: record.kafkaPartition, key, value, headers, timestamp: record.timestamp };
}

/** Bytes consumed from a topic -> the fields of a SinkRecord; SKIP when a tolerated error dropped it. */
export function toSinkRecordFields(
  consumed: ConsumedRecord,
  converters: ConverterSet,
  errors: RetryWithToleranceOperator,
): SinkRecordFields | Skip {
  const context = { consumerRecord: consumed };
  const topic = consumed.topic;
  const headers = new ConnectHeaders();
  if (consumed.headers.length > 0) {
    const ok = errors.run('HEADER_CONVERTER', converters.headerClass, () => {
      for (const h of consumed.headers) {
        const sv = converters.header.toConnectHeader(topic, h.key, h.value);
        headers.add(h.key, sv.value, sv.schema);
      }
      return true;
    }, context);
    if (ok === SKIP) return SKIP;
  }
  const key = errors.run('KEY_CONVERTER', converters.keyClass, () => converters.key.toConnectData(topic, consumed.key, headers), context);
  if (key === SKIP) return SKIP;
  const value = errors.run('VALUE_CONVERTER', converters.valueClass, () => converters.value.toConnectData(topic, consumed.value, headers), context);
  if (value === SKIP) return SKIP;
  return {
    topic,
    kafkaPartition: consumed.partition,
    keySchema: key.schema,
    key: key.value,
    valueSchema: value.schema,
    value: value.value,
    timestamp: consumed.timestamp < 0 ? null : consumed.timestamp,
    timestampType: consumed.timestamp < 0 ? 'NoTimestampType' : consumed.timestampType,
    kafkaOffset: consumed.offset,
    headers,
  };
}
