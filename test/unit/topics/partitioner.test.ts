import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultPartitioner, murmur2, partitionForKey, toPositive } from '../../../src/connect/topics/partitioner.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('murmur2 (Kafka Utils.murmur2)', () => {
  // Reference values of Kafka's UtilsTest.testMurmur2 (the JVM client). kafkajs's own murmur2.spec.js
  // vectors do not match Java for short keys (its hash multiplies in floating point), so they are not used.
  const vectors: [Uint8Array, number][] = [
    [utf8('21'), -973932308],
    [utf8('foobar'), -790332482],
    [Uint8Array.from([12, 42, 56, 24, 109, 111]), 274204207],
    [utf8('a-little-bit-long-string'), -985981536],
    [utf8('a-little-bit-longer-string'), -1486304829],
    [utf8('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [utf8('abc'), 479470107],
  ];
  for (const [input, expected] of vectors) {
    test(`murmur2(${JSON.stringify(Buffer.from(input).toString('latin1'))}) = ${expected}`, () => {
      assert.equal(murmur2(input), expected);
    });
  }

  test('toPositive masks the sign bit instead of negating', () => {
    assert.equal(toPositive(-1), 0x7fffffff);
    assert.equal(toPositive(-973932308), 1173551340);
    assert.equal(toPositive(123), 123);
  });

  test('keyed partition is toPositive(murmur2(key)) % n', () => {
    assert.equal(partitionForKey(utf8('21'), 7), 1173551340 % 7);
    assert.equal(partitionForKey(utf8('foobar'), 6), 1357151166 % 6);
    assert.equal(partitionForKey(utf8('abc'), 7), 479470107 % 7);
  });
});

describe('DefaultPartitioner', () => {
  test('null keys stick to one partition per send and move on with the next send', () => {
    const p = new DefaultPartitioner();
    const first = p.beginSend();
    const a = p.partition('t', null, 4, first);
    for (let i = 0; i < 10; i++) assert.equal(p.partition('t', null, 4, first), a);
    const b = p.partition('t', null, 4, p.beginSend());
    assert.equal(b, (a + 1) % 4);
    assert.equal(p.partition('t', utf8('21'), 7, p.beginSend()), 1173551340 % 7);
  });
});
