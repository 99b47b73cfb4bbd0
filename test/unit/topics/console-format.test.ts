import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConsumedRecord } from '../../../src/connect/topics/console-format.js';
import type { ConsumedRecord } from '../../../src/connect/topics/types.js';

const rec = (over: Partial<ConsumedRecord> = {}): ConsumedRecord => ({
  topic: 't',
  partition: 2,
  offset: 41,
  timestamp: 1700000000000,
  timestampType: 'CreateTime',
  key: Buffer.from('k'),
  value: Buffer.from('{"a":1}'),
  headers: [],
  ...over,
});

describe('formatConsumedRecord (kafka-console-consumer)', () => {
  test('value only by default', () => {
    assert.equal(formatConsumedRecord(rec()), '{"a":1}');
  });
  test('print.key puts key TAB value; null key and value print null', () => {
    assert.equal(formatConsumedRecord(rec(), { printKey: true }), 'k\t{"a":1}');
    assert.equal(formatConsumedRecord(rec({ key: null, value: null }), { printKey: true }), 'null\tnull');
  });
  test('headers as k:v,k2:v2 then TAB, NO_HEADERS when none', () => {
    const headers = [
      { key: 'h1', value: Buffer.from('v1') },
      { key: 'h2', value: null },
    ];
    assert.equal(formatConsumedRecord(rec({ headers }), { printHeaders: true }), 'h1:v1,h2:null\t{"a":1}');
    assert.equal(formatConsumedRecord(rec(), { printHeaders: true, printKey: true }), 'NO_HEADERS\tk\t{"a":1}');
  });
  test('timestamp, partition, offset come first in that order; custom separator', () => {
    assert.equal(
      formatConsumedRecord(rec(), { printTimestamp: true, printPartition: true, printOffset: true, printKey: true, keySeparator: '|' }),
      'CreateTime:1700000000000|Partition:2|Offset:41|k|{"a":1}',
    );
  });
});
