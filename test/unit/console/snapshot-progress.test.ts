/** The console's snapshot progress line (ui/src/progress.ts): tables, rows of the estimate, rate and ETA. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotProgress } from '../../../ui/src/progress.js';

const point = (t: number, rows: number, remaining: number) => ({ t, TotalTableCount: 3, RemainingTableCount: remaining, SnapshotRowsScanned: rows, SnapshotRowsEstimated: 100_000 });

test('tables done, rows of the estimate, the rate over the last half minute and the ETA', () => {
  const text = snapshotProgress([point(0, 0, 3), point(10_000, 20_000, 2), point(20_000, 40_000, 2)]);
  assert.equal(text, '1 of 3 tables · 40,000 of ~100,000 rows · 2,000 rows/s · ETA 30 s');
});

test('no line once every table is done, or before the snapshot metrics exist', () => {
  assert.equal(snapshotProgress([point(0, 100_000, 0)]), null);
  assert.equal(snapshotProgress([{ t: 0, records: 5 }]), null);
  assert.equal(snapshotProgress([]), null);
});

test('past the estimate (it is only the planner\'s guess) the rows are shown without a total or ETA', () => {
  assert.equal(snapshotProgress([point(0, 90_000, 1), point(5000, 120_000, 1)]), '2 of 3 tables · 120,000 rows');
});
