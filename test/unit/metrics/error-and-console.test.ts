import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectMetrics } from '../../../src/connect/metrics/connect-metrics.js';
import { ErrorHandlingCounters } from '../../../src/connect/metrics/task-metrics.js';
import { RetryWithToleranceOperator, SKIP } from '../../../src/connect/runtime/errors/retry-with-tolerance.js';
import { RetriableException } from '../../../src/connect/errors.js';
import { debeziumGauges } from '../../../src/console/history.js';
import { SnapshotMetrics, StreamingMetrics, registerPostgresMetrics } from '../../../src/connectors/postgres/metrics.js';

describe('task-error-metrics counters', () => {
  test('failures, retries, errors and skipped records are counted by the error operator', async () => {
    const op = new RetryWithToleranceOperator({ retryTimeoutMs: 10_000, retryDelayMaxMs: 1, tolerance: 'all' }, [], async () => undefined);
    const m = new ErrorHandlingCounters();
    op.metrics = m;
    assert.equal(op.run('VALUE_CONVERTER', 'C', () => { throw new Error('bad'); }), SKIP);
    let attempts = 0;
    const out = await op.runAsync('TASK_PUT', 'T', () => {
      if (++attempts < 3) throw new RetriableException('later');
      return 'ok';
    });
    assert.equal(out, 'ok');
    assert.deepEqual(
      { failures: m.recordFailures, errors: m.recordErrors, skipped: m.recordsSkipped, retries: m.retries },
      { failures: 3, errors: 1, skipped: 1, retries: 2 },
    );
    assert.ok(m.lastErrorTimestamp > 0);
  });

  test('with errors.tolerance=none the error is counted and the task fails', () => {
    const op = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 1, tolerance: 'none' });
    const m = new ErrorHandlingCounters();
    op.metrics = m;
    assert.throws(() => op.run('TRANSFORMATION', 'X', () => { throw new Error('boom'); }), /Tolerance exceeded/);
    assert.equal(m.recordErrors, 1);
    assert.equal(m.recordsSkipped, 0);
  });
});

describe("the console's source series from the Debezium groups", () => {
  test('snapshot rows, tables and lag of the connector that owns the groups', () => {
    const metrics = new ConnectMetrics();
    const snapshot = new SnapshotMetrics();
    const streaming = new StreamingMetrics();
    registerPostgresMetrics(metrics.scoped({ connector: 'inv', task: 0 }), 'inv', snapshot, streaming, () => null);
    snapshot.started(['public.a', 'public.b']);
    snapshot.estimate('public.a', 10);
    snapshot.estimate('public.b', 20);
    snapshot.rows('public.a', 10, 10);
    snapshot.tableCompleted('public.a', 10);
    snapshot.rows('public.b', 5, 5);
    assert.deepEqual(debeziumGauges(metrics, 'inv'), {
      MilliSecondsBehindSource: null,
      TotalNumberOfEventsSeen: 0,
      SnapshotRowsScanned: 15,
      SnapshotRowsEstimated: 30,
      RemainingTableCount: 1,
      TotalTableCount: 2,
    });
    streaming.onMessage({ tag: 'begin', xid: 7, finalLsn: 100, commitTimeUs: Date.now() * 1000 - 50_000 }, 90);
    streaming.onMessage({ tag: 'insert', relationId: 1, newTuple: [] } as never, 95);
    streaming.onMessage({ tag: 'commit', flags: 0, commitLsn: 100, endLsn: 120, commitTimeUs: Date.now() * 1000 - 50_000 }, 100);
    const g = debeziumGauges(metrics, 'inv');
    assert.equal(g['TotalNumberOfEventsSeen'], 1);
    assert.ok(g['MilliSecondsBehindSource']! >= 50 && g['MilliSecondsBehindSource']! < 5000);
    assert.deepEqual(debeziumGauges(metrics, 'other'), {});
  });
});
