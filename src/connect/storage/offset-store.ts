/**
 * Source offsets: one store per worker, keyed like Kafka Connect's offset topic — the key is the JSON text
 * `["<connector>",{<source partition>}]`, the value the JSON text of the offset map (null = deleted).
 * Memory and file implementations here; the Kafka-topic one lives with the Kafka backend.
 */
import { JsonFile } from './atomic-file.js';
import { parseJsonText, toJsonText } from './json-text.js';
import type { SourceMap } from '../data/records.js';

export interface OffsetBackingStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Values for the given keys (JSON texts); absent keys map to null. */
  get(keys: string[]): Promise<Map<string, string | null>>;
  /** Writes entries durably; resolves when they are stored. A null value deletes the offset. */
  set(entries: Map<string, string | null>): Promise<void>;
  /** Every stored key with a non-null value. */
  entries(): Promise<Map<string, string>>;
}

export function offsetKey(connector: string, partition: SourceMap): string {
  return toJsonText([connector, partition]);
}

/** Parses an offset key; returns null for keys that are not `[string, object]` (ignored, as in Kafka). */
export function parseOffsetKey(key: string): { connector: string; partition: SourceMap } | null {
  try {
    const v = parseJsonText(key);
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && v[1] && typeof v[1] === 'object' && !Array.isArray(v[1])) {
      return { connector: v[0], partition: v[1] as SourceMap };
    }
  } catch {
    /* not JSON */
  }
  return null;
}

export class MemoryOffsetStore implements OffsetBackingStore {
  protected data = new Map<string, string>();

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async get(keys: string[]): Promise<Map<string, string | null>> {
    return new Map(keys.map((k) => [k, this.data.get(k) ?? null]));
  }

  async set(entries: Map<string, string | null>): Promise<void> {
    for (const [k, v] of entries) {
      if (v === null) this.data.delete(k);
      else this.data.set(k, v);
    }
  }

  async entries(): Promise<Map<string, string>> {
    return new Map(this.data);
  }
}

/**
 * `offset.storage.file.filename`: the whole map rewritten atomically on every flush (JSON, not Java
 * serialization: the JVM worker's file format is not portable anyway; the Kafka offset topic is).
 */
export class FileOffsetStore extends MemoryOffsetStore {
  private readonly file: JsonFile<{ version: 1; offsets: [string, string][] }>;

  constructor(path: string) {
    super();
    this.file = new JsonFile(path);
  }

  override async start(): Promise<void> {
    this.data = new Map((await this.file.read())?.offsets ?? []);
  }

  override async set(entries: Map<string, string | null>): Promise<void> {
    await super.set(entries);
    await this.file.write({ version: 1, offsets: [...this.data] });
  }
}
