/** `org.apache.kafka.connect.transforms.HoistField$Key/$Value`: wraps the key/value in a one-field Struct (or Map). */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { type Schema, SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';

export const HOIST_FIELD_CONFIG_DEF = new ConfigDef().define({
  name: 'field',
  type: 'STRING',
  importance: 'MEDIUM',
  documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
});

export class HoistField extends KeyValueTransformation {
  private fieldName = '';
  private readonly cache = new LruCache<Schema, Schema>(16);

  configure(configs: Record<string, string>): void {
    this.fieldName = parseConfig(HOIST_FIELD_CONFIG_DEF, configs).getString('field')!;
    this.cache.clear();
  }

  config(): ConfigDef {
    return HOIST_FIELD_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null) return this.withNew(record, null, new Map([[this.fieldName, value]]));
    const updated = this.cache.getOrCompute(schema, (s) => SchemaBuilder.struct().field(this.fieldName, s).build());
    return this.withNew(record, updated, new Struct(updated).put(this.fieldName, value));
  }
}
