/**
 * Distance measures of Flink ML (`euclidean`, `manhattan`, `cosine`). Points and centroids live in flat
 * Float64Arrays; a vector is addressed by (array, offset) so the hot loops allocate nothing.
 *
 * `cost` is what `findClosest` compares: any function that orders like the distance (the squared
 * Euclidean distance, computed directly as Σ(aᵢ−bᵢ)², which is exact for small values where the
 * ‖a‖²+‖b‖²−2a·b form Flink and Spark use internally can round).
 */
export type DistanceName = 'euclidean' | 'manhattan' | 'cosine';

export interface DistanceMeasure {
  readonly name: DistanceName;
  distance(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, dim: number): number;
  cost(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, dim: number): number;
}

const euclidean: DistanceMeasure = {
  name: 'euclidean',
  cost(a, aOff, b, bOff, dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = a[aOff + j]! - b[bOff + j]!;
      s += d * d;
    }
    return s;
  },
  distance(a, aOff, b, bOff, dim) {
    return Math.sqrt(this.cost(a, aOff, b, bOff, dim));
  },
};

const manhattan: DistanceMeasure = {
  name: 'manhattan',
  cost(a, aOff, b, bOff, dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += Math.abs(a[aOff + j]! - b[bOff + j]!);
    return s;
  },
  distance(a, aOff, b, bOff, dim) {
    return this.cost(a, aOff, b, bOff, dim);
  },
};

/** 1 − a·b / (‖a‖‖b‖). A zero vector is at distance 1 from everything (Flink would divide by zero). */
const cosine: DistanceMeasure = {
  name: 'cosine',
  cost(a, aOff, b, bOff, dim) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < dim; j++) {
      const x = a[aOff + j]!;
      const y = b[bOff + j]!;
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    if (na === 0 || nb === 0) return 1;
    return 1 - dot / Math.sqrt(na) / Math.sqrt(nb);
  },
  distance(a, aOff, b, bOff, dim) {
    return this.cost(a, aOff, b, bOff, dim);
  },
};

const MEASURES: Record<DistanceName, DistanceMeasure> = { euclidean, manhattan, cosine };

export const DISTANCE_NAMES = Object.keys(MEASURES) as DistanceName[];

export function distanceMeasure(name: string): DistanceMeasure {
  const m = MEASURES[name.toLowerCase() as DistanceName];
  if (!m) throw new Error(`Unknown distance measure '${name}' (one of ${DISTANCE_NAMES.join(', ')})`);
  return m;
}

/**
 * Index of the centroid closest to the point at `point[pOff..pOff+dim)`; ties go to the lowest index
 * (a strict `<`, as in Flink's `findClosestCentroidId` and Spark's `findClosest`).
 */
export function findClosest(
  centroids: Float64Array,
  k: number,
  dim: number,
  point: ArrayLike<number>,
  pOff: number,
  measure: DistanceMeasure,
): number {
  let best = 0;
  let bestCost = Infinity;
  for (let i = 0; i < k; i++) {
    const c = measure.cost(point, pOff, centroids, i * dim, dim);
    if (c < bestCost) {
      bestCost = c;
      best = i;
    }
  }
  return best;
}
