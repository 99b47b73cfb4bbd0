/**
 * The state of the running incremental snapshot (Debezium's AbstractIncrementalSnapshotContext): the queue
 * of tables still to read, the current chunk (its id, whether its window is open, where it ends), the
 * table's maximum key taken when its first chunk was read, the key of the last snapshot record handed out,
 * pause and stop requests. `store` adds it to every offset while a snapshot runs; `load` reads it back, so
 * a restarted task resumes after the last record it emitted (specs/debezium-postgres.md §4.6, §5.1).
 */
import { randomUUID } from 'node:crypto';
import type { SourceMap } from '../../../connect/data/index.js';
import { type JavaKeyValue, deserializeKeyArray, serializeKeyArray } from './java-serialization.js';

export const KEY_COLLECTIONS = 'incremental_snapshot_collections';
export const KEY_PRIMARY_KEY = 'incremental_snapshot_primary_key';
export const KEY_MAXIMUM_KEY = 'incremental_snapshot_maximum_key';
export const KEY_CORRELATION_ID = 'incremental_snapshot_correlation_id';

/** One table to read: `schema.table`, its extra WHERE condition (already in parentheses) and surrogate key. */
export interface DataCollection {
  id: string;
  additionalCondition: string | null;
  surrogateKey: string | null;
  correlationId: string | null;
}

/** A key as text values (what the chunk query binds), with the Java types used to store it. */
export interface ChunkKey {
  values: (string | null)[];
  /** Per element: 'int' (int2/int4), 'long' (int8) or 'string' (everything else). */
  types: ('int' | 'long' | 'string')[] | null;
}

export class IncrementalSnapshotContext {
  private collections: DataCollection[] = [];
  private collectionsJson: string | null = null;
  windowOpened = false;
  chunkEnd: ChunkKey | null = null;
  lastEventKeySent: ChunkKey | null = null;
  maximumKey: ChunkKey | null = null;
  currentChunkId: string | null = null;
  correlationId: string | null = null;
  paused = false;
  private toStop: string[] = [];
  /** Serialized keys, cached between changes (offsets are built per event). */
  private lastKeyHex: string | null = null;
  private maxKeyHex: string | null = null;

  get running(): boolean {
    return this.collections.length > 0;
  }

  get current(): DataCollection | null {
    return this.collections[0] ?? null;
  }

  get pending(): readonly DataCollection[] {
    return this.collections;
  }

  /** Ignores window signals of other chunks (replayed after a restart, or of a finished snapshot). */
  openWindow(id: string): boolean {
    if (!this.currentChunkId || !id.startsWith(this.currentChunkId)) return false;
    this.windowOpened = true;
    return true;
  }

  closeWindow(id: string): boolean {
    if (!this.currentChunkId || !id.startsWith(this.currentChunkId)) return false;
    this.windowOpened = false;
    return true;
  }

  startNewChunk(): string {
    this.currentChunkId = randomUUID();
    return this.currentChunkId;
  }

  add(correlationId: string | null, list: DataCollection[]): void {
    this.collections.push(...list);
    this.collectionsJson = null;
    this.correlationId = correlationId;
  }

  remove(id: string): boolean {
    // Not the current table (index 0): that one is removed through nextDataCollection.
    const before = this.collections.length;
    this.collections = this.collections.filter((c, i) => i === 0 || c.id !== id);
    this.collectionsJson = null;
    return this.collections.length !== before;
  }

  nextDataCollection(): void {
    this.collections.shift();
    this.collectionsJson = null;
    this.chunkEnd = null;
    this.setLastEventKey(null);
    this.setMaximumKey(null);
  }

  setLastEventKey(k: ChunkKey | null): void {
    this.lastEventKeySent = k;
    this.lastKeyHex = null;
  }

  setMaximumKey(k: ChunkKey | null): void {
    this.maximumKey = k;
    this.maxKeyHex = null;
  }

  requestStop(ids: string[] | null): void {
    if (!this.running) return;
    if (!ids || ids.length === 0) this.toStop.push('.*');
    else this.toStop.push(...ids);
  }

  drainStopRequests(): string[] {
    return this.toStop.splice(0);
  }

  /** Adds the snapshot's keys to an offset map (nothing when no snapshot runs). */
  store(m: SourceMap): SourceMap {
    if (!this.running) return m;
    this.lastKeyHex ??= serializeKeyArray(javaValues(this.lastEventKeySent));
    this.maxKeyHex ??= serializeKeyArray(javaValues(this.maximumKey));
    this.collectionsJson ??= collectionsToJson(this.collections);
    m[KEY_PRIMARY_KEY] = this.lastKeyHex;
    m[KEY_MAXIMUM_KEY] = this.maxKeyHex;
    m[KEY_COLLECTIONS] = this.collectionsJson;
    m[KEY_CORRELATION_ID] = this.correlationId;
    return m;
  }

  /** The context stored in an offset (written by us or by Debezium); an empty one when there is none. */
  static load(m: SourceMap | null): IncrementalSnapshotContext {
    const c = new IncrementalSnapshotContext();
    if (!m) return c;
    const pk = m[KEY_PRIMARY_KEY];
    const max = m[KEY_MAXIMUM_KEY];
    const cols = m[KEY_COLLECTIONS];
    if (typeof pk === 'string') {
      const values = deserializeKeyArray(pk);
      c.chunkEnd = values ? { values, types: null } : null;
    }
    if (typeof max === 'string') {
      const values = deserializeKeyArray(max);
      c.setMaximumKey(values ? { values, types: null } : null);
    }
    if (typeof cols === 'string') c.collections = collectionsFromJson(cols);
    c.correlationId = typeof m[KEY_CORRELATION_ID] === 'string' ? (m[KEY_CORRELATION_ID] as string) : null;
    return c;
  }
}

/** Key values as Java would hold them; a key loaded from an offset (types unknown) is kept as strings. */
function javaValues(k: ChunkKey | null): JavaKeyValue[] | null {
  if (!k) return null;
  return k.values.map((v, i): JavaKeyValue => {
    if (v === null) return null;
    const t = k.types?.[i] ?? 'string';
    if (t === 'int') return { type: 'int', value: Number(v) };
    if (t === 'long') return { type: 'long', value: BigInt(v) };
    return { type: 'string', value: v };
  });
}

const C = KEY_COLLECTIONS;

export function collectionsToJson(list: readonly DataCollection[]): string {
  return JSON.stringify(list.map((d) => ({
    [`${C}_id`]: d.id,
    [`${C}_additional_condition`]: d.additionalCondition,
    [`${C}_surrogate_key`]: d.surrogateKey,
    [`${C}_correlation_id`]: d.correlationId,
  })));
}

export function collectionsFromJson(text: string): DataCollection[] {
  const arr = JSON.parse(text) as Record<string, string | null>[];
  return arr.map((x) => ({
    id: String(x[`${C}_id`]),
    additionalCondition: x[`${C}_additional_condition`] || null,
    surrogateKey: x[`${C}_surrogate_key`] || null,
    correlationId: x[`${C}_correlation_id`] ?? null,
  }));
}
