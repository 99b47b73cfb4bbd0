/**
 * The kafkajs patch (patches/kafkajs+2.2.4.patch, applied by `npm ci` through patch-package): the faster
 * record encoding, CRC32C and grouping must produce exactly what kafkajs' own code does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const kafkajsSrc = require.resolve('kafkajs').replace(/index\.js$/, 'src/');
type Encoded = { buffer: Buffer };
const Record = require(`${kafkajsSrc}protocol/recordBatch/record/v0`) as (r: object) => Encoded;
const encodeRecords = require(`${kafkajsSrc}protocol/recordBatch/record/v0/encodeRecords`) as (a: object) => Buffer;
const crc32C = require(`${kafkajsSrc}protocol/recordBatch/crc32C/crc32C`) as (b: Buffer) => number;
const group = require(`${kafkajsSrc}producer/groupMessagesPerPartition`) as (a: object) => Record<string, unknown[]>;

interface Message {
  key: Buffer | string | null;
  value: Buffer | null;
  timestamp?: string;
  headers?: Record<string, Buffer | string | Buffer[]>;
}

function randomMessages(n: number): Message[] {
  const base = 1_700_000_000_000;
  return Array.from({ length: n }, (_, i) => ({
    key: i % 5 === 0 ? null : i % 2 ? randomBytes(i % 300) : `k${i}`,
    value: i % 7 === 0 ? null : randomBytes((i * 37) % 3000),
    timestamp: i % 9 === 0 ? undefined : String(base + ((i * 7919) % 100_000)),
    headers: i % 3 === 0 ? { a: randomBytes(4), 'h\u00e9': [Buffer.from('x'), Buffer.alloc(0)], s: 'text' } : undefined,
  }));
}

test('patched record encoding equals kafkajs Record v0 encoding, record by record', () => {
  const messages = randomMessages(400);
  const dateNow = 1_700_000_050_000;
  const first = Math.min(...messages.filter((m) => m.timestamp).map((m) => Number(m.timestamp)));
  const expected = Buffer.concat(
    messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: Number(m.timestamp || dateNow) - first }).buffer),
  );
  assert.deepEqual(encodeRecords({ messages, firstTimestamp: first, dateNow }), expected);
});

test('patched CRC32C: the check value and agreement with the byte-at-a-time table', () => {
  assert.equal(crc32C(Buffer.from('123456789')).toString(16), 'e3069283');
  // Byte-at-a-time CRC32C (reflected polynomial 0x82F63B78) for comparison.
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  for (const len of [0, 1, 7, 8, 9, 63, 1000, 4099]) {
    const b = randomBytes(len);
    let crc = 0xffffffff;
    for (const x of b) crc = table[(crc ^ x) & 0xff]! ^ (crc >>> 8);
    assert.equal(crc32C(b), (crc ^ 0xffffffff) >>> 0, `length ${len}`);
  }
});

test('patched grouping keeps message order per partition', () => {
  const messages = Array.from({ length: 1000 }, (_, i) => ({ i }));
  const out = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }: { message: { i: number } }) => message.i % 3 });
  assert.deepEqual(Object.keys(out).sort(), ['0', '1', '2']);
  assert.deepEqual((out['1'] as { i: number }[]).map((m) => m.i).slice(0, 4), [1, 4, 7, 10]);
  assert.equal(out['2']!.length, 333);
});
