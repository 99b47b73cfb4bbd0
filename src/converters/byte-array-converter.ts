/**
 * `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through unchanged; reads back
 * optional bytes.
 */
import { Schema, type SchemaAndValue } from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { PlainConverter } from './converter-config.js';
import { javaClassOf } from './java-format.js';


export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

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
