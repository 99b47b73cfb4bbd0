/**
 * `org.apache.kafka.connect.transforms.HeaderFrom$Key/$Value`: copies (or moves) fields into headers named
 * `headers[i]` for `fields[i]`, with the field's schema.
 */
import { ConfigDef, Validators } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { type Schema, SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { ConfigException, DataException } from '../connect/errors.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { requireMap, requireStruct } from './util/requirements.js';
import { nonEmptyList } from './util/validators.js';

export const HEADER_FROM_CONFIG_DEF = new ConfigDef()
  .define({ name: 'fields', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Field names in the record whose values are to be copied or moved to headers.' })
  .define({ name: 'headers', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Header names, in the same order as the field names listed in the fields configuration property.' })
  .define({ name: 'operation', type: 'STRING', validator: Validators.in('move', 'copy'), importance: 'HIGH', documentation: 'Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

export class HeaderFrom extends KeyValueTransformation {
  private fields: string[] = [];
  private headers: string[] = [];
  private move = false;
  private replaceNullWithDefault = true;
  private readonly cache = new LruCache<Schema, Schema>(16);

  configure(configs: Record<string, string>): void {
    const c = parseConfig(HEADER_FROM_CONFIG_DEF, configs);
    this.fields = c.getList('fields');
    this.headers = c.getList('headers');
    if (this.fields.length !== this.headers.length) {
      throw new ConfigException("'fields' config must have the same number of elements as 'headers' config.");
    }
    this.move = c.getString('operation') === 'move';
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    this.cache.clear();
  }

  config(): ConfigDef {
    return HEADER_FROM_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const purpose = `header ${this.move ? 'move' : 'copy'}`;
    const headers = record.headers.duplicate();
    const schema = this.schemaOf(record);
    if (schema === null) {
      const value = requireMap(this.valueOf(record), purpose);
      const updated = new Map(value);
      this.fields.forEach((f, i) => {
        if (this.move) updated.delete(f);
        headers.add(this.headers[i]!, value.get(f) ?? null, null);
      });
      return this.withNew(record, null, updated).newRecord({ headers });
    }
    const value = requireStruct(this.valueOf(record), purpose);
    let updatedSchema = schema;
    let updatedValue = value;
    if (this.move) {
      updatedSchema = this.cache.getOrCompute(schema, (s) => {
        const b = SchemaBuilder.copyBasics(s);
        for (const f of s.fields) if (!this.fields.includes(f.name)) b.field(f.name, f.schema);
        return b.build();
      });
      updatedValue = new Struct(updatedSchema);
      for (const f of updatedSchema.fields) updatedValue.putUnchecked(f.index, this.get(value, f.name));
    }
    this.fields.forEach((f, i) => {
      const field = schema.field(f);
      if (!field) throw new DataException(`Unknown field: ${f}`);
      headers.add(this.headers[i]!, this.get(value, f), field.schema);
    });
    return this.withNew(record, updatedSchema, updatedValue).newRecord({ headers });
  }

  private get(value: Struct, name: string): unknown {
    if (!value.schema.field(name)) return null;
    return this.replaceNullWithDefault ? value.get(name) : value.getWithoutDefault(name);
  }
}
