/**
 * `io.debezium.converters.CloudEventsConverter` in structured mode with JSON (CloudEvents 1.0 JSON format):
 *
 *   {"id":"name:<server>;lsn:<lsn>;txId:<txId>;sequence:<sequence>","source":"/debezium/postgresql/<server>",
 *    "specversion":"1.0","type":"io.debezium.connector.postgresql.DataChangeEvent","time":"<source.ts_ms, RFC 3339>",
 *    "datacontenttype":"application/json","iodebeziumop":"c", "iodebezium<source field>":..., (every source field,
 *    name reduced to ASCII letters and digits; int64 values as strings) "iodebeziumtxid":..., "iodebeziumtxtotalorder":...,
 *    "iodebeziumtxdatacollectionorder":..., "data":<JsonConverter output of {before, after}>}
 *
 * `data` is written by a JsonConverter configured with the `json.*` keys (`json.schemas.enable`, default true:
 * `{"schema":...,"payload":...}`). Records whose value is not a Debezium change event envelope (heartbeats,
 * transaction metadata, logical decoding messages) convert to null, as in Debezium.
 * Only the JSON serializer exists here: `cloudevents.serializer.type` / `cloudevents.data.serializer.type` avro
 * and `metadata.source` other than `value` are rejected.
 */
import { ConfigDef, Validators } from '../connect/api/config-def.js';
import type { Converter } from '../connect/api/converter.js';
import type { Schema, SchemaAndValue } from '../connect/data/schema.js';
import { SchemaBuilder } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import { DataException } from '../connect/errors.js';
import { JsonConverter } from '../converters/json-converter.js';
import { quoteJson } from '../converters/json-writer.js';

