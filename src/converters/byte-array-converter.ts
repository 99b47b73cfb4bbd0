/**
 * `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through unchanged; reads back
 * optional bytes.
 */
import { Schema, type SchemaAndValue } from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { PlainConverter } from './converter-config.js';
import { asBuffer } from './bytes.js';
import { javaClassOf } from './java-format.js';

export class ByteArrayConverter extends PlainConverter {
  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema && schema.type !== 'bytes') {
      throw new DataException('Invalid schema type for ByteArrayConverter: ' + schema.type.toUpperCase());
    }
    if (value === null || value === undefined) return null;
    if (!(value instanceof Uint8Array)) {
      throw new DataException('ByteArrayConverter is not compatible with objects of type ' + javaClassOf(value));
    }
    return asBuffer(value);
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    return { schema: Schema.OPTIONAL_BYTES_SCHEMA, value: bytes ?? null };
  }
}
