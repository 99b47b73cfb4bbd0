/**
 * `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the worker's default header converter: writes a
 * header value's `Values` string form in UTF-8, and infers a schema when reading (`42` ⇒ int8,
 * `2024-01-02` ⇒ Date, `[1,2]` ⇒ array, anything else ⇒ string). Text it cannot parse comes back as bytes.
 */
import { ConfigDef } from '../connect/api/index.js';
import type { HeaderConverter } from '../connect/api/index.js';
import { NULL_SCHEMA_AND_VALUE, Schema, type SchemaAndValue } from '../connect/data/index.js';
import { getLogger } from '../connect/logging.js';
import { asBuffer } from './bytes.js';
import { convertToString, parseString } from './values.js';
import { KAFKA_VERSION } from './version.js';

const CONFIG_DEF = new ConfigDef();

export class SimpleHeaderConverter implements HeaderConverter {
  static configDef(): ConfigDef {
    return CONFIG_DEF;
  }

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  version(): string {
    return KAFKA_VERSION;
  }

  configure(_configs: Record<string, string>): void {}

  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return NULL_SCHEMA_AND_VALUE;
    try {
      const text = asBuffer(bytes).toString('utf8');
      return parseString(text);
    } catch (e) {
      getLogger('org.apache.kafka.connect.storage.SimpleHeaderConverter').warn({ err: e }, `Failed to deserialize value for header '${headerKey}' on topic '${topic}', so using byte array`);
      return { schema: Schema.BYTES_SCHEMA, value: bytes };
    }
  }

  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(convertToString(schema, value)!, 'utf8');
  }
}
