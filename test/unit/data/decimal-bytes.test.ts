import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bigintToTwosComplement, twosComplementToBigint } from '../../../src/connect/data/logical.js';

/** Java's BigInteger.toByteArray, spelled out on bigints (the reference for both code paths). */
function javaBytes(n: bigint): string {
  let len = 1;
  while (n >= 1n << BigInt(8 * len - 1) || n < -(1n << BigInt(8 * len - 1))) len++;
  const mod = ((n % (1n << BigInt(8 * len))) + (1n << BigInt(8 * len))) % (1n << BigInt(8 * len));
  return mod.toString(16).padStart(2 * len, '0');
}

test('two\'s complement bytes are minimal, like BigInteger.toByteArray, around every length boundary', () => {
  const values: bigint[] = [0n, 1n, -1n];
  for (let bits = 7n; bits <= 70n; bits++) {
    for (const d of [-1n, 0n, 1n]) values.push((1n << bits) + d, -(1n << bits) + d);
  }
  for (const v of values) {
    const bytes = bigintToTwosComplement(v);
    assert.equal(Buffer.from(bytes).toString('hex'), javaBytes(v), `value ${v}`);
    assert.equal(twosComplementToBigint(bytes), v);
  }
});
