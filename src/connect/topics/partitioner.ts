/**
 * Partition choice exactly as the Kafka Java producer makes it, so keyed records land on the same
 * partition whichever client (this worker, kafkajs, the JVM) writes them:
 *   keyed record:  toPositive(murmur2(keyBytes)) % numPartitions      (Kafka's BuiltInPartitioner)
 *   null key:      sticky — one partition for a whole send(), the next send() moves on (round robin).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with seed 0x9747b28c; returns a signed 32-bit int like Java. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The last 1-3 bytes (Java's switch with fall-through).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2]! << 16;
    if (rest >= 2) h ^= data[tail + 1]! << 8;
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition the Java client picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * Chooses partitions for the records of one send() call. Keyed records hash; null-key records of one
 * call stick to one partition per topic, and each call moves on to the next partition.
 */
export class DefaultPartitioner {
  private readonly next = new Map<string, number>();

  /** Call once per send() with the topics it touches, then `partition()` per record. */
  beginSend(): Map<string, number> {
    return new Map();
  }

  partition(topic: string, key: Uint8Array | null, numPartitions: number, sticky: Map<string, number>): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    let p = sticky.get(topic);
    if (p === undefined || p >= numPartitions) {
      const n = this.next.get(topic) ?? Math.floor(Math.random() * numPartitions);
      p = n % numPartitions;
      this.next.set(topic, p + 1);
      sticky.set(topic, p);
    }
    return p;
  }
}
