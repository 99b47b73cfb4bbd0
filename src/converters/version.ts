/** The Apache Kafka release whose converters and file connectors these mirror (reported as plugin version). */
export const KAFKA_VERSION = '3.9.0';
