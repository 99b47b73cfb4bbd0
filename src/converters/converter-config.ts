/**
 * What every Kafka converter config shares (`ConverterConfig`): the `converter.type` key (key, value or
 * header), which the worker sets; the base classes of the converters that also convert headers; and a
 * small LRU cache used for schema caches.
 */
import { ConfigDef, type Converter, type HeaderConverter, Validators } from '../connect/api/index.js';
import type { Schema, SchemaAndValue } from '../connect/data/index.js';
import { KAFKA_VERSION } from './version.js';

export type ConverterType = 'key' | 'value' | 'header';

export const CONVERTER_TYPE_CONFIG = 'converter.type';

/** A ConfigDef holding `converter.type` (STRING, required, one of key/value/header). */
export function newConverterConfigDef(): ConfigDef {
  return new ConfigDef().define({
    name: CONVERTER_TYPE_CONFIG,
    type: 'STRING',
    validator: Validators.in('key', 'value', 'header'),
    importance: 'LOW',
    documentation: 'How this converter will be used.',
  });
}

/**
 * The configs a converter parses: `configure(configs, isKey)` sets `converter.type` like Kafka's; a header
 * converter's `configure(configs)` (no isKey) defaults it to `header` when the caller did not set it.
 */
export function withConverterType(configs: Record<string, string>, isKey: boolean | undefined): Record<string, string> {
  if (isKey === undefined) return CONVERTER_TYPE_CONFIG in configs ? configs : { ...configs, [CONVERTER_TYPE_CONFIG]: 'header' };
  return { ...configs, [CONVERTER_TYPE_CONFIG]: isKey ? 'key' : 'value' };
}

/** Least-recently-used map with a fixed capacity (Kafka's `LRUCache`). */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && this.map.size > 1) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Base of Kafka's converters that are also HeaderConverters (Json, String, ByteArray, the primitive
 * converters): a header value is converted like a record value, and the version is Kafka's.
 */
export abstract class ValueAndHeaderConverter implements Converter, HeaderConverter {
  abstract config(): ConfigDef;
  /** Converter use passes `isKey`; header-converter use passes only the configs. */
  abstract configure(configs: Record<string, string>, isKey?: boolean): void;
  abstract fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null;
  abstract toConnectData(topic: string, bytes: Uint8Array | null): SchemaAndValue;

  version(): string {
    return KAFKA_VERSION;
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

const PLAIN_CONFIG_DEF = newConverterConfigDef();

/**
 * Base of the converters with a fixed format and nothing to configure (ByteArray and the primitive
 * converters): only `converter.type` in their ConfigDef.
 */
export abstract class PlainConverter extends ValueAndHeaderConverter {
  static configDef(): ConfigDef {
    return PLAIN_CONFIG_DEF;
  }

  config(): ConfigDef {
    return PLAIN_CONFIG_DEF;
  }

  configure(_configs: Record<string, string>, _isKey?: boolean): void {}
}
