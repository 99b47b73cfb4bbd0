/**
 * The worker's heap policy: TSCONNECT_HEAP_GROWING_PERCENT, else 50 on the embedded log and V8's heuristics (0) on
 * Kafka; a --heap-growing-percent given to node is left alone; bad values are refused with the variable's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEAP_GROWING_PERCENT, applyWorkerHeapPolicy } from '../../../src/connect/heap-policy.js';

test('heap growing percent: by backend, override, off, node flag wins, bad value refused', () => {
  const embedded = {};
  const kafka = { 'bootstrap.servers': 'b:9092' };
  assert.equal(applyWorkerHeapPolicy(embedded, {}, []), DEFAULT_HEAP_GROWING_PERCENT);
  assert.equal(applyWorkerHeapPolicy(kafka, {}, []), 0);
  assert.equal(applyWorkerHeapPolicy(kafka, { TSCONNECT_HEAP_GROWING_PERCENT: '80' }, []), 80);
  assert.equal(applyWorkerHeapPolicy(embedded, { TSCONNECT_HEAP_GROWING_PERCENT: '0' }, []), 0);
  assert.equal(applyWorkerHeapPolicy(embedded, { TSCONNECT_HEAP_GROWING_PERCENT: '80' }, ['--heap-growing-percent=20']), 0);
  assert.throws(() => applyWorkerHeapPolicy(embedded, { TSCONNECT_HEAP_GROWING_PERCENT: 'lots' }, []), /TSCONNECT_HEAP_GROWING_PERCENT/);
  assert.throws(() => applyWorkerHeapPolicy(embedded, { TSCONNECT_HEAP_GROWING_PERCENT: '-5' }, []), /TSCONNECT_HEAP_GROWING_PERCENT/);
  applyWorkerHeapPolicy(kafka, {}, []); // leave this test process with V8's own heuristics
});
