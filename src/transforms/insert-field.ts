/**
 * `org.apache.kafka.connect.transforms.InsertField$Key/$Value`: appends topic / partition / offset (sink
 * records only) / timestamp / a static string. A name ending in `!` makes a required field, `?` (the default)
 * an optional one. With a schema the timestamp is a Connect Timestamp; schemaless it is epoch millis.
 */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { Schema, SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { ConnectTimestamp } from '../connect/data/logical.js';
import { ConfigException } from '../connect/errors.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { requireMap, requireSinkRecord, requireStruct } from './util/requirements.js';

const PURPOSE = 'field insertion';
const OPTIONALITY_DOC = 'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';
const OPTIONAL_TIMESTAMP_SCHEMA = ConnectTimestamp.builder().optional().build();

export const INSERT_FIELD_CONFIG_DEF = new ConfigDef()
  .define({ name: 'topic.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Field name for Kafka topic. ' + OPTIONALITY_DOC })
  .define({ name: 'partition.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Field name for Kafka partition. ' + OPTIONALITY_DOC })
  .define({ name: 'offset.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Field name for Kafka offset - only applicable to sink connectors.<br/>' + OPTIONALITY_DOC })
  .define({ name: 'timestamp.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Field name for record timestamp. ' + OPTIONALITY_DOC })
  .define({ name: 'static.field', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Field name for static data field. ' + OPTIONALITY_DOC })
  .define({ name: 'static.value', type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Static field value, if field name configured.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

interface InsertionSpec {
  name: string;
  optional: boolean;
}

function spec(text: string | null): InsertionSpec | null {
  if (text === null) return null;
  if (text.endsWith('?')) return { name: text.slice(0, -1), optional: true };
  if (text.endsWith('!')) return { name: text.slice(0, -1), optional: false };
  return { name: text, optional: true };
}

export class InsertField extends KeyValueTransformation {
  private topic: InsertionSpec | null = null;
  private partition: InsertionSpec | null = null;
  private offset: InsertionSpec | null = null;
  private timestamp: InsertionSpec | null = null;
  private static: InsertionSpec | null = null;
  private staticValue: string | null = null;
  private replaceNullWithDefault = true;
  private readonly cache = new LruCache<Schema, Schema>(16);
  private lastTimestamp = NaN;
  private lastDate: Date | null = null;

  configure(configs: Record<string, string>): void {
    const c = parseConfig(INSERT_FIELD_CONFIG_DEF, configs);
    this.topic = spec(c.getString('topic.field'));
    this.partition = spec(c.getString('partition.field'));
    this.offset = spec(c.getString('offset.field'));
    this.timestamp = spec(c.getString('timestamp.field'));
    this.static = spec(c.getString('static.field'));
    this.staticValue = c.getString('static.value');
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    if (!this.topic && !this.partition && !this.offset && !this.timestamp && !this.static) throw new ConfigException('No field insertion configured');
    if (this.static && this.staticValue === null) {
      throw new ConfigException('static.value', null, `No value specified for static field: ${c.getString('static.field')}`);
    }
    this.cache.clear();
  }

  config(): ConfigDef {
    return INSERT_FIELD_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const value = this.valueOf(record);
    if (value === null) return record;
    if (this.schemaOf(record) === null) {
      const out = new Map(requireMap(value, PURPOSE));
      if (this.topic) out.set(this.topic.name, record.topic);
      if (this.partition && record.kafkaPartition !== null) out.set(this.partition.name, record.kafkaPartition);
      if (this.offset) out.set(this.offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
      if (this.timestamp && record.timestamp !== null) out.set(this.timestamp.name, record.timestamp);
      if (this.static && this.staticValue !== null) out.set(this.static.name, this.staticValue);
      return this.withNew(record, null, out);
    }
    const struct = requireStruct(value, PURPOSE);
    const schema = this.cache.get(struct.schema) ?? this.cacheSchema(struct.schema);
    const values = new Array<unknown>(schema.fields.length);
    struct.copyValuesTo(values, this.replaceNullWithDefault);
    // The inserted fields follow the copied ones in the order makeSchema adds them; their values always fit.
    let at = struct.schema.fields.length;
    if (this.topic) values[at++] = record.topic;
    if (this.partition) values[at++] = record.kafkaPartition;
    if (this.offset) values[at++] = requireSinkRecord(record, PURPOSE).kafkaOffset;
    if (this.timestamp) values[at++] = record.timestamp === null ? null : this.dateOf(record.timestamp);
    if (this.static) values[at++] = this.staticValue;
    return this.withNew(record, schema, Struct.fromValues(schema, values));
  }

  /**
   * The Connect Timestamp for a record timestamp. Records of one transaction or poll usually share their
   * millisecond, so the last Date is reused (record values are never mutated once made).
   */
  private dateOf(timestamp: number): Date {
    if (timestamp !== this.lastTimestamp || this.lastDate === null) {
      this.lastTimestamp = timestamp;
      this.lastDate = new Date(timestamp);
    }
    return this.lastDate;
  }

  private cacheSchema(schema: Schema): Schema {
    const updated = this.makeSchema(schema);
    this.cache.set(schema, updated);
    return updated;
  }

  private makeSchema(schema: Schema): Schema {
    const b = SchemaBuilder.copyBasics(schema);
    for (const f of schema.fields) b.field(f.name, f.schema);
    if (this.topic) b.field(this.topic.name, this.topic.optional ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA);
    if (this.partition) b.field(this.partition.name, this.partition.optional ? Schema.OPTIONAL_INT32_SCHEMA : Schema.INT32_SCHEMA);
    if (this.offset) b.field(this.offset.name, this.offset.optional ? Schema.OPTIONAL_INT64_SCHEMA : Schema.INT64_SCHEMA);
    if (this.timestamp) b.field(this.timestamp.name, this.timestamp.optional ? OPTIONAL_TIMESTAMP_SCHEMA : ConnectTimestamp.SCHEMA);
    if (this.static) b.field(this.static.name, this.static.optional ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA);
    return b.build();
  }
}
