export { KafkaTopicBackend, type KafkaBackendOptions } from './backend.js';
export { KafkaTopicProducer } from './producer.js';
export { KafkaTopicConsumer } from './consumer.js';
export { kafkaConfig, producerSettings, consumerSettings, parseBootstrap } from './client-config.js';
