/** Every plugin that ships with tsconnect, registered by Java class name (and aliases) in the worker's registry. */
import type { PluginDescriptor } from './connect/api/plugin.js';
import { transformPlugins } from './transforms/index.js';
import { converterPlugins } from './converters/index.js';
import { avroConverterPlugins } from './converters/avro/index.js';
import { fileConnectorPlugins } from './connectors/file/index.js';
import { postgresConnectorPlugins } from './connectors/postgres/index.js';
import { mlSinkPlugins } from '../ml-sinks/index.js';

export function builtinPlugins(): PluginDescriptor[] {
  return [...converterPlugins, ...avroConverterPlugins, ...transformPlugins, ...fileConnectorPlugins, ...postgresConnectorPlugins, ...mlSinkPlugins];
}
