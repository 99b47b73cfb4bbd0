/** Kafka Connect's file connectors, registered under their Java class names. */
import type { PluginDescriptor } from '../../connect/api/index.js';
import { KAFKA_VERSION } from '../../converters/version.js';
import { FileStreamSinkConnector } from './file-stream-sink-connector.js';
import { FileStreamSourceConnector } from './file-stream-source-connector.js';

export { FileStreamSinkConnector } from './file-stream-sink-connector.js';
export { FileStreamSinkTask } from './file-stream-sink-task.js';
export { FileStreamSourceConnector } from './file-stream-source-connector.js';
export { FileStreamSourceTask } from './file-stream-source-task.js';

export const fileConnectorPlugins: PluginDescriptor[] = [
  {
    className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    type: 'source',
    version: KAFKA_VERSION,
    create: () => new FileStreamSourceConnector(),
  },
  {
    className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    type: 'sink',
    version: KAFKA_VERSION,
    create: () => new FileStreamSinkConnector(),
  },
];
