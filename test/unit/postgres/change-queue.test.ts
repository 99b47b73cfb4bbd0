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