export const CLOUDEVENTS_CONVERTER_CLASS = 'io.debezium.converters.CloudEventsConverter';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'cloudevents.serializer.type', type: 'STRING', defaultValue: 'json', validator: Validators.inIgnoreCase('json'), importance: 'HIGH', documentation: 'Serializer of the CloudEvents envelope (only json is available).' })
  .define({ name: 'cloudevents.data.serializer.type', type: 'STRING', defaultValue: 'json', validator: Validators.inIgnoreCase('json'), importance: 'HIGH', documentation: 'Serializer of the data attribute (only json is available).' })
  .define({ name: 'extension.attributes.enable', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to add the iodebezium* extension attributes.' })
  .define({ name: 'metadata.source', type: 'STRING', defaultValue: 'value', validator: Validators.inIgnoreCase('value'), importance: 'LOW', documentation: 'Where id, type and source metadata come from (only value is available).' });

const EXTENSION_PREFIX = 'iodebezium';
/** Fields of Debezium's transaction block, as extension attributes `iodebeziumtx<name>` (always present, maybe null). */
const TX_FIELDS: readonly [field: string, attribute: string][] = [
  ['id', 'iodebeziumtxid'],
  ['total_order', 'iodebeziumtxtotalorder'],
  ['data_collection_order', 'iodebeziumtxdatacollectionorder'],
];

/** Debezium's `adjustExtensionName`: the prefix plus the ASCII letters and digits of the name. */
export function extensionName(field: string): string {
  return EXTENSION_PREFIX + field.replace(/[^A-Za-z0-9]/g, '');
}

/** What is constant per envelope schema: attribute names and the schema of `data`. */
interface EnvelopeLayout {
  sourceAttributes: { name: string; quoted: string; int64: boolean }[];
  dataSchema: Schema;
}

export class CloudEventsConverter implements Converter {
  private readonly data = new JsonConverter();
  private extensions = true;
  private readonly layouts = new WeakMap<Schema, EnvelopeLayout>();

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(configs: Record<string, string>, _isKey: boolean): void {
    const parsed = CONFIG_DEF.parse(configs);
    this.extensions = parsed.getBoolean('extension.attributes.enable');
    const json: Record<string, string> = {};
    for (const [k, v] of Object.entries(configs)) if (k.startsWith('json.')) json[k.slice(5)] = v;
    this.data.configure(json, false);
  }

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    const text = this.toCloudEventText(topic, schema, value);
    return text === null ? null : Buffer.from(text, 'utf8');
  }

  /** The CloudEvent as JSON text, or null for records that are not change events. */
  toCloudEventText(topic: string, schema: Schema | null, value: unknown): string | null {
    if (!schema || value === null || value === undefined) return null;
    if (!schema.name?.endsWith('.Envelope')) return null;
    if (schema.type !== 'struct' || !(value instanceof Struct)) throw new DataException('Mismatching schema');
    const source = value.get('source');
    if (!(source instanceof Struct)) throw new DataException('Change event without a source block');
    const connector = String(source.get('connector'));
    if (connector !== 'postgresql') throw new DataException(`No usable CloudEvents converters for connector type "${connector}"`);
    const layout = this.layout(schema, source.schema);

    let out =
      '{"id":' + quoteJson(`name:${str(source.get('name'))};lsn:${str(source.get('lsn'))};txId:${str(source.get('txId'))};sequence:${str(source.get('sequence'))}`) +
      ',"source":' + quoteJson(`/debezium/${connector}/${str(source.get('name'))}`) +
      ',"specversion":"1.0"' +
      ',"type":' + quoteJson(`io.debezium.connector.${connector}.DataChangeEvent`) +
      ',"time":' + quoteJson(ceTime(source.get('ts_ms'))) +
      ',"datacontenttype":"application/json"';
    if (this.extensions) {
      out += ',"iodebeziumop":' + jsonValue(value.get('op'));
      const fields = source.schema.fields;
      for (let i = 0; i < fields.length; i++) {
        const a = layout.sourceAttributes[i]!;
        const v = source.get(fields[i]!);
        out += ',' + a.quoted + ':' + (a.int64 && v !== null && v !== undefined ? quoteJson(String(v)) : jsonValue(v));
      }
      const tx = schema.field('transaction') ? value.get('transaction') : null;
      for (const [field, attribute] of TX_FIELDS) {
        const v = tx instanceof Struct ? tx.get(field) : null;
        out += ',"' + attribute + '":' + (typeof v === 'number' || typeof v === 'bigint' ? quoteJson(String(v)) : jsonValue(v));
      }
    }
    const dataStruct = new Struct(layout.dataSchema).putUnchecked(0, value.get('before')).putUnchecked(1, value.get('after'));
    const data = this.data.fromConnectData(topic, layout.dataSchema, dataStruct);
    return out + ',"data":' + (data ? data.toString('utf8') : 'null') + '}';
  }

  toConnectData(_topic: string, _bytes: Uint8Array | null): SchemaAndValue {
    throw new DataException('CloudEventsConverter here converts to CloudEvents only');
  }

  private layout(envelope: Schema, sourceSchema: Schema): EnvelopeLayout {
    let l = this.layouts.get(envelope);
    if (l) return l;
    const sourceAttributes = sourceSchema.fields.map((f) => {
      const t = f.schema.type;
      if (t !== 'boolean' && t !== 'int8' && t !== 'int16' && t !== 'int32' && t !== 'int64' && t !== 'string') {
        throw new DataException(`Source field of type ${t.toUpperCase()} cannot be converted into CloudEvents extension attribute.`);
      }
      const name = extensionName(f.name);
      return { name, quoted: quoteJson(name), int64: t === 'int64' };
    });
    // Debezium's data schema for PostgreSQL: `io.debezium.connector.postgresql.Data` with before and after.
    const connector = 'postgresql';
    const b = SchemaBuilder.struct().name(`io.debezium.connector.${connector}.Data`);
    for (const name of ['before', 'after']) {
      const f = envelope.field(name);
      if (!f) throw new DataException(`Change event envelope ${envelope.name} has no field ${name}`);
      b.field(name, f.schema);
    }
    l = { sourceAttributes, dataSchema: b.build() };
    this.layouts.set(envelope, l);
    return l;
  }
}

/** Java's string concatenation of a value (null -> "null"). */
function str(v: unknown): string {
  return v === null || v === undefined ? 'null' : String(v);
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in UTC, e.g. `2024-05-01T10:00:00.123Z`. */
function ceTime(tsMs: unknown): string {
  if (tsMs === null || tsMs === undefined) throw new DataException('source.ts_ms is missing');
  return new Date(Number(tsMs)).toISOString();
}

function jsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quoteJson(v);
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return quoteJson(String(v));
}
