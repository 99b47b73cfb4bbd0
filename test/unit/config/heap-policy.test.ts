/**
 * The worker's heap policy: TSCONNECT_HEAP_GROWING_PERCENT (default 50), 0 or a --heap-growing-percent given to
 * node keeps V8's heuristics, bad values are refused with the variable's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEAP_GROWING_PERCENT, applyWorkerHeapPolicy } from '../../../src/connect/heap-policy.js';

test('heap growing percent: default, override, off, node flag wins, bad value refused', () => {
  assert.equal(applyWorkerHeapPolicy({}, []), DEFAULT_HEAP_GROWING_PERCENT);
  assert.equal(applyWorkerHeapPolicy({ TSCONNECT_HEAP_GROWING_PERCENT: '80' }, []), 80);
  assert.equal(applyWorkerHeapPolicy({ TSCONNECT_HEAP_GROWING_PERCENT: '0' }, []), 0);
  assert.equal(applyWorkerHeapPolicy({ TSCONNECT_HEAP_GROWING_PERCENT: '80' }, ['--heap-growing-percent=20']), 0);
  assert.throws(() => applyWorkerHeapPolicy({ TSCONNECT_HEAP_GROWING_PERCENT: 'lots' }, []), /TSCONNECT_HEAP_GROWING_PERCENT/);
  assert.throws(() => applyWorkerHeapPolicy({ TSCONNECT_HEAP_GROWING_PERCENT: '-5' }, []), /TSCONNECT_HEAP_GROWING_PERCENT/);
});
