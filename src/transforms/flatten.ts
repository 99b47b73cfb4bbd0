/**
 * `org.apache.kafka.connect.transforms.Flatten$Key/$Value`: nested Struct/Map fields become top-level fields
 * named `parent<delimiter>child`. Arrays are left alone. With a schema, a flattened field is optional when
 * any ancestor is optional, and inherits a default from an ancestor's default Struct.
 */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { type Schema, SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { DataException } from '../connect/errors.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { javaClassName, requireMap, requireStructOrNull } from './util/requirements.js';

const PURPOSE = 'flattening';

export const FLATTEN_CONFIG_DEF = new ConfigDef().define({
  name: 'delimiter',
  type: 'STRING',
  defaultValue: '.',
  importance: 'MEDIUM',
  documentation: 'Delimiter to insert between field names from the input record when generating field names for the output record',
});

export class Flatten extends KeyValueTransformation {
  private delimiter = '.';
  private readonly cache = new LruCache<Schema, Schema>(16);

  configure(configs: Record<string, string>): void {
    this.delimiter = parseConfig(FLATTEN_CONFIG_DEF, configs).getString('delimiter') ?? '.';
    this.cache.clear();
  }

  config(): ConfigDef {
    return FLATTEN_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const value = this.valueOf(record);
    if (value === null) return record;
    const schema = this.schemaOf(record);
    if (schema === null) {
      const out = new Map<unknown, unknown>();
      this.flattenMap(requireMap(value, PURPOSE), '', out);
      return this.withNew(record, null, out);
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const updated = this.cache.getOrCompute(schema, (s) => {
      const b = SchemaBuilder.copyBasics(s);
      this.buildSchema(s, '', b, s.optional, s.defaultValue instanceof Struct ? s.defaultValue : null);
      return b.build();
    });
    if (struct === null) return this.withNew(record, updated, null);
    const out = new Struct(updated);
    this.flattenStruct(struct, '', out);
    return this.withNew(record, updated, out);
  }

  private name(prefix: string, field: string): string {
    return prefix === '' ? field : prefix + this.delimiter + field;
  }

  private flattenMap(map: Map<unknown, unknown>, prefix: string, out: Map<unknown, unknown>): void {
    for (const [k, v] of map) {
      const name = this.name(prefix, String(k));
      if (v === null || v === undefined) {
        out.set(name, null);
      } else if (v instanceof Map) {
        this.flattenMap(v, name, out);
      } else if (v instanceof Struct) {
        throw new DataException(`Flatten transformation does not support class ${javaClassName(v)} for record without schemas (for field ${name}).`);
      } else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string' || v instanceof Uint8Array || Array.isArray(v)) {
        out.set(name, v);
      } else {
        throw new DataException(`Flatten transformation was passed a value of type class ${javaClassName(v)} which is not supported by Connect's data API`);
      }
    }
  }

  private buildSchema(schema: Schema, prefix: string, b: SchemaBuilder, optional: boolean, parentDefault: Struct | null): void {
    for (const field of schema.fields) {
      const name = this.name(prefix, field.name);
      const fieldOptional = optional || field.schema.optional;
      let def: unknown = null;
      if (field.schema.defaultValue !== undefined && field.schema.defaultValue !== null) def = field.schema.defaultValue;
      else if (parentDefault !== null) def = parentDefault.get(field);
      switch (field.schema.type) {
        case 'struct':
          this.buildSchema(field.schema, name, b, fieldOptional, def instanceof Struct ? def : null);
          break;
        case 'map':
          throw new DataException(`Flatten transformation does not support MAP for record with schemas (for field ${name}).`);
        default: {
          const fb = SchemaBuilder.copyBasics(field.schema);
          if (fieldOptional) fb.optional();
          if (def !== null) fb.defaultValue(def);
          b.field(name, fb.build());
        }
      }
    }
  }

  private flattenStruct(struct: Struct, prefix: string, out: Struct): void {
    for (const field of struct.schema.fields) {
      const name = this.name(prefix, field.name);
      if (field.schema.type === 'struct') {
        const nested = struct.get(field);
        if (nested instanceof Struct) this.flattenStruct(nested, name, out);
      } else if (field.schema.type === 'map') {
        throw new DataException(`Flatten transformation does not support MAP for record with schemas (for field ${name}).`);
      } else {
        out.put(name, struct.get(field));
      }
    }
  }
}
