/**
 * Apache Flink ML `OnlineKMeans`, with the update rule of its `ModelDataLocalUpdater` (parallelism 1, so
 * the global reducer never runs and the "empty cluster reset to zero" quirk of p ≥ 2 cannot happen):
 *
 * Training points are collected into global batches of `globalBatchSize` (`countWindowAll`). For each
 * full batch, with weights w and centroids c:
 *   1. assign every point to its closest centroid; count mᵢ and sum sᵢ per cluster;
 *   2. w ← w · decayFactor                      (all clusters)
 *   3. for each cluster with mᵢ > 0:  wᵢ ← wᵢ + mᵢ;  λ = mᵢ / wᵢ;  cᵢ ← (1−λ)·cᵢ + (λ/mᵢ)·sᵢ
 *   4. a new model version.
 * A partial batch waits for more points (it is part of the checkpoint). Predictions use the latest model.
 */
import type { DistanceMeasure } from './distance.js';
import { type KMeansModel, assignToClosest } from './model.js';

export interface FlinkOnlineKMeansOptions {
  globalBatchSize: number;
  decayFactor: number;
  distance: DistanceMeasure;
}

/** What one batch update did (for logs and tests). */
export interface BatchUpdate {
  version: number;
  counts: number[];
}

/**
 * Flink's local update on `n` points stored flat in `points` (n × dim), in place on `model`; assignments
 * use the centroids as they were before the batch.
 */
export function flinkLocalUpdate(
  model: KMeansModel,
  points: Float64Array,
  n: number,
  decayFactor: number,
  measure: DistanceMeasure,
): BatchUpdate {
  const { k, dim, centroids, weights } = model;
  const { counts, sums } = assignToClosest(model, points, n, measure);
  for (let i = 0; i < k; i++) weights[i] *= decayFactor;
  for (let i = 0; i < k; i++) {
    const m = counts[i]!;
    if (m === 0) continue;
    weights[i] += m;
    const lambda = m / weights[i]!;
    const keep = 1 - lambda;
    const step = lambda / m;
    for (let j = 0; j < dim; j++) {
      const at = i * dim + j;
      centroids[at] = keep * centroids[at]! + step * sums[at]!;
    }
  }
  model.version++;
  return { version: model.version, counts };
}

export class FlinkOnlineKMeans {
  private readonly batch: Float64Array;
  private batchCount = 0;

  constructor(
    readonly options: FlinkOnlineKMeansOptions,
    public model: KMeansModel,
  ) {
    if (options.globalBatchSize < 1) throw new Error('globalBatchSize must be at least 1');
    if (!(options.decayFactor >= 0 && options.decayFactor <= 1)) throw new Error('decayFactor must be in [0, 1]');
    this.batch = new Float64Array(options.globalBatchSize * model.dim);
  }

  /** Adds one training point; returns the update when it completed a global batch, else null. */
  train(point: ArrayLike<number>): BatchUpdate | null {
    const dim = this.model.dim;
    for (let j = 0; j < dim; j++) this.batch[this.batchCount * dim + j] = point[j]!;
    this.batchCount++;
    if (this.batchCount < this.options.globalBatchSize) return null;
    const update = flinkLocalUpdate(this.model, this.batch, this.batchCount, this.options.decayFactor, this.options.distance);
    this.batchCount = 0;
    return update;
  }

  predict(point: ArrayLike<number>): number {
    return this.model.predict(point, this.options.distance);
  }

  /** Points of the current, not yet full, batch. */
  pending(): number[][] {
    const dim = this.model.dim;
    return Array.from({ length: this.batchCount }, (_, p) => Array.from(this.batch.subarray(p * dim, (p + 1) * dim)));
  }

  restorePending(points: readonly (readonly number[])[]): void {
    this.batchCount = 0;
    for (const p of points) this.train(p);
  }
}
