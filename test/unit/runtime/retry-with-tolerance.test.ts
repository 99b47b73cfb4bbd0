import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataException, RetriableException } from '../../../src/connect/errors.js';
import {
  type ProcessingContext,
  RetryNeeded,
  RetryWithToleranceOperator,
  SKIP,
  ToleranceExceededError,
} from '../../../src/connect/runtime/errors/retry-with-tolerance.js';

const noSleep = async () => {};

test('errors.tolerance=none fails with Kafka\'s message and the cause', () => {
  const op = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 60000, tolerance: 'none' });
  assert.throws(
    () => op.run('VALUE_CONVERTER', 'X', () => { throw new DataException('bad'); }),
    (e: unknown) => e instanceof ToleranceExceededError && e.message === 'Tolerance exceeded in error handler' && (e.cause as Error).message === 'bad',
  );
});

test('errors.tolerance=all skips the record and reports it', async () => {
  const reports: ProcessingContext[] = [];
  const op = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 60000, tolerance: 'all' }, [
    { report: async (c) => { reports.push(c); } },
  ]);
  assert.equal(op.run('TRANSFORMATION', 'T', () => { throw new DataException('x'); }), SKIP);
  assert.equal(op.run('TRANSFORMATION', 'T', () => 42), 42);
  await op.flushReports();
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.stage, 'TRANSFORMATION');
  assert.equal(op.toleratedFailures, 1);
});

test('retriable errors are retried until they succeed, and signal RetryNeeded on the synchronous path', async () => {
  const op = new RetryWithToleranceOperator({ retryTimeoutMs: 10_000, retryDelayMaxMs: 1000, tolerance: 'none' }, [], noSleep);
  assert.throws(() => op.run('KEY_CONVERTER', 'C', () => { throw new RetriableException('later'); }), RetryNeeded);
  let calls = 0;
  const out = await op.runAsync('TASK_PUT', 'S', () => {
    if (++calls < 3) throw new RetriableException('not yet');
    return 'ok';
  });
  assert.equal(out, 'ok');
  assert.equal(calls, 3);
});

test('retries stop at errors.retry.timeout', async () => {
  const op = new RetryWithToleranceOperator({ retryTimeoutMs: 1, retryDelayMaxMs: 1, tolerance: 'all' }, [], (ms) => new Promise((r) => setTimeout(r, ms + 2)));
  const out = await op.runAsync('TASK_PUT', 'S', () => { throw new RetriableException('never'); });
  assert.equal(out, SKIP);
});
