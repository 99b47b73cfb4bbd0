/**
 * `io.confluent.connect.avro.AvroConverter`: Connect data ⇄ Confluent's Avro wire format,
 *
 *   magic byte 0 | schema id (4 bytes, big-endian) | Avro binary of the value
 *
 * with the schema kept in a Confluent-compatible schema registry. Writing derives the Avro schema from the
 * Connect schema (avro-data.ts), finds its id under the subject of `*.subject.name.strategy` (registering it
 * with `auto.register.schemas`, or taking the subject's latest with `use.latest.version`), and writes the
 * value; reading fetches the writer schema by id and maps it back to a Connect schema. A null value is a
 * null record (no bytes), as in Confluent's serializer; a top-level `bytes` schema writes the bytes raw.
 *
 * Registry calls are asynchronous but the Converter contract is synchronous: the first record of a schema
 * throws `ConversionPending` while the id (or writer schema) is fetched; the runtime awaits it and calls
 * again. Every later record of that schema converts synchronously from the caches here.
 */
import { ConfigDef, Validators } from '../../connect/api/config-def.js';
import { ConversionPending, type Converter, convertSettled } from '../../connect/api/converter.js';
import type { Schema, SchemaAndValue } from '../../connect/data/schema.js';
import { NULL_SCHEMA_AND_VALUE } from '../../connect/data/schema.js';
import { ConfigException, ConnectException, DataException, RetriableException } from '../../connect/errors.js';
import { asBuffer } from '../bytes.js';
import { newConverterConfigDef, withConverterType } from '../converter-config.js';
import { AvroReader, AvroWriter } from './avro-binary.js';
import { readProblems } from './avro-compatibility.js';
import { AvroData } from './avro-data.js';
import { type AvroNode, avroSchemaText, parseAvroSchema } from './avro-schema.js';
import { type Decode, type Encode, compileDecoder, compileEncoder } from './avro-values.js';
import { RegistryError, SchemaRegistryClient } from './registry-client.js';
import { type SubjectNameStrategy, TOPIC_NAME_STRATEGY, subjectNameStrategy } from './subject-strategy.js';

export const AVRO_CONVERTER_CLASS = 'io.confluent.connect.avro.AvroConverter';
export const CONFLUENT_VERSION = '7.9.0';

const MAGIC_BYTE = 0;

