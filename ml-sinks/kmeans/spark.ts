/**
 * Apache Spark MLlib `StreamingKMeans` (`StreamingKMeansModel.update`), one call per micro-batch:
 *   1. assign every point of the batch to its closest centre; count mᵢ and sum sᵢ per cluster;
 *   2. discount = a for timeUnit "batches", a^(points in the batch) for "points";
 *   3. w ← discount · w                          (all clusters)
 *   4. for each cluster with mᵢ > 0:  wᵢ ← wᵢ + mᵢ;  λ = mᵢ / max(wᵢ, 1e-16);  cᵢ ← (1−λ)·cᵢ + (λ/mᵢ)·sᵢ
 *   5. dying clusters: with the first largest and first smallest weights, if min < 1e-8 · max, both get
 *      weight (max+min)/2, and per dimension x of the largest centre, p = 1e-14 · max(|x|, 1): the largest
 *      centre becomes x + p and the smallest x − p.
 * It runs on every batch, empty ones included (step 5 can still split). `a` comes from `decayFactor`, or
 * from `halfLife` h as exp(ln 0.5 / h).
 */
import type { DistanceMeasure } from './distance.js';
import { type KMeansModel, assignToClosest } from './model.js';

export type TimeUnit = 'batches' | 'points';

export interface SparkStreamingKMeansOptions {
  decayFactor: number;
  timeUnit: TimeUnit;
  distance: DistanceMeasure;
}

export interface SparkUpdate {
  version: number;
  discount: number;
  counts: number[];
  /** Set when a dying cluster was replaced by half of the largest one. */
  split: { smallest: number; largest: number } | null;
}

/** `setHalfLife(h, unit)`: the decay factor that halves a weight after h batches or points. */
export function decayFromHalfLife(halfLife: number): number {
  if (!(halfLife > 0)) throw new Error(`halfLife must be positive, got ${halfLife}`);
  return Math.exp(Math.log(0.5) / halfLife);
}

export function sparkUpdate(
  model: KMeansModel,
  points: Float64Array,
  n: number,
  decayFactor: number,
  timeUnit: TimeUnit,
  measure: DistanceMeasure,
): SparkUpdate {
  const { k, dim, centroids, weights } = model;
  const { counts, sums } = assignToClosest(model, points, n, measure);
  const discount = timeUnit === 'batches' ? decayFactor : Math.pow(decayFactor, n);
  for (let i = 0; i < k; i++) weights[i] *= discount;
  for (let i = 0; i < k; i++) {
    const m = counts[i]!;
    if (m === 0) continue;
    const updated = weights[i]! + m;
    const lambda = m / Math.max(updated, 1e-16);
    weights[i] = updated;
    const keep = 1 - lambda;
    const step = lambda / m;
    for (let j = 0; j < dim; j++) {
      const at = i * dim + j;
      centroids[at] = keep * centroids[at]! + step * sums[at]!;
    }
  }
  const split = splitDyingCluster(model);
  model.version++;
  return { version: model.version, discount, counts, split };
}

function splitDyingCluster(model: KMeansModel): SparkUpdate['split'] {
  const { k, dim, centroids, weights } = model;
  let largest = 0;
  let smallest = 0;
  for (let i = 1; i < k; i++) {
    if (weights[i]! > weights[largest]!) largest = i;
    if (weights[i]! < weights[smallest]!) smallest = i;
  }
  const max = weights[largest]!;
  const min = weights[smallest]!;
  if (!(min < 1e-8 * max)) return null;
  const w = (max + min) / 2;
  weights[largest] = w;
  weights[smallest] = w;
  for (let j = 0; j < dim; j++) {
    const x = centroids[largest * dim + j]!;
    const p = 1e-14 * Math.max(Math.abs(x), 1);
    centroids[largest * dim + j] = x + p;
    centroids[smallest * dim + j] = x - p;
  }
  return { smallest, largest };
}

export class SparkStreamingKMeans {
  constructor(
    readonly options: SparkStreamingKMeansOptions,
    public model: KMeansModel,
  ) {
    if (!(options.decayFactor >= 0)) throw new Error('decayFactor must be non-negative');
  }

  /** One micro-batch of `n` points stored flat in `points` (n × dim). */
  update(points: Float64Array, n: number): SparkUpdate {
    return sparkUpdate(this.model, points, n, this.options.decayFactor, this.options.timeUnit, this.options.distance);
  }

  predict(point: ArrayLike<number>): number {
    return this.model.predict(point, this.options.distance);
  }
}
