/**
 * The two update rules, step by step, against values computed by hand from the published formulas
 * (performance-anchors §4): n' = a·n + m, c' = (a·n·c + Σx) / (a·n + m), Spark's dying-cluster split.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceMeasure, findClosest } from '../../../ml-sinks/kmeans/distance.js';
import { FlinkOnlineKMeans } from '../../../ml-sinks/kmeans/flink.js';
import { KMeansModel } from '../../../ml-sinks/kmeans/model.js';
import { SparkStreamingKMeans, decayFromHalfLife } from '../../../ml-sinks/kmeans/spark.js';

const euclid = distanceMeasure('euclidean');

function close(actual: ArrayLike<number>, expected: number[], eps = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= eps, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

function flat(points: number[][]): Float64Array {
  return Float64Array.from(points.flat());
}

describe('Flink OnlineKMeans update rule', () => {
  test('two global batches with decay 0.5, then a partial batch that waits', () => {
    const model = KMeansModel.of([[0, 0], [10, 10]], [1, 1]);
    const km = new FlinkOnlineKMeans({ globalBatchSize: 3, decayFactor: 0.5, distance: euclid }, model);

    // Batch 1: (1,1),(2,0) -> cluster 0 (m=2, Σ=(3,1)); (9,9) -> cluster 1 (m=1, Σ=(9,9)).
    assert.equal(km.train([1, 1]), null);
    assert.equal(km.train([2, 0]), null);
    const u1 = km.train([9, 9]);
    assert.deepEqual(u1, { version: 1, counts: [2, 1] });
    // w = 0.5·(1,1); w0 = 0.5+2 = 2.5, c0 = (0.5·0 + (3,1)) / 2.5 = (1.2, 0.4)
    // w1 = 0.5+1 = 1.5, c1 = (0.5·10 + 9) / 1.5 = 9.3333…
    close(model.weights, [2.5, 1.5]);
    close(model.centroids, [1.2, 0.4, 14 / 1.5, 14 / 1.5]);

    // Batch 2: (0,4) -> 0; (8,8), (10,12) -> 1.
    km.train([0, 4]);
    km.train([8, 8]);
    const u2 = km.train([10, 12]);
    assert.deepEqual(u2, { version: 2, counts: [1, 2] });
    // w = 0.5·(2.5,1.5) = (1.25, 0.75); w0 = 2.25, c0 = (1.25·(1.2,0.4) + (0,4)) / 2.25 = (1.5, 4.5)/2.25
    // w1 = 2.75, c1 = (0.75·9.333… + (18,20)) / 2.75 = (25, 27)/2.75
    close(model.weights, [2.25, 2.75]);
    close(model.centroids, [1.5 / 2.25, 4.5 / 2.25, 25 / 2.75, 27 / 2.75]);

    // Two more points: not a full batch, the model stays at version 2.
    assert.equal(km.train([1, 1]), null);
    assert.equal(km.train([2, 2]), null);
    assert.equal(model.version, 2);
    assert.deepEqual(km.pending(), [[1, 1], [2, 2]]);
  });

  test('decay 0 (the default): each updated centroid is the mean of its batch points; empty clusters keep theirs', () => {
    const model = KMeansModel.of([[0, 0], [10, 10], [100, 100]], [5, 5, 5]);
    const km = new FlinkOnlineKMeans({ globalBatchSize: 4, decayFactor: 0, distance: euclid }, model);
    for (const p of [[1, 2], [3, 4], [9, 11], [11, 9]]) km.train(p);
    close(model.centroids, [2, 3, 10, 10, 100, 100]);
    // w = 0·w + m: the empty cluster's weight decays to 0, its centroid stays.
    close(model.weights, [2, 2, 0]);
  });

  test('restoring a partial batch continues exactly where it stopped', () => {
    const a = new FlinkOnlineKMeans({ globalBatchSize: 3, decayFactor: 1, distance: euclid }, KMeansModel.of([[0, 0], [5, 5]]));
    const pts = [[1, 0], [0, 1], [6, 5], [4, 4], [5, 6], [0, 0]];
    for (const p of pts.slice(0, 4)) a.train(p);
    const b = new FlinkOnlineKMeans({ globalBatchSize: 3, decayFactor: 1, distance: euclid }, a.model.clone());
    b.restorePending(a.pending());
    for (const p of pts.slice(4)) {
      a.train(p);
      b.train(p);
    }
    assert.deepEqual(Array.from(b.model.centroids), Array.from(a.model.centroids));
    assert.equal(b.model.version, 2);
  });
});

describe('Spark StreamingKMeans update rule', () => {
  test('decay factor per batch: same net rule as Flink for one batch', () => {
    const model = KMeansModel.of([[0, 0], [10, 10]], [1, 1]);
    const km = new SparkStreamingKMeans({ decayFactor: 0.5, timeUnit: 'batches', distance: euclid }, model);
    const u = km.update(flat([[1, 1], [2, 0], [9, 9]]), 3);
    assert.equal(u.discount, 0.5);
    assert.deepEqual(u.counts, [2, 1]);
    assert.equal(u.split, null);
    close(model.weights, [2.5, 1.5]);
    close(model.centroids, [1.2, 0.4, 14 / 1.5, 14 / 1.5]);
    assert.equal(model.version, 1);
  });

  test('timeUnit points: discount = a^(points in the batch)', () => {
    const model = KMeansModel.of([[0, 0], [10, 10]], [1, 1]);
    const km = new SparkStreamingKMeans({ decayFactor: 0.5, timeUnit: 'points', distance: euclid }, model);
    const u = km.update(flat([[1, 1], [2, 0], [9, 9]]), 3);
    assert.equal(u.discount, 0.125);
    // w = (0.125, 0.125); w0 = 2.125, c0 = (3,1)/2.125; w1 = 1.125, c1 = (0.125·10 + 9)/1.125
    close(model.weights, [2.125, 1.125]);
    close(model.centroids, [3 / 2.125, 1 / 2.125, 10.25 / 1.125, 10.25 / 1.125]);
  });

  test('half-life: a = exp(ln 0.5 / h); after h batches a weight is halved', () => {
    const a = decayFromHalfLife(2);
    assert.ok(Math.abs(a - Math.SQRT1_2) < 1e-15);
    const model = KMeansModel.of([[0], [10]], [8, 8]);
    const km = new SparkStreamingKMeans({ decayFactor: a, timeUnit: 'batches', distance: euclid }, model);
    km.update(new Float64Array(0), 0);
    km.update(new Float64Array(0), 0);
    close(model.weights, [4, 4], 1e-12);
  });

  test('dying cluster: the largest is split in two, on a batch with points and on an empty one', () => {
    const model = KMeansModel.of([[6, 3], [6, 4], [6, 5]], [0, 0, 0]);
    const km = new SparkStreamingKMeans({ decayFactor: 1, timeUnit: 'batches', distance: euclid }, model);

    // One point (5,3), closest to c0. w = (1,0,0), c0 = (5,3). min 0 < 1e-8·1: split the largest (0) with
    // the first smallest (1): both weigh 0.5, c0 = x + 1e-14·max(|x|,1), c1 = x − 1e-14·max(|x|,1).
    const u1 = km.update(flat([[5, 3]]), 1);
    assert.deepEqual(u1.split, { smallest: 1, largest: 0 });
    close(model.weights, [0.5, 0.5, 0], 0);
    assert.deepEqual(Array.from(model.centroids), [5 + 5e-14, 3 + 3e-14, 5 - 5e-14, 3 - 3e-14, 6, 5]);

    // An empty batch: weights (0.5, 0.5, 0); largest = first maximum (0), smallest = 2.
    const x0 = 5 + 5e-14;
    const y0 = 3 + 3e-14;
    const u2 = km.update(new Float64Array(0), 0);
    assert.deepEqual(u2.split, { smallest: 2, largest: 0 });
    close(model.weights, [0.25, 0.5, 0.25], 0);
    assert.deepEqual(Array.from(model.centroids), [
      x0 + 1e-14 * x0, y0 + 1e-14 * y0,
      5 - 5e-14, 3 - 3e-14,
      x0 - 1e-14 * x0, y0 - 1e-14 * y0,
    ]);
    // All three centres are now near-identical copies of the one point (the Spark demo's odd numbering).
    for (let i = 0; i < 3; i++) close(model.centroid(i), [5, 3], 1e-12);

    // No more dying clusters once weights are within 1e8 of each other: a batch of 4 points.
    const u3 = km.update(flat([[7, 7], [7, 7], [1, 1], [1, 1]]), 4);
    assert.equal(u3.split, null);
    assert.equal(model.version, 3);
  });
});

describe('distances', () => {
  test('euclidean, manhattan and cosine; ties go to the lowest index', () => {
    const a = [1, 2];
    const b = [4, 6];
    assert.equal(distanceMeasure('euclidean').distance(a, 0, b, 0, 2), 5);
    assert.equal(distanceMeasure('manhattan').distance(a, 0, b, 0, 2), 7);
    assert.ok(Math.abs(distanceMeasure('cosine').distance([1, 0], 0, [0, 3], 0, 2) - 1) < 1e-15);
    assert.ok(Math.abs(distanceMeasure('cosine').distance([1, 1], 0, [2, 2], 0, 2)) < 1e-15);
    assert.equal(distanceMeasure('cosine').distance([0, 0], 0, [2, 2], 0, 2), 1);
    const centroids = Float64Array.from([0, 0, 2, 0]);
    assert.equal(findClosest(centroids, 2, 2, [1, 0], 0, euclid), 0);
    assert.equal(findClosest(centroids, 2, 2, [1.5, 0], 0, euclid), 1);
    assert.throws(() => distanceMeasure('hamming'));
  });
});
