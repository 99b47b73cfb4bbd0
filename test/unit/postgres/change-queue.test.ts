import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceRecord } from '../../../src/connect/data/index.js';
import { ChangeQueue } from '../../../src/connectors/postgres/change-queue.js';

const rec = (i: number) =>
  new SourceRecord({ topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: i, timestamp: null, sourcePartition: null, sourceOffset: null });

test('max.queue.size.in.bytes: the queue is full by bytes before it is full by records, and frees on take', async () => {
  const q = new ChangeQueue(100, 10, 1000);
  q.push([rec(1), rec(2)], 600);
  assert.equal(q.full, false);
  q.push([rec(3)], 500);
  assert.equal(q.full, true);
  assert.equal(q.sizeInBytes, 1100);
  let resumed = false;
  const wait = q.waitForSpace().then(() => (resumed = true));
  const batch = await q.take(0);
  assert.deepEqual(batch.map((r) => r.value), [1, 2, 3]);
  assert.equal(q.sizeInBytes, 0);
  await wait;
  assert.equal(resumed, true);
});

test('without a byte bound only max.queue.size counts, in batches of max.batch.size', async () => {
  const q = new ChangeQueue(3, 2);
  q.pushAll([rec(1), rec(2)], 1e9);
  assert.equal(q.full, false);
  q.push([rec(3)]);
  assert.equal(q.full, true);
  assert.deepEqual((await q.take(0)).map((r) => r.value), [1, 2]);
  assert.deepEqual((await q.take(0)).map((r) => r.value), [3]);
  assert.deepEqual(await q.take(0), []);
});

test('a producer with a lower fill limit (the stream) waits until the queue is below it; max.queue.size still bounds', async () => {
  const q = new ChangeQueue(10, 3);
  q.pushAll([rec(1), rec(2), rec(3), rec(4)]);
  assert.equal(q.fullAt(4), true);
  assert.equal(q.fullAt(5), false);
  assert.equal(q.fullAt(50), false, 'a limit above max.queue.size is max.queue.size');
  assert.equal(q.full, false);
  let streamResumed = false;
  const stream = q.waitForSpace(4).then(() => (streamResumed = true));
  let snapshotResumed = false;
  q.pushAll([rec(5), rec(6), rec(7), rec(8), rec(9), rec(10)]);
  const snapshot = q.waitForSpace().then(() => (snapshotResumed = true));
  await q.take(0); // 7 left: below max.queue.size, not below the stream's 4
  await new Promise((r) => setImmediate(r));
  assert.equal(snapshotResumed, true);
  assert.equal(streamResumed, false);
  await q.take(0);
  await q.take(0); // 1 left
  await stream;
  await snapshot;
  assert.equal(streamResumed, true);
});
