/**
 * Kafka's primitive converters in `org.apache.kafka.connect.converters`: Integer, Long, Short, Float,
 * Double (Kafka's big-endian serializers) and Boolean (one byte, 0 or 1). Each reads back its optional
 * primitive schema.
 */
import { Schema, type SchemaAndValue } from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { asBuffer } from './bytes.js';
import { PlainConverter } from './converter-config.js';
import { javaClassOf } from './java-format.js';

/** Kafka's `SerializationException`, the cause inside a converter's DataException. */
class SerializationException extends Error {
  override name = 'SerializationException';
  javaClass = 'org.apache.kafka.common.errors.SerializationException';
}

interface NumberCodec {
  /** Name in messages (`Failed to serialize to integer ...`). */
  typeName: string;
  schema: Schema;
  size: number;
  /** Deserializer class name in the size error. */
  deserializerName: string;
  accepts(value: unknown): boolean;
  write(buf: Buffer, value: unknown): void;
  read(buf: Buffer): unknown;
}

const isIntIn = (lo: number, hi: number) => (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

abstract class NumberConverterBase extends PlainConverter {
  protected abstract readonly codec: NumberCodec;

  fromConnectData(_topic: string, _schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    const c = this.codec;
    if (!c.accepts(value)) throw new DataException(`Failed to serialize to ${c.typeName} (was ${javaClassOf(value)}): `);
    const buf = Buffer.allocUnsafe(c.size);
    c.write(buf, value);
    return buf;
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    const c = this.codec;
    if (bytes === null || bytes === undefined) return { schema: c.schema, value: null };
    if (bytes.length !== c.size) {
      throw new DataException(`Failed to deserialize ${c.typeName}: `, {
        cause: new SerializationException(`Size of data received by ${c.deserializerName} is not ${c.size}`),
      });
    }
    return { schema: c.schema, value: c.read(asBuffer(bytes)) };
  }
}

export class IntegerConverter extends NumberConverterBase {
  protected readonly codec: NumberCodec = {
    typeName: 'integer', schema: Schema.OPTIONAL_INT32_SCHEMA, size: 4, deserializerName: 'IntegerDeserializer',
    accepts: isIntIn(-2147483648, 2147483647),
    write: (b, v) => b.writeInt32BE(v as number),
    read: (b) => b.readInt32BE(0),
  };
}

export class ShortConverter extends NumberConverterBase {
  protected readonly codec: NumberCodec = {
    typeName: 'short', schema: Schema.OPTIONAL_INT16_SCHEMA, size: 2, deserializerName: 'ShortDeserializer',
    accepts: isIntIn(-32768, 32767),
    write: (b, v) => b.writeInt16BE(v as number),
    read: (b) => b.readInt16BE(0),
  };
}

export class LongConverter extends NumberConverterBase {
  protected readonly codec: NumberCodec = {
    typeName: 'long', schema: Schema.OPTIONAL_INT64_SCHEMA, size: 8, deserializerName: 'LongDeserializer',
    accepts: (v) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX),
    write: (b, v) => b.writeBigInt64BE(BigInt(v as number | bigint)),
    read: (b) => {
      const n = b.readBigInt64BE(0);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    },
  };
}

export class FloatConverter extends NumberConverterBase {
  protected readonly codec: NumberCodec = {
    typeName: 'float', schema: Schema.OPTIONAL_FLOAT32_SCHEMA, size: 4, deserializerName: 'Deserializer',
    accepts: (v) => typeof v === 'number',
    write: (b, v) => b.writeFloatBE(v as number),
    read: (b) => b.readFloatBE(0),
  };
}

export class DoubleConverter extends NumberConverterBase {
  protected readonly codec: NumberCodec = {
    typeName: 'double', schema: Schema.OPTIONAL_FLOAT64_SCHEMA, size: 8, deserializerName: 'DoubleDeserializer',
    accepts: (v) => typeof v === 'number',
    write: (b, v) => b.writeDoubleBE(v as number),
    read: (b) => b.readDoubleBE(0),
  };
}

export class BooleanConverter extends PlainConverter {
  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema && schema.type !== 'boolean') {
      throw new DataException('Invalid schema type for BooleanConverter: ' + schema.type.toUpperCase());
    }
    if (value === null || value === undefined) return null;
    if (typeof value !== 'boolean') throw new DataException('BooleanConverter is not compatible with objects of type ' + javaClassOf(value));
    return Buffer.from([value ? 1 : 0]);
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: Schema.OPTIONAL_BOOLEAN_SCHEMA, value: null };
    let cause: SerializationException | null = null;
    if (bytes.length !== 1) cause = new SerializationException('Size of data received by BooleanDeserializer is not 1');
    else if (bytes[0] !== 0 && bytes[0] !== 1) cause = new SerializationException('Unexpected byte received by BooleanDeserializer: ' + ((bytes[0]! << 24) >> 24));
    if (cause) throw new DataException('Failed to deserialize boolean: ', { cause });
    return { schema: Schema.OPTIONAL_BOOLEAN_SCHEMA, value: bytes[0] === 1 };
  }
}
