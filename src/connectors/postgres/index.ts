import type { PluginDescriptor } from '../../connect/api/plugin.js';
import { POSTGRES_CONNECTOR_CLASS, PostgresConnector } from './connector.js';
import { CONNECTOR_VERSION } from './source-info.js';

export { PostgresConnector, POSTGRES_CONNECTOR_CLASS } from './connector.js';
export { PostgresSourceTask } from './task.js';
export { postgresConfigDef, parsePostgresConfig } from './config.js';
export { decodePgOutput, formatLsn, parseLsn } from './pgoutput/decoder.js';

export const postgresConnectorPlugins: PluginDescriptor[] = [
  {
    className: POSTGRES_CONNECTOR_CLASS,
    type: 'source',
    version: CONNECTOR_VERSION,
    create: () => new PostgresConnector(),
  },
];
