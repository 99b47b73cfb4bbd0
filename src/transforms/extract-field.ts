/**
 * `org.apache.kafka.connect.transforms.ExtractField$Key/$Value`: replaces the key/value with one of its fields
 * (a nested one with `field.syntax.version=V2`). A null key/value passes through (the schema is still replaced).
 */
import { ConfigDef } from '../connect/api/config-def.js';
import type { AnyRecord } from '../connect/data/records.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { requireMapOrNull, requireStructOrNull } from './util/requirements.js';
import { appendFieldSyntaxConfig, fieldSyntaxVersion, SingleFieldPath } from './util/field-path.js';
import { DataException } from '../connect/errors.js';

const PURPOSE = 'field extraction';

export const EXTRACT_FIELD_CONFIG_DEF = appendFieldSyntaxConfig(
  new ConfigDef()
    .define({ name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' }),
);

/** Kafka throws `IllegalArgumentException`; here a DataException with the same message. */
export class UnknownFieldException extends DataException {
  override javaClass = 'java.lang.IllegalArgumentException';
}

export class ExtractField extends KeyValueTransformation {
  private path = new SingleFieldPath('', 'V1');
  private replaceNullWithDefault = true;

  configure(configs: Record<string, string>): void {
    const c = parseConfig(EXTRACT_FIELD_CONFIG_DEF, configs);
    this.path = new SingleFieldPath(c.getString('field')!, fieldSyntaxVersion(c.getString('field.syntax.version')));
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
  }

  config(): ConfigDef {
    return EXTRACT_FIELD_CONFIG_DEF;
  }

  apply(record: AnyRecord): AnyRecord {
    const schema = this.schemaOf(record);
    if (schema === null) {
      const map = requireMapOrNull(this.valueOf(record), PURPOSE);
      return this.withNew(record, null, map === null ? null : this.path.valueFromMap(map));
    }
    const struct = requireStructOrNull(this.valueOf(record), PURPOSE);
    const field = this.path.fieldFrom(schema);
    if (!field) throw new UnknownFieldException(`Unknown field: ${this.path.text}`);
    return this.withNew(record, field.schema, struct === null ? null : this.path.valueFromStruct(struct, this.replaceNullWithDefault));
  }
}
