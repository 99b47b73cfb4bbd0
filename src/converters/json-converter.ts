/**
 * `org.apache.kafka.connect.json.JsonConverter`: Connect data ⇔ JSON bytes, with or without the
 * `{"schema": ..., "payload": ...}` envelope (specs/kafka-connect.md §7.1).
 *
 * Hot path. Writing: the envelope's start (`{"schema":...,"payload":`) is cached as bytes per Schema
 * object, so an enveloped record only serializes its payload; the bytes go into shared slabs (byte-slab.ts). Reading: the `schema` member's text is cut out and looked up in an LRU of parsed schemas
 * (`schemas.cache.size`), and the payload is read straight into Connect values by a pull parser that keeps
 * every digit of int64 and decimal numbers.
 */
import { ConfigDef, Validators } from '../connect/api/index.js';
import type { Schema, SchemaAndValue } from '../connect/data/index.js';
import { NULL_SCHEMA_AND_VALUE } from '../connect/data/index.js';
import { DataException } from '../connect/errors.js';
import { LruCache, newConverterConfigDef, ValueAndHeaderConverter, withConverterType, type ConverterType } from './converter-config.js';
import { JsonReader, JsonSyntaxError } from './json-reader.js';
import { parseSchemaText } from './json-schema-reader.js';
import { readConnect } from './json-to-connect.js';
import { JsonWriter } from './json-writer.js';
import { ByteSlab } from './byte-slab.js';
import { asBuffer } from './bytes.js';

export const SCHEMAS_ENABLE_CONFIG = 'schemas.enable';
export const SCHEMAS_CACHE_SIZE_CONFIG = 'schemas.cache.size';
export const DECIMAL_FORMAT_CONFIG = 'decimal.format';
export const REPLACE_NULL_WITH_DEFAULT_CONFIG = 'replace.null.with.default';

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

const CONFIG_DEF = newConverterConfigDef()
  .define({
    name: SCHEMAS_ENABLE_CONFIG, type: 'BOOLEAN', defaultValue: true, importance: 'HIGH',
    documentation: 'Include schemas within each of the serialized values and keys.',
    group: 'Schemas', orderInGroup: 0, width: 'MEDIUM', displayName: 'Enable Schemas',
  })
  .define({
    name: SCHEMAS_CACHE_SIZE_CONFIG, type: 'INT', defaultValue: 1000, importance: 'HIGH',
    documentation: 'The maximum number of schemas that can be cached in this converter instance.',
    group: 'Schemas', orderInGroup: 1, width: 'MEDIUM', displayName: 'Schema Cache Size',
  })
  .define({
    name: DECIMAL_FORMAT_CONFIG, type: 'STRING', defaultValue: 'BASE64', importance: 'LOW',
    validator: Validators.inIgnoreCase('BASE64', 'NUMERIC'),
    documentation: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
    group: 'Serialization', orderInGroup: 0, width: 'MEDIUM', displayName: 'Decimal Format',
  })
  .define({
    name: REPLACE_NULL_WITH_DEFAULT_CONFIG, type: 'BOOLEAN', defaultValue: true, importance: 'LOW',
    documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
    group: 'Serialization', orderInGroup: 1, width: 'MEDIUM', displayName: 'Replace null with default',
  });

const C_LBRACE = 123;
const C_RBRACE = 125;
const NULL_SCHEMA_PREFIX = Buffer.from('{"schema":null,"payload":', 'utf8');

export class JsonConverter extends ValueAndHeaderConverter {
  private schemasEnabled = true;
  private replaceNullWithDefault = true;
  private type: ConverterType = 'value';
  private writer = new JsonWriter(false, true);
  private schemaCache = new LruCache<string, Schema | null>(1000);
  private lastSchemaText: string | null = null;
  private lastSchema: Schema | null = null;
  /** `{"schema":<schema JSON>,"payload":` as bytes, per Schema: constant, so copied rather than encoded. */
  private envelopePrefixes = new WeakMap<Schema, Buffer>();
  private readonly out = new ByteSlab();

  static configDef(): ConfigDef {
    return CONFIG_DEF;
  }

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  /** Converter use passes `isKey`; header-converter use passes only the configs. */
  configure(configs: Record<string, string>, isKey?: boolean): void {
    const parsed = CONFIG_DEF.parse(withConverterType(configs, isKey));
    this.type = parsed.getString('converter.type') as ConverterType;
    this.schemasEnabled = parsed.getBoolean(SCHEMAS_ENABLE_CONFIG);
    this.replaceNullWithDefault = parsed.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
    const numeric = parsed.getString(DECIMAL_FORMAT_CONFIG)!.toUpperCase() === 'NUMERIC';
    this.writer = new JsonWriter(numeric, this.replaceNullWithDefault);
    this.envelopePrefixes = new WeakMap();
    this.schemaCache = new LruCache(parsed.getInt(SCHEMAS_CACHE_SIZE_CONFIG)!);
    this.lastSchemaText = null;
    this.lastSchema = null;
  }

