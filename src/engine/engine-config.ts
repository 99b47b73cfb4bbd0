/**
 * The engine's own configuration keys (Debezium's `EmbeddedEngineConfig` and `AsyncEngineConfig`), parsed from
 * the same property map as the connector config. Every property is passed to the connector as a string; the
 * engine keys are read here with their defaults.
 */
import { availableParallelism } from 'node:os';
import { ConfigDef, Validators, invalid } from '../connect/api/config-def.js';
import { ConfigException } from '../connect/errors.js';
import { FileOffsetStore, MemoryOffsetStore, type OffsetBackingStore } from '../connect/storage/offset-store.js';
import type { EngineProperties } from './types.js';

export const ENGINE_KEYS = {
  NAME: 'name',
  CONNECTOR_CLASS: 'connector.class',
  OFFSET_STORAGE: 'offset.storage',
  OFFSET_FILE: 'offset.storage.file.filename',
  OFFSET_FLUSH_INTERVAL_MS: 'offset.flush.interval.ms',
  OFFSET_FLUSH_TIMEOUT_MS: 'offset.flush.timeout.ms',
  ERRORS_MAX_RETRIES: 'errors.max.retries',
  ERRORS_RETRY_DELAY_INITIAL_MS: 'errors.retry.delay.initial.ms',
  ERRORS_RETRY_DELAY_MAX_MS: 'errors.retry.delay.max.ms',
  THREADS: 'record.processing.threads',
  ORDER: 'record.processing.order',
  SHUTDOWN_TIMEOUT_MS: 'record.processing.shutdown.timeout.ms',
  SERIAL_CONSUMER: 'record.processing.with.serial.consumer',
} as const;

const FILE_STORE_CLASSES = ['file', 'org.apache.kafka.connect.storage.FileOffsetBackingStore'];
const MEMORY_STORE_CLASSES = ['memory', 'org.apache.kafka.connect.storage.MemoryOffsetBackingStore'];

const K = ENGINE_KEYS;

const ENGINE_CONFIG_DEF = new ConfigDef()
  .define({ name: K.NAME, type: 'STRING', validator: Validators.nonEmptyString(), importance: 'HIGH', documentation: 'Unique name for this connector instance.' })
  .define({ name: K.CONNECTOR_CLASS, type: 'STRING', importance: 'HIGH', documentation: 'The class name or alias of the source connector.' })
  .define({ name: K.OFFSET_FILE, type: 'STRING', defaultValue: '', importance: 'HIGH', documentation: "The file where offsets are stored; required with offset.storage 'file'." })
  .define({ name: K.OFFSET_FLUSH_INTERVAL_MS, type: 'LONG', defaultValue: 60_000, validator: Validators.atLeast(0), importance: 'MEDIUM', documentation: 'Interval at which to try committing offsets, in milliseconds; 0 commits after every batch.' })
  .define({ name: K.OFFSET_FLUSH_TIMEOUT_MS, type: 'LONG', defaultValue: 5_000, validator: Validators.atLeast(1), importance: 'MEDIUM', documentation: 'Time to wait for offsets to be written before the attempt is given up and retried on the next flush.' })
  .define({ name: K.ERRORS_MAX_RETRIES, type: 'INT', defaultValue: -1, validator: Validators.atLeast(-1), importance: 'MEDIUM', documentation: 'Retries of retriable errors (task start, poll, handler) before failing: -1 = no limit, 0 = none.' })
  .define({ name: K.ERRORS_RETRY_DELAY_INITIAL_MS, type: 'INT', defaultValue: 300, validator: Validators.atLeast(1), importance: 'MEDIUM', documentation: 'Initial delay between retries, doubled on each retry up to errors.retry.delay.max.ms.' })
  .define({ name: K.ERRORS_RETRY_DELAY_MAX_MS, type: 'LONG', defaultValue: 10_000, validator: Validators.atLeast(1), importance: 'MEDIUM', documentation: 'Maximum delay between retries.' })
  .define({ name: K.THREADS, type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: "How many records a record handler processes at once; empty or 'AVAILABLE_CORES' = the number of cores." })
  .define({ name: K.ORDER, type: 'STRING', defaultValue: 'ORDERED', validator: Validators.inIgnoreCase('ORDERED', 'UNORDERED'), importance: 'MEDIUM', documentation: "'ORDERED': records with the same key are handled one after another, in source order; 'UNORDERED': in any order." })
  .define({ name: K.SHUTDOWN_TIMEOUT_MS, type: 'LONG', defaultValue: 10_000, validator: Validators.atLeast(1), importance: 'LOW', documentation: 'Maximum time to wait for in-flight handler calls when the engine stops.' })
  .define({ name: K.SERIAL_CONSUMER, type: 'BOOLEAN', defaultValue: false, importance: 'LOW', documentation: 'Run a record handler on one record at a time, in source order (ignores record.processing.threads).' });

