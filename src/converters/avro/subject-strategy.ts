/**
 * Subject name strategies (`key.subject.name.strategy` / `value.subject.name.strategy`), by Confluent's class
 * names: the registry subject a record's schema is registered under.
 *  - TopicNameStrategy (default): `<topic>-key` / `<topic>-value`.
 *  - RecordNameStrategy: the record's full name (so one topic may carry several record types).
 *  - TopicRecordNameStrategy: `<topic>-<record full name>`.
 */
import { ConfigException } from '../../connect/errors.js';
import { type AvroNode, fullNameOf } from './avro-schema.js';

export type SubjectNameStrategy = (topic: string, isKey: boolean, schema: AvroNode) => string;

const PACKAGE = 'io.confluent.kafka.serializers.subject.';
export const TOPIC_NAME_STRATEGY = PACKAGE + 'TopicNameStrategy';
export const RECORD_NAME_STRATEGY = PACKAGE + 'RecordNameStrategy';
export const TOPIC_RECORD_NAME_STRATEGY = PACKAGE + 'TopicRecordNameStrategy';

export const topicNameStrategy: SubjectNameStrategy = (topic, isKey) => topic + (isKey ? '-key' : '-value');

function recordName(className: string, isKey: boolean, schema: AvroNode): string {
  if (schema.kind === 'record' || schema.kind === 'enum' || schema.kind === 'fixed') return fullNameOf(schema.name, schema.namespace);
  const which = isKey ? 'key' : 'value';
  throw new ConfigException(`In configuration ${which}.subject.name.strategy = ${className}, the message ${which} must only be a record schema`);
}

export const recordNameStrategy: SubjectNameStrategy = (_topic, isKey, schema) => recordName(RECORD_NAME_STRATEGY, isKey, schema);

export const topicRecordNameStrategy: SubjectNameStrategy = (topic, isKey, schema) => topic + '-' + recordName(TOPIC_RECORD_NAME_STRATEGY, isKey, schema);

/** The strategy of a class name (full or simple, also the old `...subject.strategy.` package). */
export function subjectNameStrategy(className: string): SubjectNameStrategy {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  switch (simple) {
    case 'TopicNameStrategy':
      return topicNameStrategy;
    case 'RecordNameStrategy':
      return recordNameStrategy;
    case 'TopicRecordNameStrategy':
      return topicRecordNameStrategy;
    default:
      throw new ConfigException(`Unknown subject name strategy ${className}; use ${TOPIC_NAME_STRATEGY}, ${RECORD_NAME_STRATEGY} or ${TOPIC_RECORD_NAME_STRATEGY}`);
  }
}
