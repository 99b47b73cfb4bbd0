/** Confluent's Avro converter with a schema registry (`io.confluent.connect.avro.AvroConverter`). */
import type { PluginDescriptor } from '../../connect/api/index.js';
import { AVRO_CONVERTER_CLASS, AvroConverter, CONFLUENT_VERSION } from './avro-converter.js';

export { AvroConverter, AVRO_CONVERTER_CLASS } from './avro-converter.js';
export { AvroData } from './avro-data.js';
export { SchemaRegistryClient, RegistryError } from './registry-client.js';
export { avroSchemaText, parseAvroSchema } from './avro-schema.js';

export const avroConverterPlugins: PluginDescriptor[] = [
  { className: AVRO_CONVERTER_CLASS, type: 'converter', version: CONFLUENT_VERSION, aliases: ['AvroConverter'], create: () => new AvroConverter() },
];
