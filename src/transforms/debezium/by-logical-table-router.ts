/**
 * `io.debezium.transforms.ByLogicalTableRouter` (Debezium's deprecated name for ToLogicalTopicRouter, with
 * `key.field.name` defaulting to `__dbz__physicalTableIdentifier`): routes the change events of several
 * physical tables (shards) to one logical topic.
 *
 * When `topic.regex` matches the whole topic, the topic becomes `replaceFirst(topic.replacement)`; the key
 * schema is renamed `<newTopic>.Key` and, with `key.enforce.uniqueness` (default true), gets a string field
 * `key.field.name` holding the old topic (or `key.field.regex` → `key.field.replacement` of it); for
 * envelopes, the envelope is renamed `<newTopic>.Envelope` and before/after `<newTopic>.Value`.
 */
import { ConfigDef, invalid } from '../../connect/api/config-def.js';
import type { Transformation } from '../../connect/api/transformation.js';
import type { AnyRecord } from '../../connect/data/records.js';
import { Schema, SchemaBuilder } from '../../connect/data/schema.js';
import { Struct } from '../../connect/data/struct.js';
import { ConfigException } from '../../connect/errors.js';
import { LruCache } from '../util/lru.js';
import { logger } from '../util/log.js';
import { requireStruct } from '../util/requirements.js';
import { compileJavaRegex, expandJavaReplacement } from '../util/java-regex.js';

const regexValidator = {
  ensureValid(name: string, value: unknown) {
    if (value === null || value === undefined) return;
    try {
      compileJavaRegex(String(value), true);
    } catch (e) {
      throw invalid(name, value, `A valid regular expressions is expected, but ${(e as Error).message}`);
    }
  },
  toString: () => 'regex',
};

const ADJUSTMENT_MODES = ['none', 'avro', 'avro_unicode'];

