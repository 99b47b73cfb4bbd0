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

/**
 * Thrown by a converter that must do I/O before it can convert (e.g. ask a schema registry for an id):
 * `ready` settles when that is done (it never rejects; a failure is remembered by the converter and
 * thrown by the next call). The runtime awaits it and calls the converter again with the same arguments.
 * Converters cache what they fetched, so the repeated call, and every later record with the same schema,
 * converts synchronously; converters without I/O never throw this and cost the runtime nothing.
 */
export class ConversionPending extends Error {
  constructor(readonly ready: Promise<void>) {
    super('conversion waits for I/O');
    this.name = 'ConversionPending';
  }
}

/** Runs a conversion, waiting for and repeating after every ConversionPending (for callers outside the task loops). */
export async function convertSettled<T>(convert: () => T): Promise<T> {
  for (;;) {
    try {
      return convert();
    } catch (e) {
      if (!(e instanceof ConversionPending)) throw e;
      await e.ready;
    }
  }
}

/** Converts header values (`org.apache.kafka.connect.storage.HeaderConverter`). */
export interface HeaderConverter {
  configure(configs: Record<string, string>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null;
  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue;
  config(): ConfigDef;
  close?(): void;
}
