/** `DropHeaders` and `InsertHeader` (`org.apache.kafka.connect.transforms`): header-only transforms. */
import { ConfigDef } from '../connect/api/config-def.js';
import type { Transformation } from '../connect/api/transformation.js';
import type { AnyRecord } from '../connect/data/records.js';
import type { Schema } from '../connect/data/schema.js';
import { parseConfig } from './util/key-value.js';
import { nonEmptyList, nonNull } from './util/validators.js';
import { parseString } from '../converters/values.js';

export const DROP_HEADERS_CONFIG_DEF = new ConfigDef().define({
  name: 'headers',
  type: 'LIST',
  validator: nonEmptyList,
  importance: 'HIGH',
  documentation: 'The name of the headers to be removed.',
});

export class DropHeaders implements Transformation {
  private names = new Set<string>();

  configure(configs: Record<string, string>): void {
    this.names = new Set(parseConfig(DROP_HEADERS_CONFIG_DEF, configs).getList('headers'));
  }

  apply(record: AnyRecord): AnyRecord {
    const headers = record.headers.duplicate().clear();
    for (const h of record.headers) if (!this.names.has(h.key)) headers.addHeader(h);
    return record.newRecord({ headers });
  }

  config(): ConfigDef {
    return DROP_HEADERS_CONFIG_DEF;
  }
  close(): void {}
}

export const INSERT_HEADER_CONFIG_DEF = new ConfigDef()
  .define({ name: 'header', type: 'STRING', validator: nonNull, importance: 'HIGH', documentation: 'The name of the header.' })
  .define({ name: 'value.literal', type: 'STRING', validator: nonNull, importance: 'HIGH', documentation: 'The literal value that is to be set as the header value on all records.' });

export class InsertHeader implements Transformation {
  private header = '';
  private schema: Schema | null = null;
  private value: unknown = null;

  configure(configs: Record<string, string>): void {
    const c = parseConfig(INSERT_HEADER_CONFIG_DEF, configs);
    this.header = c.getString('header')!;
    const parsed = parseString(c.getString('value.literal')!);
    this.schema = parsed.schema;
    this.value = parsed.value;
  }

  apply(record: AnyRecord): AnyRecord {
    const headers = record.headers.duplicate();
    headers.add(this.header, this.value, this.schema);
    return record.newRecord({ headers });
  }

  config(): ConfigDef {
    return INSERT_HEADER_CONFIG_DEF;
  }
  close(): void {}
}
