/**
 * Source offsets in `offset.storage.topic` (Kafka's `KafkaOffsetBackingStore`, spec §5.1): key = the JSON
 * bytes `["<connector>",{<partition>}]`, value = the JSON bytes of the offset or a tombstone, partitioned by
 * murmur2 of the key bytes (the Java producer's choice, so both runtimes agree on where a key lives).
 * get() reads the topic to its end first, so a task that moved here sees what its last owner committed.
 */
import type { OffsetBackingStore } from '../offset-store.js';
import { parseOffsetKey } from '../offset-store.js';
import { KafkaBasedLog, type KafkaBasedLogOptions, type LogRecord } from './kafka-based-log.js';

export type KafkaStoreOptions = Omit<KafkaBasedLogOptions, 'onRecord' | 'singlePartition' | 'topicKey'>;

export class KafkaOffsetStore implements OffsetBackingStore {
  private readonly data = new Map<string, string>();
  readonly log: KafkaBasedLog;

  constructor(private readonly options: KafkaStoreOptions) {
    this.log = new KafkaBasedLog({ ...options, topicKey: 'offset.storage.topic', onRecord: (r) => this.apply(r) });
  }

  private apply(r: LogRecord): void {
    if (r.key === null) return;
    const key = r.key.toString('utf8');
    if (!parseOffsetKey(key)) {
      // Kafka ignores keys that are not [string, object], with a warning.
      this.options.log?.warn({ key }, 'Ignoring offset record whose key is not [connector, partition]');
      return;
    }
    if (r.value === null) this.data.delete(key);
    else this.data.set(key, r.value.toString('utf8'));
  }

  start(): Promise<void> {
    return this.log.start();
  }

  stop(): Promise<void> {
    return this.log.stop();
  }

  async get(keys: string[]): Promise<Map<string, string | null>> {
    await this.log.readToEnd();
    return new Map(keys.map((k) => [k, this.data.get(k) ?? null]));
  }

  async set(entries: Map<string, string | null>): Promise<void> {
    if (entries.size === 0) return;
    await this.log.send([...entries].map(([k, v]) => ({ key: Buffer.from(k, 'utf8'), value: v === null ? null : Buffer.from(v, 'utf8') })));
    // Our own writes are visible to the next get() without waiting for the fetch loop.
    for (const [k, v] of entries) {
      if (v === null) this.data.delete(k);
      else this.data.set(k, v);
    }
  }

  async entries(): Promise<Map<string, string>> {
    await this.log.readToEnd();
    return new Map(this.data);
  }
}
