/** `org.apache.kafka.connect.transforms.ValueToKey`: the key becomes a Struct/Map of the listed value fields. */
import { ConfigDef } from '../connect/api/config-def.js';
import type { Transformation } from '../connect/api/transformation.js';
import type { AnyRecord } from '../connect/data/records.js';
import { type Schema, SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { DataException } from '../connect/errors.js';
import { LruCache } from './util/lru.js';
import { parseConfig } from './util/key-value.js';
import { requireMap, requireStruct } from './util/requirements.js';
import { nonEmptyList } from './util/validators.js';

const PURPOSE = 'copying fields from value to key';

export const VALUE_TO_KEY_CONFIG_DEF = new ConfigDef()
  .define({ name: 'fields', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Field names on the record value to extract as the record key.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

export class ValueToKey implements Transformation {
  private fields: string[] = [];
  private replaceNullWithDefault = true;
  private readonly cache = new LruCache<Schema, Schema>(16);

  configure(configs: Record<string, string>): void {
    const c = parseConfig(VALUE_TO_KEY_CONFIG_DEF, configs);
    this.fields = c.getList('fields');
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    this.cache.clear();
  }

  config(): ConfigDef {
    return VALUE_TO_KEY_CONFIG_DEF;
  }
  close(): void {}

  apply(record: AnyRecord): AnyRecord {
    if (record.valueSchema === null) {
      const value = requireMap(record.value, PURPOSE);
      const key = new Map<unknown, unknown>();
      for (const f of this.fields) key.set(f, value.get(f) ?? null);
      return record.newRecord({ keySchema: null, key });
    }
    const value = requireStruct(record.value, PURPOSE);
    const keySchema = this.cache.getOrCompute(value.schema, (s) => {
      const b = SchemaBuilder.struct();
      for (const f of this.fields) {
        const field = s.field(f);
        if (!field) throw new DataException(`Field does not exist: ${f}`);
        b.field(f, field.schema);
      }
      return b.build();
    });
    const key = new Struct(keySchema);
    for (const f of this.fields) key.put(f, this.replaceNullWithDefault ? value.get(f) : value.getWithoutDefault(f));
    return record.newRecord({ keySchema, key, valueSchema: value.schema, value });
  }
}