  /** `key`, `value` or `header`, as configured. */
  converterType(): ConverterType {
    return this.type;
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if ((schema === null || schema === undefined) && (value === null || value === undefined)) return null;
    if (!this.schemasEnabled) return this.out.write(null, this.writer.valueJson(schema ?? null, value));
    const prefix = schema ? this.envelopePrefix(schema) : NULL_SCHEMA_PREFIX;
    return this.out.write(prefix, this.writer.valueJson(schema ?? null, value), C_RBRACE);
  }

  private envelopePrefix(schema: Schema): Buffer {
    let prefix = this.envelopePrefixes.get(schema);
    if (prefix === undefined) {
      prefix = Buffer.from('{"schema":' + this.writer.schemaJson(schema) + ',"payload":', 'utf8');
      this.envelopePrefixes.set(schema, prefix);
    }
    return prefix;
  }

  /** The JSON text `fromConnectData` would write, as a string (null for a tombstone). */
  fromConnectDataToString(schema: Schema | null, value: unknown): string | null {
    const bytes = this.fromConnectData('', schema, value);
    return bytes === null ? null : bytes.toString('utf8');
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return NULL_SCHEMA_AND_VALUE;
    const text = asBuffer(bytes).toString('utf8');
    try {
      return this.decode(text, false);
    } catch {
      // Errors are rare: decode again carefully (whole document checked first, then the envelope, then the
      // conversion) so the error reported is the one Kafka's order of checks would report.
      try {
        return this.decode(text, true);
      } catch (e) {
        if (e instanceof JsonSyntaxError) {
          throw new DataException('Converting byte[] to Kafka Connect data failed due to serialization error: ', { cause: e });
        }
        throw e;
      }
    }
  }

  /** The schema of the previous message's `schema` text: consecutive messages usually share it. */
  private resolveSchema(schemaText: string): Schema | null {
    if (schemaText === this.lastSchemaText) return this.lastSchema;
    const schema = schemaText === 'null' ? null : this.asConnectSchema(schemaText);
    this.lastSchemaText = schemaText;
    this.lastSchema = schema;
    return schema;
  }

  /** The Connect schema of a schema JSON text (cached). */
  asConnectSchema(schemaText: string): Schema | null {
    let schema = this.schemaCache.get(schemaText);
    if (schema === undefined) {
      schema = parseSchemaText(schemaText, this.replaceNullWithDefault);
      this.schemaCache.set(schemaText, schema);
    }
    return schema;
  }

  /**
   * Fast mode converts the payload as soon as it is met (after `schema`); careful mode validates the
   * whole document and the envelope before converting anything.
   */
  private decode(text: string, careful: boolean): SchemaAndValue {
    const r = new JsonReader(text);
    if (careful && !r.atEnd()) {
      r.skipValue();
      r.pos = 0;
    }
    const rn = this.replaceNullWithDefault;
    if (!this.schemasEnabled) return { schema: null, value: readConnect(r, null, rn) };

    if (r.peek() !== C_LBRACE) throw new DataException(ENVELOPE_ERROR);
    r.pos++;
    let schemaText: string | null = null;
    let schema: Schema | null = null;
    let payloadPos = -1;
    let value: unknown = undefined;
    let other = false;
    if (!r.tryConsume(C_RBRACE)) {
      do {
        const key = r.readKey();
        if (key === 'schema') {
          r.peek();
          const start = r.pos;
          const last = this.lastSchemaText;
          if (!careful && last !== null && text.startsWith(last, start)) {
            // Same schema as the previous message (a JSON value is never a prefix of another valid one).
            r.pos = start + last.length;
            schemaText = last;
          } else {
            if (careful) r.skipValue();
            else r.skipFast();
            schemaText = text.slice(start, r.pos);
          }
          value = undefined; // a later schema invalidates a payload read earlier
        } else if (key === 'payload') {
          payloadPos = r.pos;
          if (!careful && schemaText !== null && !other) {
            schema = this.resolveSchema(schemaText);
            value = readConnect(r, schema, rn);
          } else {
            value = undefined;
            r.skipValue();
          }
        } else {
          other = true;
          r.skipValue();
        }
      } while (r.more(C_RBRACE));
    }
    if (other || schemaText === null || payloadPos < 0) throw new DataException(ENVELOPE_ERROR);
    if (value === undefined) {
      schema = this.resolveSchema(schemaText);
      r.pos = payloadPos;
      value = readConnect(r, schema, rn);
    }
    return { schema, value };
  }
}
