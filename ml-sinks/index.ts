/**
 * The sink plugins that learn online. `mlSinkPlugins` is what the plugin registry registers; `mlTasks`
 * is what the REST layer reads for `GET /ml/{connector}` and `POST /ml/{connector}/predict`.
 */
import type { PluginDescriptor } from '../src/connect/api/index.js';
import { KMeansSinkConnector } from './kmeans/connector.js';
import { KMEANS_VERSION } from './kmeans/task.js';
import { TfjsClassifierSinkConnector } from './tfjs/connector.js';
import { TFJS_SINK_VERSION } from './tfjs/task.js';

export const mlSinkPlugins: PluginDescriptor[] = [
  {
    className: 'io.tsconnect.ml.KMeansSinkConnector',
    type: 'sink',
    version: KMEANS_VERSION,
    aliases: ['KMeansSink'],
    create: () => new KMeansSinkConnector(),
  },
  {
    className: 'io.tsconnect.ml.TfjsClassifierSinkConnector',
    type: 'sink',
    version: TFJS_SINK_VERSION,
    aliases: ['TfjsClassifierSink'],
    create: () => new TfjsClassifierSinkConnector(),
  },
];

export { mlTasks, type MlTask, type MlStatus, type MlPrediction, type MlPredictInput } from './common/registry.js';
export { KMeansSinkConnector, KMeansSinkTask } from './kmeans/index.js';
export { TfjsClassifierSinkConnector } from './tfjs/connector.js';
export { TfjsClassifierSinkTask } from './tfjs/task.js';
