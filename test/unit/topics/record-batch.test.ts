import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFrame,
  crc32,
  decodeRecords,
  encodeBatches,
  readInt64,
  writeInt64,
  type DecodedRecord,
  type EncodableRecord,
} from '../../../src/connect/topics/embedded/record-batch.js';
import { SparseIndex } from '../../../src/connect/topics/embedded/sparse-index.js';

const records: EncodableRecord[] = [
  { key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'ünï', value: Buffer.from([0, 255]) }, { key: 'n', value: null }], timestamp: 1 },
  { key: null, value: null, headers: undefined, timestamp: -1 },
  { key: Buffer.alloc(0), value: Buffer.alloc(3000, 7), headers: [], timestamp: 2 ** 52 + 5 },
];

function decodeAll(buf: Buffer, from = 0): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const c = checkFrame(buf, pos, buf.length);
    assert.equal(c.kind, 'ok');
    if (c.kind !== 'ok') break;
    decodeRecords(buf, pos, c.header, from, (r) => (out.push(r), true));
    pos += c.header.size;
  }
  return out;
}

describe('record batch format', () => {
  test('int64 helpers keep negative and large safe integers', () => {
    const b = Buffer.alloc(8);
    for (const n of [0, -1, 1, 2 ** 53 - 1, -(2 ** 40), 1700000000123]) {
      writeInt64(b, 0, n);
      assert.equal(readInt64(b, 0), n);
      assert.equal(b.readBigInt64LE(0), BigInt(n));
    }
  });

  test('CRC-32 matches the standard check value', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  test('round trip of keys, values, headers, timestamps, offsets', () => {
    const batches = encodeBatches(records, 100);
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.maxTimestamp, 2 ** 52 + 5);
    const out = decodeAll(batches[0]!.buffer);
    assert.deepEqual(
      out.map((r) => r.offset),
      [100, 101, 102],
    );
    assert.deepEqual(out[0]!.key, Buffer.from('k'));
    assert.deepEqual(out[0]!.headers, [{ key: 'ünï', value: Buffer.from([0, 255]) }, { key: 'n', value: null }]);
    assert.equal(out[1]!.key, null);
    assert.equal(out[1]!.value, null);
    assert.equal(out[1]!.timestamp, -1);
    assert.deepEqual(out[2]!.key, Buffer.alloc(0));
    assert.deepEqual(out[2]!.value, Buffer.alloc(3000, 7));
    assert.equal(out[2]!.timestamp, 2 ** 52 + 5);
    assert.deepEqual(decodeAll(batches[0]!.buffer, 102).map((r) => r.offset), [102]);
  });

  test('records are cut into batches near the target size, with consecutive offsets', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ key: null, value: Buffer.alloc(100, i), headers: undefined, timestamp: i }));
    const batches = encodeBatches(many, 0, 1024);
    assert.ok(batches.length > 5);
    for (const b of batches) assert.ok(b.buffer.length <= 1024);
    const all = decodeAll(Buffer.concat(batches.map((b) => b.buffer)));
    assert.deepEqual(all.map((r) => r.offset), Array.from({ length: 50 }, (_, i) => i));
  });

  test('a flipped bit, a short frame and a silly length are detected', () => {
    const buf = encodeBatches(records, 0)[0]!.buffer;
    const bad = Buffer.from(buf);
    bad[bad.length - 10]! ^= 1;
    assert.deepEqual(checkFrame(bad, 0, bad.length), { kind: 'corrupt', reason: 'CRC mismatch' });
    assert.equal(checkFrame(buf, 0, buf.length - 1).kind, 'incomplete');
    assert.equal(checkFrame(buf, 0, 3).kind, 'incomplete');
    const zero = Buffer.alloc(64);
    assert.equal(checkFrame(zero, 0, zero.length).kind, 'corrupt');
  });
});

describe('sparse index', () => {
  test('floor lookup and a trailer that must match the log size', () => {
    const idx = new SparseIndex();
    for (let i = 0; i < 100; i++) idx.add(i * 10, i * 4096, i);
    assert.equal(idx.floorPosition(0), 0);
    assert.equal(idx.floorPosition(15), 4096);
    assert.equal(idx.floorPosition(10_000), 99 * 4096);
    const file = idx.serialize({ logSize: 500_000, nextOffset: 1000, maxTimestamp: 99 });
    const back = SparseIndex.parse(file, 500_000);
    assert.ok(back);
    assert.equal(back.trailer.nextOffset, 1000);
    assert.equal(back.index.floorPosition(15), 4096);
    assert.equal(SparseIndex.parse(file, 500_001), null);
    assert.equal(SparseIndex.parse(file.subarray(0, file.length - 1), 500_000), null);
  });
});