/** The engine's configuration definition (for documentation and tooling). */
export function engineConfigDef(): ConfigDef {
  return ENGINE_CONFIG_DEF;
}

export type ProcessingOrder = 'ORDERED' | 'UNORDERED';

export interface RetrySettings {
  /** -1 = no limit. */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface EngineSettings {
  name: string;
  connectorClass: string;
  /** Every property as a string (the connector and transform config). */
  connectorProps: Record<string, string>;
  offsetStore: OffsetBackingStore;
  /** True when the application gave the store (the engine still starts and stops it). */
  offsetStoreProvided: boolean;
  offsetFlushIntervalMs: number;
  offsetFlushTimeoutMs: number;
  retry: RetrySettings;
  threads: number;
  order: ProcessingOrder;
  shutdownTimeoutMs: number;
  serialConsumer: boolean;
}

function isStore(v: unknown): v is OffsetBackingStore {
  return typeof v === 'object' && v !== null && typeof (v as OffsetBackingStore).get === 'function' && typeof (v as OffsetBackingStore).set === 'function';
}

/** Parses the engine keys; throws ConfigException with Kafka-style wording on a bad value. */
export function parseEngineConfig(properties: EngineProperties): EngineSettings {
  const props: Record<string, string> = {};
  let storeSetting: string | OffsetBackingStore = 'file';
  for (const [k, v] of Object.entries(properties)) {
    if (v === undefined || v === null) continue;
    if (k === K.OFFSET_STORAGE) {
      if (isStore(v)) {
        storeSetting = v;
        continue;
      }
      storeSetting = String(v).trim();
    }
    if (typeof v === 'object') throw invalid(k, '[object]', 'Value must be a string, number or boolean');
    props[k] = String(v);
  }
  if (props[K.NAME] === undefined) throw new ConfigException(`Missing required configuration "${K.NAME}" which has no default value.`);
  if (props[K.CONNECTOR_CLASS] === undefined) throw new ConfigException(`Missing required configuration "${K.CONNECTOR_CLASS}" which has no default value.`);
  const parsed = ENGINE_CONFIG_DEF.parse(props);

  let offsetStore: OffsetBackingStore;
  if (typeof storeSetting !== 'string') {
    offsetStore = storeSetting;
  } else if (FILE_STORE_CLASSES.includes(storeSetting)) {
    const file = parsed.getString(K.OFFSET_FILE) ?? '';
    if (file.trim() === '') {
      throw new ConfigException(`Missing required configuration "${K.OFFSET_FILE}": offset.storage is 'file' (set offset.storage=memory to keep offsets in memory only)`);
    }
    offsetStore = new FileOffsetStore(file);
  } else if (MEMORY_STORE_CLASSES.includes(storeSetting)) {
    offsetStore = new MemoryOffsetStore();
  } else {
    throw invalid(K.OFFSET_STORAGE, storeSetting, "Must be 'file', 'memory' or an object implementing OffsetBackingStore");
  }

  return {
    name: parsed.getString(K.NAME)!,
    connectorClass: parsed.getString(K.CONNECTOR_CLASS)!,
    connectorProps: props,
    offsetStore,
    offsetStoreProvided: typeof storeSetting !== 'string',
    offsetFlushIntervalMs: parsed.getLong(K.OFFSET_FLUSH_INTERVAL_MS)!,
    offsetFlushTimeoutMs: parsed.getLong(K.OFFSET_FLUSH_TIMEOUT_MS)!,
    retry: {
      maxRetries: parsed.getInt(K.ERRORS_MAX_RETRIES)!,
      initialDelayMs: parsed.getInt(K.ERRORS_RETRY_DELAY_INITIAL_MS)!,
      maxDelayMs: parsed.getLong(K.ERRORS_RETRY_DELAY_MAX_MS)!,
    },
    threads: parseThreads(parsed.getString(K.THREADS) ?? ''),
    order: parsed.getString(K.ORDER)!.toUpperCase() as ProcessingOrder,
    shutdownTimeoutMs: parsed.getLong(K.SHUTDOWN_TIMEOUT_MS)!,
    serialConsumer: parsed.getBoolean(K.SERIAL_CONSUMER),
  };
}

/** `record.processing.threads`: a positive number, `AVAILABLE_CORES`, or empty (= cores). */
export function parseThreads(raw: string): number {
  const s = raw.trim();
  if (s === '' || s.toUpperCase() === 'AVAILABLE_CORES') return availableParallelism();
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw invalid(K.THREADS, raw, "Value must be a positive integer or 'AVAILABLE_CORES'");
  return n;
}