export const BY_LOGICAL_TABLE_ROUTER_CONFIG_DEF = new ConfigDef()
  .define({ name: 'topic.regex', type: 'STRING', validator: regexValidator, importance: 'LOW', width: 'LONG', displayName: 'Topic regex', documentation: 'The regex used for extracting the name of the logical destination from the original topic name.' })
  .define({ name: 'topic.replacement', type: 'STRING', importance: 'LOW', width: 'LONG', displayName: 'Topic replacement', documentation: 'The replacement string used in conjunction with topic.regex. This will be used to create the new topic name.' })
  .define({ name: 'key.enforce.uniqueness', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', width: 'SHORT', displayName: 'Add source topic name into key', documentation: "Augment each record's key with a field denoting the source topic. This field distinguishes records coming from different physical tables which may otherwise have primary/unique key conflicts. If the source tables are guaranteed to have globally unique keys then this may be set to false to disable key rewriting." })
  .define({ name: 'key.field.regex', type: 'STRING', defaultValue: null, validator: regexValidator, importance: 'LOW', width: 'LONG', displayName: 'Key field regex', documentation: 'The regex used for extracting the source identifier from the original topic name.' })
  .define({ name: 'key.field.name', type: 'STRING', defaultValue: '__dbz__physicalTableIdentifier', importance: 'LOW', width: 'LONG', displayName: 'Key field name', documentation: "Each record's key schema will be augmented with this field name. The purpose of this field is to distinguish the different physical tables that can now share a single topic. Make sure not to configure a field name that is at risk of conflict with existing key schema field names." })
  .define({ name: 'key.field.replacement', type: 'STRING', defaultValue: null, importance: 'LOW', width: 'LONG', displayName: 'Key field replacement', documentation: "The replacement string used in conjunction with key.field.regex. This will be used to create the source identifier in the record's key." })
  .define({
    name: 'schema.name.adjustment.mode',
    type: 'STRING',
    defaultValue: 'none',
    validator: {
      ensureValid(name, value) {
        if (value !== null && !ADJUSTMENT_MODES.includes(String(value).trim().toLowerCase())) throw invalid(name, value, `Value must be one of ${ADJUSTMENT_MODES.join(', ')}`);
      },
      toString: () => `[${ADJUSTMENT_MODES.join(', ')}]`,
    },
    importance: 'LOW',
    width: 'MEDIUM',
    displayName: 'Schema Name Adjustment',
    documentation: "Specify how the message key schema names derived from the resulting topic name should be adjusted for compatibility with the message converter used by the connector, including:'avro' replaces the characters that cannot be used in the Avro type name with underscore (default)'none' does not apply any adjustment",
  })
  .define({ name: 'logical.destination.cache.size', type: 'INT', defaultValue: 16, importance: 'LOW', width: 'LONG', displayName: 'Logical destination cache size', documentation: 'The size used for holding the max entries in LRUCache.' })
  .define({ name: 'logical.table.cache.size', type: 'INT', defaultValue: null, importance: 'LOW', internal: true, documentation: 'Deprecated synonym of logical.destination.cache.size.' });

/** Debezium's SchemaNameAdjuster for `avro` / `avro_unicode`. */
export function adjustSchemaName(name: string, mode: string): string {
  if (mode === 'none') return name;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const ok = i === 0 ? /[A-Za-z_]/.test(c) : /[A-Za-z0-9_.]/.test(c);
    if (ok) out += c;
    else out += mode === 'avro_unicode' ? `_u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : '_';
  }
  return out;
}

export class ByLogicalTableRouter implements Transformation {
  private topicRegex = /^$/;
  private topicReplacement = '';
  private keyFieldRegex: RegExp | null = null;
  private keyFieldReplacement = '';
  private keyFieldName = '__dbz__physicalTableIdentifier';
  private enforceUniqueness = true;
  private adjustment = 'none';
  private topicCache = new LruCache<string, string | null>(16);
  private keyIdCache = new LruCache<string, string>(16);
  private keySchemas = new LruCache<Schema, Map<string, Schema>>(16);
  private envelopeSchemas = new LruCache<Schema, Map<string, Schema>>(16);

  configure(configs: Record<string, string>): void {
    const props = { ...configs };
    if ('logical.table.cache.size' in props && !('logical.destination.cache.size' in props)) props['logical.destination.cache.size'] = props['logical.table.cache.size']!;
    const c = BY_LOGICAL_TABLE_ROUTER_CONFIG_DEF.parse(props);
    logger.warn('io.debezium.transforms.ByLogicalTableRouter is deprecated and will be removed in a future release. Please adjust the connector configuration to use io.debezium.transforms.ToLogicalTopicRouter instead.');
    this.topicRegex = compileJavaRegex(c.getString('topic.regex')!, true);
    this.topicReplacement = c.getString('topic.replacement')!;
    const keyRegex = c.getString('key.field.regex')?.trim() ?? '';
    const keyReplacement = c.getString('key.field.replacement')?.trim() ?? '';
    if (keyRegex !== '' && keyReplacement === '') {
      throw new ConfigException('key.field.replacement', null, 'key.field.replacement must be non-empty if key.field.regex is set.');
    }
    this.keyFieldRegex = keyRegex === '' ? null : compileJavaRegex(keyRegex, true);
    this.keyFieldReplacement = c.getString('key.field.replacement') ?? '';
    this.keyFieldName = c.getString('key.field.name')!;
    this.enforceUniqueness = c.getBoolean('key.enforce.uniqueness');
    this.adjustment = c.getString('schema.name.adjustment.mode')!.trim().toLowerCase();
    const size = c.getInt('logical.destination.cache.size') ?? 16;
    this.topicCache = new LruCache(size);
    this.keyIdCache = new LruCache(size);
    this.keySchemas = new LruCache(size);
    this.envelopeSchemas = new LruCache(size);
  }

  config(): ConfigDef {
    return BY_LOGICAL_TABLE_ROUTER_CONFIG_DEF;
  }
  close(): void {}

  apply(record: AnyRecord): AnyRecord {
    const oldTopic = record.topic;
    const newTopic = this.topicCache.getOrCompute(oldTopic, (t) => {
      const m = this.topicRegex.exec(t);
      return m ? expandJavaReplacement(this.topicReplacement, m) : null;
    });
    if (newTopic === null) return record;
    if (newTopic === '') {
      logger.warn('Routing regex returned an empty topic name, propagating original record');
      return record;
    }
    let keySchema: Schema | null = null;
    let key: Struct | null = null;
    if (record.key !== null) {
      const oldKey = requireStruct(record.key, 'Updating schema');
      keySchema = this.cached(this.keySchemas, oldKey.schema, newTopic, () => {
        const b = copyExcludingName(oldKey.schema, true).name(adjustSchemaName(`${newTopic}.Key`, this.adjustment));
        if (this.enforceUniqueness) b.field(this.keyFieldName, Schema.STRING_SCHEMA);
        return b.build();
      });
      key = new Struct(keySchema);
      for (const f of oldKey.schema.fields) key.putUnchecked(f.index, oldKey.getWithoutDefault(f));
      if (this.enforceUniqueness) key.put(this.keyFieldName, this.physicalTableIdentifier(oldTopic));
    }
    const vs = record.valueSchema;
    if (record.value === null || vs === null || vs.name === null || !vs.name.endsWith('.Envelope')) {
      return record.newRecord({ topic: newTopic, keySchema, key });
    }
    const oldEnvelope = requireStruct(record.value, 'Updating schema');
    const envSchema = this.cached(this.envelopeSchemas, oldEnvelope.schema, newTopic, () => this.envelopeSchema(oldEnvelope.schema, newTopic));
    const rowSchema = (envSchema.field('before') ?? envSchema.field('after'))?.schema ?? null;
    const envelope = new Struct(envSchema);
    for (const f of oldEnvelope.schema.fields) {
      let v = oldEnvelope.get(f);
      if (rowSchema && (f.name === 'before' || f.name === 'after') && v !== null) {
        const old = requireStruct(v, 'Updating schema');
        const row = new Struct(rowSchema);
        for (const rf of old.schema.fields) row.putUnchecked(rf.index, old.getWithoutDefault(rf));
        v = row;
      }
      envelope.putUnchecked(f.index, v);
    }
    return record.newRecord({ topic: newTopic, keySchema, key, valueSchema: envSchema, value: envelope });
  }

  private physicalTableIdentifier(oldTopic: string): string {
    if (!this.keyFieldRegex) return oldTopic;
    return this.keyIdCache.getOrCompute(oldTopic, (t) => {
      const m = this.keyFieldRegex!.exec(t);
      return m ? expandJavaReplacement(this.keyFieldReplacement, m) : t;
    });
  }

  private envelopeSchema(old: Schema, newTopic: string): Schema {
    const rowField = old.field('before') ?? old.field('after');
    const row = rowField ? copyExcludingName(rowField.schema, true).name(adjustSchemaName(`${newTopic}.Value`, this.adjustment)).build() : null;
    const b = copyExcludingName(old, false);
    for (const f of old.fields) b.field(f.name, row && (f.name === 'before' || f.name === 'after') ? row : f.schema);
    return b.name(adjustSchemaName(`${newTopic}.Envelope`, this.adjustment)).build();
  }

  private cached(cache: LruCache<Schema, Map<string, Schema>>, schema: Schema, topic: string, make: () => Schema): Schema {
    let perTopic = cache.get(schema);
    if (!perTopic) cache.set(schema, (perTopic = new Map()));
    let s = perTopic.get(topic);
    if (!s) perTopic.set(topic, (s = make()));
    return s;
  }
}

function copyExcludingName(source: Schema, copyFields: boolean): SchemaBuilder {
  const b = SchemaBuilder.struct().version(source.version).doc(source.doc);
  if (source.parameters) b.parameters(source.parameters);
  if (source.optional) b.optional();
  if (copyFields) for (const f of source.fields) b.field(f.name, f.schema);
  return b;
}
