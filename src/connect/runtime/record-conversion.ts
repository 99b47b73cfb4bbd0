/**
 * Converting records between Connect data and topic bytes with a connector's converters: the key, value
 * and header stages of both task loops, each guarded by the error operator.
 */
import type { Converter, HeaderConverter } from '../api/converter.js';
import { ConnectHeaders, type Header } from '../data/headers.js';
import type { AnyRecord, SinkRecordFields } from '../data/records.js';
import type { ConsumedRecord, ProduceRecord, TopicHeader } from '../topics/types.js';
import { type ProcessingContext, type RetryWithToleranceOperator, SKIP, type Skip, type Stage } from './errors/retry-with-tolerance.js';

export interface ConverterSet {
  key: Converter;
  keyClass: string;
  value: Converter;
  valueClass: string;
  header: HeaderConverter;
  headerClass: string;
}

/**
 * Connect record -> bytes for a topic; SKIP when a tolerated error dropped it.
 *
 * Hot path: the header, key and value stages call the converters directly (no closure per record); a
 * failure is then handed to the operator as if the stage had run inside `errors.run`, which gives the same
 * verdict.
 */
export function toProduceRecord(
  record: AnyRecord,
  converters: ConverterSet,
  errors: RetryWithToleranceOperator,
  context: Partial<ProcessingContext>,
): ProduceRecord | Skip {
  const topic = record.topic;
  const connectHeaders = record.headers;
  let headers: TopicHeader[] | undefined;
  if (!connectHeaders.isEmpty()) {
    const items = connectHeaders.toArray();
    headers = new Array<TopicHeader>(items.length);
    try {
      for (let i = 0; i < items.length; i++) headers[i] = convertHeader(items[i]!, topic, converters.header);
    } catch (e) {
      return failed(errors, 'HEADER_CONVERTER', converters.headerClass, e, context);
    }
  }
  let key: Buffer | null;
  try {
    key = converters.key.fromConnectData(topic, record.keySchema, record.key, connectHeaders);
  } catch (e) {
    return failed(errors, 'KEY_CONVERTER', converters.keyClass, e, context);
  }
  let value: Buffer | null;
  try {
    value = converters.value.fromConnectData(topic, record.valueSchema, record.value, connectHeaders);
  } catch (e) {
    return failed(errors, 'VALUE_CONVERTER', converters.valueClass, e, context);
  }
  return { topic, partition: record.kafkaPartition, key, value, headers, timestamp: record.timestamp };
}

/**
 * Header objects are immutable and sources often attach the same ones to every record (Debezium's
 * `__debezium.context.*` headers): a header with a string value is converted once per topic and converter.
 */
const convertedHeaders = new WeakMap<Header, { topic: string; converter: HeaderConverter; header: TopicHeader }>();

function convertHeader(h: Header, topic: string, converter: HeaderConverter): TopicHeader {
  if (typeof h.value !== 'string') return { key: h.key, value: converter.fromConnectHeader(topic, h.key, h.schema, h.value) };
  const cached = convertedHeaders.get(h);
  if (cached !== undefined && cached.topic === topic && cached.converter === converter) return cached.header;
  const header = { key: h.key, value: converter.fromConnectHeader(topic, h.key, h.schema, h.value) };
  convertedHeaders.set(h, { topic, converter, header });
  return header;
}

/** The operator's verdict on a stage that threw `error`: SKIP when tolerated, else it throws. */
function failed(errors: RetryWithToleranceOperator, stage: Stage, executingClass: string, error: unknown, context: Partial<ProcessingContext>): Skip {
  errors.run(stage, executingClass, () => {
    throw error;
  }, context);
  return SKIP;
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
