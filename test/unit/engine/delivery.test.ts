import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Schema, SchemaBuilder, SourceRecord, Struct } from '../../../src/connect/data/index.js';
import { SubmittedRecords } from '../../../src/connect/runtime/submitted-records.js';
import { MemoryOffsetStore } from '../../../src/connect/storage/offset-store.js';
import { PreparedBatch } from '../../../src/engine/batch.js';
import { dispatch, laneOf } from '../../../src/engine/dispatch.js';
import { OffsetFlusher } from '../../../src/engine/offset-flusher.js';
import { pino } from 'pino';

const KEY = SchemaBuilder.struct().name('k').field('id', Schema.INT32_SCHEMA).build();
const partition = { server: 's' };

function record(pos: number, key: number): SourceRecord {
  return new SourceRecord({
    topic: 't', kafkaPartition: null, keySchema: KEY, key: new Struct(KEY).put('id', key), valueSchema: Schema.INT32_SCHEMA, value: pos,
    timestamp: null, sourcePartition: partition, sourceOffset: { pos },
  });
}

function batchOf(submitted: SubmittedRecords, keys: number[], processed: SourceRecord[] = []): PreparedBatch<SourceRecord> {
  const b = new PreparedBatch<SourceRecord>(submitted, (r) => processed.push(r));
  keys.forEach((k, i) => {
    const r = record(i + 1, k);
    b.add(r, r, r, submitted.submit(r.sourcePartition, r.sourceOffset));
  });
  b.seal();
  return b;
}

const committedPos = (submitted: SubmittedRecords): unknown => submitted.committable().get('["c",{"server":"s"}]')?.offset.pos;

describe('committer', () => {
  test('an offset is committable only when its record and every earlier one are marked', () => {
    const submitted = new SubmittedRecords('c');
    const processed: SourceRecord[] = [];
    const b = batchOf(submitted, [1, 2, 3, 4], processed);
    const c = b.committer();
    c.markProcessed(b.events[1]!);
    c.markProcessed(b.events[3]!);
    assert.equal(committedPos(submitted), undefined, 'record 1 is not marked yet');
    c.markProcessed(b.events[0]!);
    assert.equal(committedPos(submitted), 2);
    assert.deepEqual(b.unmarked().map((r) => r.value), [3]);
    c.markBatchFinished();
    assert.equal(committedPos(submitted), 4);
    assert.deepEqual(processed.map((r) => r.value), [2, 4, 1, 3], 'commitRecord once per record');
    assert.throws(() => c.markProcessed(record(9, 9)), /not part of this batch/);
  });

  test('the flusher stores offsets before telling the task, and keeps failed writes for the next flush', async () => {
    const submitted = new SubmittedRecords('c');
    const order: string[] = [];
    let failNext = true;
    const store = new (class extends MemoryOffsetStore {
      override async set(entries: Map<string, string | null>): Promise<void> {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        order.push('stored ' + [...entries.values()].join());
        await super.set(entries);
      }
    })();
    const flusher = new OffsetFlusher(submitted, store, 1000, (c) => void order.push('task.commit ' + JSON.stringify(c.map((o) => o.offset))), pino({ level: 'silent' }));
    const b = batchOf(submitted, [1, 2]);
    b.markIndex(0);
    await assert.rejects(flusher.flush(), /disk full/);
    assert.deepEqual(order, []);
    b.markIndex(1);
    await flusher.flush();
    assert.deepEqual(order, ['stored {"pos":2}', 'task.commit [{"pos":2}]']);
    await flusher.flush();
    assert.equal(order.length, 2, 'nothing new: no write, no commit');
  });
});

describe('dispatch', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('ORDERED: per-key source order with overlapping calls; UNORDERED: everything once', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => i % 5);
    for (const ordered of [true, false]) {
      const submitted = new SubmittedRecords('c');
      const b = batchOf(submitted, keys);
      const seen = new Map<number, number[]>();
      let inFlight = 0;
      let max = 0;
      await dispatch(b, { lanes: 3, ordered }, async (r) => {
        inFlight++;
        max = Math.max(max, inFlight);
        await sleep(Math.floor(Math.random() * 3));
        const k = (r.key as Struct).get('id') as number;
        seen.set(k, [...(seen.get(k) ?? []), r.value as number]);
        inFlight--;
      }, () => false);
      assert.ok(max > 1 && max <= 3, `overlap within the lane count (max ${max})`);
      assert.equal(b.pending, 0);
      assert.equal(committedPos(submitted), 60);
      for (const [k, values] of seen) {
        const expected = keys.map((kk, i) => (kk === k ? i + 1 : -1)).filter((v) => v > 0);
        assert.deepEqual(ordered ? values : [...values].sort((a, c) => a - c), expected);
      }
    }
  });

  test('a failure stops the lanes: the failed record and those after it stay unmarked', async () => {
    const submitted = new SubmittedRecords('c');
    const b = batchOf(submitted, [1, 1, 1, 1, 1]);
    await assert.rejects(dispatch(b, { lanes: 1, ordered: true }, async (r) => {
      if (r.value === 3) throw new Error('boom');
    }, () => false), /boom/);
    assert.deepEqual(b.unmarked().map((r) => r.value), [3, 4, 5]);
    assert.equal(committedPos(submitted), 2);
  });

  test('records with equal keys share a lane', () => {
    assert.equal(laneOf(record(1, 42), 7), laneOf(record(2, 42), 7));
    const lanes = new Set(Array.from({ length: 50 }, (_, i) => laneOf(record(i, i), 4)));
    assert.equal(lanes.size, 4, 'keys spread over every lane');
  });
});
