import type { ConnectHeaders } from '../data/headers.js';
import type { Schema, SchemaAndValue } from '../data/schema.js';
import type { ConfigDef } from './config-def.js';

/**
 * Converts between Connect data and bytes on a topic (`org.apache.kafka.connect.storage.Converter`).
 * `configure` receives the converter's own keys (the `key.converter.` / `value.converter.` prefix removed).
 */
export interface Converter {
  configure(configs: Record<string, string>, isKey: boolean): void;
  fromConnectData(topic: string, schema: Schema | null, value: unknown, headers?: ConnectHeaders): Buffer | null;
  toConnectData(topic: string, bytes: Uint8Array | null, headers?: ConnectHeaders): SchemaAndValue;
  config(): ConfigDef;
  close?(): void;
}

/** Converts header values (`org.apache.kafka.connect.storage.HeaderConverter`). */
export interface HeaderConverter {
  configure(configs: Record<string, string>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null;
  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue;
  config(): ConfigDef;
  close?(): void;
}
