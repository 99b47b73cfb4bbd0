export { KafkaBasedLog, type LogRecord } from './kafka-based-log.js';
export { KafkaOffsetStore, type KafkaStoreOptions } from './kafka-offset-store.js';
export { KafkaConfigStore, type ConfigUpdateListener } from './kafka-config-store.js';
export { KafkaStatusStore } from './kafka-status-store.js';
export { internalTopicSpec, internalTopicKey, type InternalTopicKind } from './internal-topics.js';
export { clusterOf } from './kafkajs-internals.js';
export { createKafkaStores, kafkaClientFor, kafkaStoreOptions, type KafkaStores } from './kafka-stores.js';
