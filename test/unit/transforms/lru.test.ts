import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from '../../../src/transforms/util/lru.js';

test('LruCache evicts the least recently used entry, counting reads as use', () => {
  const c = new LruCache<string, number>(3);
  c.set('a', 1);
  c.set('b', 2);
  c.set('c', 3);
  assert.equal(c.get('a'), 1); // a is now the most recently used; b the least
  c.set('d', 4);
  assert.equal(c.size, 3);
  assert.equal(c.get('b'), undefined);
  assert.deepEqual([c.get('a'), c.get('c'), c.get('d')], [1, 3, 4]);
  c.set('e', 5); // a was read before c and d: a goes
  assert.equal(c.get('a'), undefined);
  assert.deepEqual([c.get('c'), c.get('d'), c.get('e')], [3, 4, 5]);
});

test('LruCache: the remembered last entry never outlives eviction, replacement or clear', () => {
  const c = new LruCache<object, string>(1);
  const k1 = {};
  const k2 = {};
  c.set(k1, 'one');
  assert.equal(c.get(k1), 'one');
  c.set(k2, 'two'); // evicts k1, which was the last key looked up
  assert.equal(c.get(k1), undefined);
  assert.equal(c.get(k2), 'two');
  c.set(k2, 'TWO');
  assert.equal(c.get(k2), 'TWO');
  c.clear();
  assert.equal(c.get(k2), undefined);
  assert.equal(c.getOrCompute(k2, () => 'again'), 'again');
  assert.equal(c.get(k2), 'again');
});

test('LruCache of size 0 caches nothing', () => {
  const c = new LruCache<string, number>(0);
  c.set('a', 1);
  assert.equal(c.get('a'), undefined);
  assert.equal(c.size, 0);
});
