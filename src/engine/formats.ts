/**
 * Turning a transformed SourceRecord into what the handler receives, per output format (Debezium's
 * `ConverterBuilder`). Converters are configured from `converter.*` keys, overridden by `key.converter.*`,
 * `value.converter.*` and `header.converter.*`; conversion runs through the task's error operator, so
 * `errors.tolerance=all` skips a record that cannot be converted.
 */
import type { Converter, HeaderConverter } from '../connect/api/converter.js';
import type { SourceRecord } from '../connect/data/records.js';
import { ConfigException } from '../connect/errors.js';
import { type RetryWithToleranceOperator, SKIP, type Skip } from '../connect/runtime/errors/retry-with-tolerance.js';
import { type ConverterSet, toProduceRecord } from '../connect/runtime/record-conversion.js';
import { JsonConverter } from '../converters/json-converter.js';
import { CLOUDEVENTS_CONVERTER_CLASS, CloudEventsConverter } from './cloudevents.js';
import type { ChangeEvent, EngineFormat, EventHeader, FormatRecord } from './types.js';

const JSON_CONVERTER_CLASS = 'org.apache.kafka.connect.json.JsonConverter';

/** Makes the handler's record from a transformed record; SKIP when a tolerated conversion error dropped it. */
export type ToFormat<R> = (record: SourceRecord) => R | Skip;

const NO_HEADERS: readonly EventHeader<never>[] = Object.freeze([]);

const FORMATS: readonly EngineFormat[] = ['connect', 'json', 'json-bytes', 'cloudevents'];

export function checkFormat(format: string): EngineFormat {
  if (format === 'avro') throw new ConfigException('format', format, 'Avro is not available yet; use json, json-bytes, cloudevents or connect');
  if (!(FORMATS as readonly string[]).includes(format)) throw new ConfigException('format', format, `Must be one of ${FORMATS.join(', ')}`);
  return format as EngineFormat;
}

/** `converter.*` keys overridden by `<prefix>.*` keys, prefixes removed. */
export function converterProps(props: Record<string, string>, prefix: 'key.converter' | 'value.converter' | 'header.converter'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith('converter.')) out[k.slice('converter.'.length)] = v;
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix + '.')) out[k.slice(prefix.length + 1)] = v;
  return out;
}

export function converterSet(format: Exclude<EngineFormat, 'connect'>, props: Record<string, string>): ConverterSet {
  const key = new JsonConverter();
  key.configure(converterProps(props, 'key.converter'), true);
  let value: Converter;
  let valueClass = JSON_CONVERTER_CLASS;
  if (format === 'cloudevents') {
    value = new CloudEventsConverter();
    valueClass = CLOUDEVENTS_CONVERTER_CLASS;
  } else {
    value = new JsonConverter();
  }
  value.configure(converterProps(props, 'value.converter'), false);
  const header: HeaderConverter = new JsonConverter();
  header.configure({ ...converterProps(props, 'header.converter'), 'converter.type': 'header' });
  return { key, keyClass: JSON_CONVERTER_CLASS, value, valueClass, header, headerClass: JSON_CONVERTER_CLASS };
}

export function toFormat<F extends EngineFormat>(format: F, props: Record<string, string>, errors: RetryWithToleranceOperator): ToFormat<FormatRecord[F]> {
  if (format === 'connect') return ((record: SourceRecord) => record) as ToFormat<FormatRecord[F]>;
  const converters = converterSet(format as Exclude<EngineFormat, 'connect'>, props);
  const asText = format !== 'json-bytes';
  return ((record: SourceRecord): ChangeEvent<string | Buffer> | Skip => {
    const produced = toProduceRecord(record, converters, errors, { sourceRecord: record });
    if (produced === SKIP) return SKIP;
    const headers: readonly EventHeader<string | Buffer>[] = produced.headers
      ? produced.headers.map((h) => ({ key: h.key, value: asText && h.value ? h.value.toString('utf8') : h.value }))
      : NO_HEADERS;
    return {
      key: asText && produced.key ? produced.key.toString('utf8') : produced.key,
      value: asText && produced.value ? produced.value.toString('utf8') : produced.value,
      destination: produced.topic,
      partition: produced.partition ?? null,
      headers,
      record,
    };
  }) as ToFormat<FormatRecord[F]>;
}
