/**
 * A small least-recently-used cache (Kafka's `LRUCache`, used by the SMTs with 16 entries) keyed by identity.
 * Schemas are immutable and records of one table share one schema object, so identity is the right key.
 *
 * Hot path: a hit is one Map lookup (or none, when the key is the previous one) and a counter bump, with no
 * allocation. Recency is a stamp per entry; only an insertion into a full cache scans for the oldest stamp,
 * which is cheap at these sizes and happens once per new schema.
 */
interface Entry<V> {
  value: V;
  used: number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private clock = 0;
  /** The entry of the previous lookup: records of one table arrive in runs with the same schema. */
  private lastKey: K | undefined = undefined;
  private lastEntry: Entry<V> | undefined = undefined;

  constructor(private readonly maxSize = 16) {}

  get(key: K): V | undefined {
    let e = this.lastEntry;
    if (e === undefined || key !== this.lastKey) {
      e = this.entries.get(key);
      if (e === undefined) return undefined;
      this.lastKey = key;
      this.lastEntry = e;
    }
    e.used = ++this.clock;
    return e.value;
  }

  set(key: K, value: V): void {
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.used = ++this.clock;
      return;
    }
    if (this.maxSize <= 0) return;
    if (this.entries.size >= this.maxSize) this.evictOldest();
    const e: Entry<V> = { value, used: ++this.clock };
    this.entries.set(key, e);
    this.lastKey = key;
    this.lastEntry = e;
  }

  /**
   * The cached value, or the one `make` computes (then cached). On the hottest paths prefer
   * `cache.get(k) ?? this.compute(k)`, which never depends on the optimizer eliding the arrow's allocation.
   */
  getOrCompute(key: K, make: (key: K) => V): V {
    let v = this.get(key);
    if (v === undefined) {
      v = make(key);
      this.set(key, v);
    }
    return v;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.lastKey = undefined;
    this.lastEntry = undefined;
  }

  private evictOldest(): void {
    let oldestKey: K | undefined;
    let oldest = Infinity;
    for (const [k, e] of this.entries) {
      if (e.used < oldest) {
        oldest = e.used;
        oldestKey = k;
      }
    }
    this.entries.delete(oldestKey as K);
    if (oldestKey === this.lastKey) {
      this.lastKey = undefined;
      this.lastEntry = undefined;
    }
  }
}
