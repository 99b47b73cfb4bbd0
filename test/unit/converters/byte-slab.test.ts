import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteSlab } from '../../../src/converters/byte-slab.js';
import { quoteJson } from '../../../src/converters/json-writer.js';

test('each write is its own view with prefix, UTF-8 text and suffix; later writes never touch earlier ones', () => {
  const slab = new ByteSlab();
  const prefix = Buffer.from('{"schema":null,"payload":');
  const outs: Buffer[] = [];
  const texts: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = `"row ${i} \u00e9\u4e2d\ud83d\ude00"`;
    texts.push(t);
    outs.push(slab.write(prefix, t, 125));
  }
  outs.forEach((b, i) => assert.equal(b.toString('utf8'), '{"schema":null,"payload":' + texts[i] + '}'));
  assert.equal(slab.write(null, 'plain').toString(), 'plain');
});

test('a record larger than a slab share gets an exact buffer of its own', () => {
  const slab = new ByteSlab();
  const big = 'x'.repeat(100_000) + '\u00e9';
  const b = slab.write(Buffer.from('['), big, 93);
  assert.equal(b.length, 1 + 100_001 + 1 + 1);
  assert.equal(b.byteOffset, 0);
  assert.equal(b.buffer.byteLength >= b.length, true);
  assert.equal(b.toString('utf8'), '[' + big + ']');
});

test('quoteJson: plain strings skip JSON.stringify; escapes are unchanged', () => {
  assert.equal(quoteJson('plain text é 中'), '"plain text é 中"');
  assert.equal(quoteJson('a"b\\c\n\u0001'), '"a\\"b\\\\c\\n\\u0001"');
  assert.equal(quoteJson('\ud83d\ude00'), '"\ud83d\ude00"');
  assert.equal(quoteJson('lone \ud800'), '"lone \\uD800"'); // as before: the escaping path upper-cases hex
  assert.equal(quoteJson(''), '""');
});
