/**
 * Reads the tail of a topic for the console: the latest records of every partition, or the records whose
 * key contains a string within a bounded scan. It uses a throwaway consumer group (never committed, deleted
 * afterwards) that seeks each partition to where the wanted window starts, and stops at the end offsets
 * seen when the read began, so a busy topic does not keep it reading.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumedRecord, PartitionOffsets, TopicBackend, TopicPartition } from '../connect/topics/types.js';

export interface TailOptions {
  /** Records wanted per partition (the window each partition is read from). */
  perPartition: number;
  /** Keep a record? Default: all. */
  filter?: (record: ConsumedRecord) => boolean;
  /** Give up after this long and return what was read. Default 5 s. */
  timeoutMs?: number;
}

export interface TailResult {
  offsets: PartitionOffsets[];
  /** Newest first (by timestamp, then offset). */
  records: ConsumedRecord[];
  scanned: number;
  /** False when the timeout cut the read short. */
  complete: boolean;
}

export async function readTail(backend: TopicBackend, topic: string, options: TailOptions): Promise<TailResult> {
  const offsets = await backend.offsets(topic);
  const from = new Map<number, number>();
  const pending = new Set<number>();
  for (const p of offsets) {
    from.set(p.partition, Math.max(p.start, p.end - options.perPartition));
    if (p.end > from.get(p.partition)!) pending.add(p.partition);
  }
  const result: TailResult = { offsets, records: [], scanned: 0, complete: true };
  if (pending.size === 0) return result;

  const groupId = `__tsconnect-console-${randomUUID()}`;
  const consumer = backend.consumer(groupId, {
    clientId: 'tsconnect-console',
    properties: { 'max.poll.records': '2000', 'enable.auto.commit': 'false' },
  });
  const ends = new Map(offsets.map((p) => [p.partition, p.end]));
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  try {
    await consumer.subscribe([topic], {
      onPartitionsAssigned: (partitions: TopicPartition[]) => {
        for (const tp of partitions) consumer.seek(tp, from.get(tp.partition) ?? 0);
      },
      onPartitionsRevoked: () => undefined,
    });
    while (pending.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        result.complete = false;
        break;
      }
      for (const r of await consumer.poll(Math.min(200, left))) {
        const end = ends.get(r.partition) ?? 0;
        if (r.offset >= end) {
          pending.delete(r.partition);
          continue;
        }
        result.scanned++;
        if (!options.filter || options.filter(r)) result.records.push(r);
        if (r.offset >= end - 1) pending.delete(r.partition);
      }
    }
  } finally {
    await consumer.close().catch(() => undefined);
    await backend.deleteGroup(groupId).catch(() => undefined);
  }
  result.records.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset);
  return result;
}
