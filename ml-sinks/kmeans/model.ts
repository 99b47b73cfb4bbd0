/**
 * The k-means model both update rules share: k centroids of `dim` values in one flat Float64Array, one
 * weight per centroid, and a version that grows by one per update (Flink's `modelDataVersion`).
 */
import { seededRandom } from '../common/random.js';
import { type DistanceMeasure, findClosest } from './distance.js';

export interface KMeansModelJson {
  k: number;
  dim: number;
  centroids: number[][];
  weights: number[];
  version: number;
}

export class KMeansModel {
  constructor(
    readonly k: number,
    readonly dim: number,
    /** k × dim, row-major. */
    readonly centroids: Float64Array,
    readonly weights: Float64Array,
    public version = 0,
  ) {
    if (centroids.length !== k * dim) throw new Error(`Expected ${k * dim} centroid values, got ${centroids.length}`);
    if (weights.length !== k) throw new Error(`Expected ${k} weights, got ${weights.length}`);
  }

  static of(centroids: readonly (readonly number[])[], weights?: readonly number[], version = 0): KMeansModel {
    const k = centroids.length;
    if (k === 0) throw new Error('A k-means model needs at least one centroid');
    const dim = centroids[0]!.length;
    const flat = new Float64Array(k * dim);
    centroids.forEach((c, i) => {
      if (c.length !== dim) throw new Error(`Centroid ${i} has ${c.length} values, expected ${dim}`);
      flat.set(c, i * dim);
    });
    return new KMeansModel(k, dim, flat, Float64Array.from(weights ?? new Array<number>(k).fill(0)), version);
  }

  static fromJSON(j: KMeansModelJson): KMeansModel {
    return KMeansModel.of(j.centroids, j.weights, j.version);
  }

  centroid(i: number): number[] {
    return Array.from(this.centroids.subarray(i * this.dim, (i + 1) * this.dim));
  }

  predict(point: ArrayLike<number>, measure: DistanceMeasure, offset = 0): number {
    return findClosest(this.centroids, this.k, this.dim, point, offset, measure);
  }

  clone(): KMeansModel {
    return new KMeansModel(this.k, this.dim, this.centroids.slice(), this.weights.slice(), this.version);
  }

  toJSON(): KMeansModelJson {
    return {
      k: this.k,
      dim: this.dim,
      centroids: Array.from({ length: this.k }, (_, i) => this.centroid(i)),
      weights: Array.from(this.weights),
      version: this.version,
    };
  }
}

/**
 * The step both update rules share: each of the `n` points (flat, n × dim) goes to its closest centroid as the
 * centroids are before the batch; returns the count and the coordinate sums per cluster.
 */
export function assignToClosest(
  model: KMeansModel,
  points: Float64Array,
  n: number,
  measure: DistanceMeasure,
): { counts: number[]; sums: Float64Array } {
  const { k, dim, centroids } = model;
  const counts = new Array<number>(k).fill(0);
  const sums = new Float64Array(k * dim);
  for (let p = 0; p < n; p++) {
    const off = p * dim;
    const i = findClosest(centroids, k, dim, points, off, measure);
    counts[i]!++;
    for (let j = 0; j < dim; j++) sums[i * dim + j] += points[off + j]!;
  }
  return { counts, sums };
}

/** Flink's `generateRandomModelData`: centroids drawn from U[0,1), every weight `weight`. */
export function randomUniformModel(k: number, dim: number, weight: number, seed: number): KMeansModel {
  const rnd = seededRandom(seed);
  const c = new Float64Array(k * dim);
  for (let i = 0; i < c.length; i++) c[i] = rnd();
  return new KMeansModel(k, dim, c, new Float64Array(k).fill(weight));
}

/** Spark's `setRandomCenters`: centroids drawn from N(0,1) (Box–Muller), every weight `weight`. */
export function randomGaussianModel(k: number, dim: number, weight: number, seed: number): KMeansModel {
  const rnd = seededRandom(seed);
  const c = new Float64Array(k * dim);
  for (let i = 0; i < c.length; i++) {
    const u = 1 - rnd();
    const v = rnd();
    c[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return new KMeansModel(k, dim, c, new Float64Array(k).fill(weight));
}