const CONFIG_DEF = newConverterConfigDef()
  .define({ name: 'schema.registry.url', type: 'LIST', importance: 'HIGH', documentation: 'Comma-separated list of URLs for Schema Registry instances that can be used to register or look up schemas.' })
  .define({ name: 'auto.register.schemas', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Specify if the Serializer should attempt to register the Schema with Schema Registry' })
  .define({ name: 'use.latest.version', type: 'BOOLEAN', defaultValue: false, importance: 'LOW', documentation: 'Specify if the Serializer should use the latest subject version for serialization' })
  .define({ name: 'latest.compatibility.strict', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Specify if the Serializer should check the backward compatibility between the latest subject version and the schema of the object being serialized' })
  .define({ name: 'key.subject.name.strategy', type: 'CLASS', defaultValue: TOPIC_NAME_STRATEGY, importance: 'MEDIUM', documentation: 'Determines how to construct the subject name under which the key schema is registered with the schema registry.' })
  .define({ name: 'value.subject.name.strategy', type: 'CLASS', defaultValue: TOPIC_NAME_STRATEGY, importance: 'MEDIUM', documentation: 'Determines how to construct the subject name under which the value schema is registered with the schema registry.' })
  .define({ name: 'basic.auth.credentials.source', type: 'STRING', defaultValue: 'URL', validator: Validators.in('URL', 'USER_INFO'), importance: 'MEDIUM', documentation: 'Specify how to pick the credentials for Basic Auth header. The supported values are URL and USER_INFO' })
  .define({ name: 'basic.auth.user.info', type: 'PASSWORD', defaultValue: '', importance: 'MEDIUM', documentation: 'Specify the user info for Basic Auth in the form of {username}:{password}' })
  .define({ name: 'schema.registry.basic.auth.user.info', type: 'PASSWORD', defaultValue: '', importance: 'MEDIUM', documentation: 'Specify the user info for Basic Auth in the form of {username}:{password}' })
  .define({ name: 'connect.meta.data', type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Toggle for enabling/disabling connect converter to add its meta data to the output schema or not' })
  .define({ name: 'enhanced.avro.schema.support', type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: 'Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package Name awareness' })
  .define({ name: 'schemas.cache.config', type: 'INT', defaultValue: 1000, importance: 'LOW', documentation: 'Size of the converted schemas cache' })
  .define({ name: 'max.retries', type: 'INT', defaultValue: 3, importance: 'LOW', documentation: 'Retries of a registry request after a connection error or a 5xx answer.' })
  .define({ name: 'retries.wait.ms', type: 'INT', defaultValue: 1000, importance: 'LOW', documentation: 'Wait before the first retry of a registry request; doubled per retry.' })
  .define({ name: 'retries.max.wait.ms', type: 'INT', defaultValue: 20000, importance: 'LOW', documentation: 'Longest wait between retries of a registry request.' });

/** What writing a Connect schema needs, derived once per Schema object. */
interface WriteSchema {
  node: AvroNode;
  text: string;
  encode: Encode;
  /** Where records of this schema go, per topic (the subject follows from the topic and the schema). */
  byTopic: Map<string, WriteTarget>;
}

/** How records of one (subject, schema) are written: the id, and the encoder (for the latest schema, maybe another). */
interface WriteTarget {
  id: number;
  encode: Encode;
  rawBytes: boolean;
}

interface ReadSchema {
  schema: Schema;
  decode: Decode;
  rawBytes: boolean;
}

/** A top-level `bytes` schema: Confluent's serializer writes (and reads) the bytes raw, not length-prefixed. */
function isRawBytes(node: AvroNode): boolean {
  return node.kind === 'primitive' && node.type === 'bytes';
}

/** The registry calls the converter makes (SchemaRegistryClient; tests may pass another implementation). */
export type RegistryApi = Pick<SchemaRegistryClient, 'register' | 'lookup' | 'version' | 'schemaById' | 'latest' | 'versions'>;

export class AvroConverter implements Converter {
  private isKey = false;
  private client: RegistryApi | null;

  /** `client` replaces the registry client `configure` would make from `schema.registry.url`. */
  constructor(private readonly injectedClient?: RegistryApi) {
    this.client = injectedClient ?? null;
  }

  private avroData = new AvroData();
  private strategy: SubjectNameStrategy = subjectNameStrategy(TOPIC_NAME_STRATEGY);
  private autoRegister = true;
  private useLatest = false;
  private latestStrict = true;
  private readonly writer = new AvroWriter();
  private writeSchemas = new WeakMap<Schema, WriteSchema>();
  private readonly targets = new Map<string, WriteTarget>();
  /** By schema id, then topic (the topic decides the subject, whose version becomes the Connect version). */
  private readonly readSchemas = new Map<number, Map<string, ReadSchema>>();
  /** Registry work under way, and failures to throw on the next call, by cache key. */
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, unknown>();

  static configDef(): ConfigDef {
    return CONFIG_DEF;
  }

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  version(): string {
    return CONFLUENT_VERSION;
  }

  configure(configs: Record<string, string>, isKey: boolean): void {
    const parsed = CONFIG_DEF.parse(withConverterType(configs, isKey));
    this.isKey = isKey;
    const urls = parsed.getList('schema.registry.url');
    if (urls.length === 0) throw new ConfigException('Missing required configuration "schema.registry.url" which has no default value.');
    let userInfo: string | null = null;
    if (parsed.getString('basic.auth.credentials.source') === 'USER_INFO') {
      userInfo = parsed.getPassword('basic.auth.user.info')?.value || parsed.getPassword('schema.registry.basic.auth.user.info')?.value || null;
      if (!userInfo) throw new ConfigException('basic.auth.credentials.source=USER_INFO needs basic.auth.user.info as {username}:{password}');
    }
    this.client = this.injectedClient ?? new SchemaRegistryClient({
      urls,
      userInfo,
      maxRetries: parsed.getInt('max.retries')!,
      retryBackoffMs: parsed.getInt('retries.wait.ms')!,
      retryBackoffMaxMs: parsed.getInt('retries.max.wait.ms')!,
      headers: parsed.originalsWithPrefix('request.header.'),
    });
    this.avroData = new AvroData({ connectMetaData: parsed.getBoolean('connect.meta.data'), enhancedSchemaSupport: parsed.getBoolean('enhanced.avro.schema.support') });
    this.strategy = subjectNameStrategy(parsed.getString(isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy')!);
    this.autoRegister = parsed.getBoolean('auto.register.schemas');
    this.useLatest = parsed.getBoolean('use.latest.version');
    this.latestStrict = parsed.getBoolean('latest.compatibility.strict');
    this.writeSchemas = new WeakMap();
    this.targets.clear();
    this.readSchemas.clear();
  }

  /** The registry client (shared with tests and tools that read what this converter wrote). */
  registry(): RegistryApi {
    if (!this.client) throw new ConnectException('AvroConverter is not configured');
    return this.client;
  }

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (!schema) throw new DataException(`Failed to serialize Avro data from topic ${topic}: a schemaless value cannot be written as Avro here`);
    const ws = this.writeSchema(schema);
    const target = ws.byTopic.get(topic) ?? this.target(topic, schema, ws);
    const w = this.writer;
    w.reset();
    w.byte(MAGIC_BYTE);
    w.int32BE(target.id);
    try {
      if (target.rawBytes) w.raw(value as Uint8Array);
      else target.encode(w, value);
    } catch (e) {
      if (e instanceof DataException) throw new DataException(`Failed to serialize Avro data from topic ${topic}: ${e.message}`, { cause: e });
      throw new DataException(`Failed to serialize Avro data from topic ${topic}:`, { cause: e });
    }
    return w.finish();
  }

  toConnectData(topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return NULL_SCHEMA_AND_VALUE;
    const buf = asBuffer(bytes);
    if (buf.length < 5 || buf[0] !== MAGIC_BYTE) throw new DataException(`Failed to deserialize data for topic ${topic} to Avro: Unknown magic byte!`);
    const id = buf.readInt32BE(1);
    const rs = this.readSchemas.get(id)?.get(topic) ?? this.awaitRegistry(topic + '\u0000' + id, () => this.resolveReader(topic, id));
    try {
      if (rs.rawBytes) return { schema: rs.schema, value: Buffer.from(buf.subarray(5)) };
      const r = new AvroReader(buf, 5);
      return { schema: rs.schema, value: rs.decode(r) };
    } catch (e) {
      throw new DataException(`Failed to deserialize data for topic ${topic} to Avro: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Async forms for callers outside the task loops (tools, tests): they wait for the registry. */
  fromConnectDataAsync(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    return convertSettled(() => this.fromConnectData(topic, schema, value));
  }

  toConnectDataAsync(topic: string, bytes: Uint8Array | null): Promise<SchemaAndValue> {
    return convertSettled(() => this.toConnectData(topic, bytes));
  }

  private writeSchema(schema: Schema): WriteSchema {
    let ws = this.writeSchemas.get(schema);
    if (ws === undefined) {
      const node = this.avroData.fromConnectSchema(schema);
      ws = { node, text: avroSchemaText(node), encode: compileEncoder(schema, node), byTopic: new Map() };
      this.writeSchemas.set(schema, ws);
    }
    return ws;
  }

  /** The target of a topic not seen yet with this schema: known for the subject already, or fetched. */
  private target(topic: string, schema: Schema, ws: WriteSchema): WriteTarget {
    const subject = this.strategy(topic, this.isKey, ws.node);
    const key = subject + '\u0000' + ws.text;
    const target = this.targets.get(key) ?? this.awaitRegistry(key, () => this.resolveTarget(topic, subject, schema, ws));
    ws.byTopic.set(topic, target);
    return target;
  }

  /**
   * Throws the remembered failure of `key`'s registry work, or a ConversionPending for the work (started
   * now unless already under way). Never returns.
   */
  private awaitRegistry(key: string, work: () => Promise<void>): never {
    if (this.failures.has(key)) {
      const failure = this.failures.get(key);
      this.failures.delete(key);
      throw failure;
    }
    let p = this.inflight.get(key);
    if (p === undefined) {
      p = work()
        .catch((e: unknown) => {
          this.failures.set(key, e);
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    throw new ConversionPending(p);
  }

  private async resolveTarget(topic: string, subject: string, schema: Schema, ws: WriteSchema): Promise<void> {
    const client = this.registry();
    const rawBytes = isRawBytes(ws.node);
    let target: WriteTarget;
    try {
      if (this.autoRegister) {
        target = { id: await client.register(subject, ws.text), encode: ws.encode, rawBytes };
      } else if (this.useLatest) {
        const latest = await client.latest(subject);
        const node = parseAvroSchema(latest.schema);
        if (this.latestStrict) {
          const problems = readProblems(node, ws.node);
          if (problems.length > 0) {
            throw new DataException(
              `Failed to serialize Avro data from topic ${topic}: Incompatible schema of type 'AVRO'. Set latest.compatibility.strict=false to disable this check. ` +
                `The latest schema of subject "${subject}" (version ${latest.version}, id ${latest.id}) cannot read the record's schema: ${problems.join('; ')}`,
            );
          }
        }
        target = { id: latest.id, encode: compileEncoder(schema, node), rawBytes: isRawBytes(node) };
      } else {
        target = { id: (await client.lookup(subject, ws.text)).id, encode: ws.encode, rawBytes };
      }
    } catch (e) {
      throw await this.registryFailure(`Failed to serialize Avro data from topic ${topic}`, subject, e);
    }
    this.targets.set(subject + '\u0000' + ws.text, target);
  }

  private async resolveReader(topic: string, id: number): Promise<void> {
    const client = this.registry();
    let text: string;
    try {
      text = await client.schemaById(id);
    } catch (e) {
      throw await this.registryFailure(`Failed to deserialize data for topic ${topic} to Avro`, null, e, id);
    }
    const node = parseAvroSchema(text);
    // Like Confluent's deserializer, the subject's version of the writer schema becomes the Connect version
    // when the schema carries no connect.version.
    let version: number | null = null;
    try {
      version = await client.version(this.strategy(topic, this.isKey, node), text);
    } catch (e) {
      if (e instanceof RetriableException) throw e;
    }
    const schema = this.avroData.toConnectSchema(node, version ?? undefined);
    let byTopic = this.readSchemas.get(id);
    if (byTopic === undefined) this.readSchemas.set(id, (byTopic = new Map()));
    byTopic.set(topic, { schema, decode: compileDecoder(node, schema), rawBytes: isRawBytes(node) });
  }

  /** A registry failure as the Connect error the task's error handling understands. */
  private async registryFailure(prefix: string, subject: string | null, e: unknown, id?: number): Promise<Error> {
    if (e instanceof RetriableException) return new RetriableException(`${prefix}: ${e.message}`, { cause: e });
    if (e instanceof ConnectException) return e;
    if (e instanceof RegistryError) {
      if (e.status === 409 && subject !== null) {
        let versions = '';
        try {
          versions = (await this.registry().versions(subject)).join(', ');
        } catch {
          versions = 'unknown';
        }
        return new DataException(
          `${prefix}: the schema is incompatible with an earlier schema of subject "${subject}" (registered versions: ${versions}); the registry said: ${e.message}`,
          { cause: e },
        );
      }
      if (e.status === 401 || e.status === 403) return new DataException(`${prefix}: the schema registry refused the credentials (${e.status}): ${e.message}`, { cause: e });
      if (e.status === 404 && id !== undefined) return new DataException(`${prefix}: schema id ${id} not found in the registry: ${e.message}`, { cause: e });
      if (e.status === 404 && subject !== null) return new DataException(`${prefix}: subject "${subject}" has no such schema (auto.register.schemas=false): ${e.message}`, { cause: e });
      return new DataException(`${prefix}: ${e.message}`, { cause: e });
    }
    return new DataException(`${prefix}: ${(e as Error).message ?? String(e)}`, { cause: e });
  }
}
