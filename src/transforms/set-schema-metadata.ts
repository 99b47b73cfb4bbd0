/**
 * `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key/$Value`: sets the schema name and/or version;
 * a Struct is rebuilt on the new schema.
 */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { Schema } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { ConfigException } from '../connect/errors.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { requireSchema } from './util/requirements.js';

export const SET_SCHEMA_METADATA_CONFIG_DEF = new ConfigDef()
  .define({ name: 'schema.name', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'Schema name to set.' })
  .define({ name: 'schema.version', type: 'INT', defaultValue: null, importance: 'HIGH', documentation: 'Schema version to set.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

export class SetSchemaMetadata extends KeyValueTransformation {
  private schemaName: string | null = null;
  private schemaVersion: number | null = null;
  private replaceNullWithDefault = true;

  configure(configs: Record<string, string>): void {
    const c = parseConfig(SET_SCHEMA_METADATA_CONFIG_DEF, configs);
    this.schemaName = c.getString('schema.name');
    this.schemaVersion = c.getInt('schema.version');
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    if (this.schemaName === null && this.schemaVersion === null) throw new ConfigException('Neither schema name nor version configured');
  }

  config(): ConfigDef {
    return SET_SCHEMA_METADATA_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const value = this.valueOf(record);
    const schema = this.schemaOf(record);
    if (value === null && schema === null) return record;
    const s = requireSchema(schema, 'updating schema metadata');
    const updated = new Schema({
      type: s.type,
      optional: s.optional,
      defaultValue: s.defaultValue,
      name: this.schemaName ?? s.name,
      version: this.schemaVersion ?? s.version,
      doc: s.doc,
      parameters: s.parameters,
      fields: s.fields,
      keySchema: s.type === 'map' ? s.keySchema : null,
      valueSchema: s.type === 'map' || s.type === 'array' ? s.valueSchema : null,
    });
    let newValue = value;
    if (value instanceof Struct) {
      const struct = new Struct(updated);
      for (const f of updated.fields) struct.putUnchecked(f.index, this.replaceNullWithDefault ? value.get(f) : value.getWithoutDefault(f));
      newValue = struct;
    }
    return this.withNew(record, updated, newValue);
  }
}
