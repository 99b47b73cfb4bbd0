/**
 * Running a record handler over a batch with several calls in flight (`record.processing.threads`): "threads"
 * are concurrent handler calls on Node's event loop, which pay off when the handler waits on I/O.
 * - serial: one record at a time, in source order;
 * - ORDERED: records are spread over lanes by a hash of their key; each lane handles its records one after
 *   another, so records with the same key are handled in source order;
 * - UNORDERED: each free lane takes the next record.
 * A record is marked processed as soon as its handler call resolves. After a failure no lane starts another
 * record; the calls in flight finish and the first error is thrown.
 */
import type { SourceRecord } from '../connect/data/records.js';
import { JsonConverter } from '../converters/json-converter.js';
import type { PreparedBatch } from './batch.js';

export interface DispatchMode {
  lanes: number;
  ordered: boolean;
}

/** Handles one record (with retries) and resolves when it is done. */
export type RunOne<R> = (record: R) => Promise<void>;

export async function dispatch<R>(batch: PreparedBatch<R>, mode: DispatchMode, runOne: RunOne<R>, stopped: () => boolean): Promise<void> {
  const n = batch.size;
  let failure: { error: unknown } | null = null;
  const halted = (): boolean => failure !== null || stopped();
  const handle = async (i: number): Promise<void> => {
    try {
      await runOne(batch.events[i]!);
      batch.markIndex(i);
    } catch (e) {
      failure ??= { error: e };
    }
  };

  if (mode.lanes <= 1 || n <= 1) {
    for (let i = 0; i < n && !halted(); i++) await handle(i);
  } else if (mode.ordered) {
    const lanes: number[][] = Array.from({ length: Math.min(mode.lanes, n) }, () => []);
    for (let i = 0; i < n; i++) lanes[laneOf(batch.records[i]!, lanes.length)]!.push(i);
    await Promise.all(
      lanes.map(async (lane) => {
        for (const i of lane) {
          if (halted()) return;
          await handle(i);
        }
      }),
    );
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(mode.lanes, n) }, async () => {
        while (next < n && !halted()) await handle(next++);
      }),
    );
  }
  if (failure) throw (failure as { error: unknown }).error;
}

const keyWriter = new JsonConverter();
keyWriter.configure({ 'schemas.enable': 'false' }, true);

/** The lane of a record: FNV-1a of its key's JSON text (records without a key share lane 0). */
export function laneOf(record: SourceRecord, lanes: number): number {
  if (lanes <= 1 || record.key === null || record.key === undefined) return 0;
  const text = typeof record.key === 'string' ? record.key : keyWriter.fromConnectDataToString(record.keySchema, record.key) ?? '';
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}
