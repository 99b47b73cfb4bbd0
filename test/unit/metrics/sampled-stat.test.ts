import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StateTimer, WindowedRatio, WindowedStat } from '../../../src/connect/metrics/sampled-stat.js';

const W = { windowMs: 30_000, samples: 2 };

describe('WindowedStat (Kafka SampledStat semantics)', () => {
  test('a rate never divides by less than samples-1 full windows', () => {
    const s = new WindowedStat(W);
    s.record(300, 0);
    // 1 s after the first record: 300 records over at least one full window (30 s) plus the elapsed second.
    assert.equal(s.rate(1000), 300 / 31);
  });

  test('after more than one window the rate covers the real elapsed time', () => {
    const s = new WindowedStat(W);
    s.record(100, 0);
    s.record(100, 40_000); // opens the second window
    assert.equal(s.rate(50_000), 200 / 50);
  });

  test('values older than all windows together are forgotten', () => {
    const s = new WindowedStat(W);
    s.record(100, 0);
    s.record(50, 40_000);
    // At 61 s the first window (started at 0) is older than 2 x 30 s: only the 50 remain.
    assert.equal(s.total(61_000), 50);
    // 21 s since that window opened, plus the one full window a rate always assumes.
    assert.equal(s.rate(61_000), 50 / 51);
    // Long after, nothing is left and the rate is 0.
    assert.equal(s.rate(1_000_000), 0);
  });

  test('avg and max over the live windows; NaN when empty (as Kafka)', () => {
    const s = new WindowedStat(W);
    assert.ok(Number.isNaN(s.avg(0)));
    assert.ok(Number.isNaN(s.maxValue(0)));
    s.record(10, 0);
    s.record(30, 1000);
    s.record(20, 35_000);
    assert.equal(s.avg(36_000), 20);
    assert.equal(s.maxValue(36_000), 30);
    assert.equal(s.occurrences(36_000), 3);
    // The first window expires at 60 s: only 20 remains.
    assert.equal(s.maxValue(61_000), 20);
    assert.equal(s.countRate(61_000), 1 / (26 + 30));
  });
});

describe('WindowedRatio and StateTimer', () => {
  test('success and failure fractions of the attempts in the window', () => {
    const r = new WindowedRatio(W);
    assert.equal(r.successRatio(0), 0);
    r.record(true, 0);
    r.record(true, 10);
    r.record(false, 20);
    r.record(true, 30);
    assert.equal(r.successRatio(40), 0.75);
    assert.equal(r.failureRatio(40), 0.25);
  });

  test('time fractions per state since the start', () => {
    const t = new StateTimer<'running' | 'paused'>('running', 0);
    t.change('paused', 3000);
    t.change('running', 4000);
    assert.equal(t.ratio('running', 10_000), 0.9);
    assert.equal(t.ratio('paused', 10_000), 0.1);
  });
});
