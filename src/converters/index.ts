/**
 * The converters: Kafka's JsonConverter, StringConverter, ByteArrayConverter, the primitive converters and
 * the SimpleHeaderConverter, registered under their Java class names. (In Kafka the Json, String, ByteArray
 * and primitive converters are also HeaderConverters; they are registered as converters here and implement
 * both contracts.)
 */
import type { Converter, PluginDescriptor } from '../connect/api/index.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import { JsonConverter } from './json-converter.js';
import {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './number-converters.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { StringConverter } from './string-converter.js';
import { KAFKA_VERSION } from './version.js';

export { JsonConverter } from './json-converter.js';
export { StringConverter } from './string-converter.js';
export { ByteArrayConverter } from './byte-array-converter.js';
export { BooleanConverter, DoubleConverter, FloatConverter, IntegerConverter, LongConverter, ShortConverter } from './number-converters.js';
export { SimpleHeaderConverter } from './simple-header-converter.js';
export { convertToString, parseString } from './values.js';
export { KAFKA_VERSION } from './version.js';

const converter = (className: string, create: () => Converter): PluginDescriptor => ({
  className,
  type: 'converter',
  version: KAFKA_VERSION,
  create,
});

export const converterPlugins: PluginDescriptor[] = [
  converter('org.apache.kafka.connect.json.JsonConverter', () => new JsonConverter()),
  converter('org.apache.kafka.connect.storage.StringConverter', () => new StringConverter()),
  converter('org.apache.kafka.connect.converters.ByteArrayConverter', () => new ByteArrayConverter()),
  converter('org.apache.kafka.connect.converters.IntegerConverter', () => new IntegerConverter()),
  converter('org.apache.kafka.connect.converters.LongConverter', () => new LongConverter()),
  converter('org.apache.kafka.connect.converters.ShortConverter', () => new ShortConverter()),
  converter('org.apache.kafka.connect.converters.FloatConverter', () => new FloatConverter()),
  converter('org.apache.kafka.connect.converters.DoubleConverter', () => new DoubleConverter()),
  converter('org.apache.kafka.connect.converters.BooleanConverter', () => new BooleanConverter()),
  {
    className: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    type: 'header_converter',
    version: KAFKA_VERSION,
    create: () => new SimpleHeaderConverter(),
  },
];
