/**
 * Quality of an unsupervised model against labels, when records carry them. Cluster ids are arbitrary, so
 * each cluster is mapped to the label seen most often among the labelled training points assigned to it.
 * - prequential accuracy (test-then-train): each labelled training point is first predicted with the model
 *   and mapping as they are, then learned;
 * - prediction accuracy: labelled records of the prediction topics, with the current mapping (a cluster
 *   with no labelled training point yet maps to its own id).
 */
export interface KMeansMetricsJson {
  contingency: Record<string, Record<string, number>>;
  prequentialSeen: number;
  prequentialCorrect: number;
  predictSeen: number;
  predictCorrect: number;
}

export class KMeansMetrics {
  /** cluster → label → count (training points). */
  private readonly contingency = new Map<number, Map<number, number>>();
  private prequentialSeen = 0;
  private prequentialCorrect = 0;
  private predictSeen = 0;
  private predictCorrect = 0;

  /** The label a cluster stands for, or undefined when no labelled point was assigned to it yet. */
  labelOf(cluster: number): number | undefined {
    const counts = this.contingency.get(cluster);
    if (!counts) return undefined;
    let best: number | undefined;
    let bestN = -1;
    for (const [label, n] of counts) {
      if (n > bestN || (n === bestN && label < best!)) {
        best = label;
        bestN = n;
      }
    }
    return best;
  }

  /** A labelled training point: `cluster` is its prediction before the model learns from it. */
  onTrain(cluster: number, label: number): void {
    const mapped = this.labelOf(cluster);
    if (mapped !== undefined) {
      this.prequentialSeen++;
      if (mapped === label) this.prequentialCorrect++;
    }
    let counts = this.contingency.get(cluster);
    if (!counts) this.contingency.set(cluster, (counts = new Map()));
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }

  /** A labelled prediction record. */
  onPredict(cluster: number, label: number): boolean {
    const correct = (this.labelOf(cluster) ?? cluster) === label;
    this.predictSeen++;
    if (correct) this.predictCorrect++;
    return correct;
  }

  summary(): Record<string, number | null> {
    return {
      prequentialAccuracy: this.prequentialSeen ? this.prequentialCorrect / this.prequentialSeen : null,
      prequentialSamples: this.prequentialSeen,
      predictionAccuracy: this.predictSeen ? this.predictCorrect / this.predictSeen : null,
      labelledPredictions: this.predictSeen,
    };
  }

  /** cluster → label, for the clusters that have one. */
  mapping(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.contingency.keys()) out[c] = this.labelOf(c)!;
    return out;
  }

  toJSON(): KMeansMetricsJson {
    const contingency: KMeansMetricsJson['contingency'] = {};
    for (const [c, m] of this.contingency) contingency[c] = Object.fromEntries(m);
    return {
      contingency,
      prequentialSeen: this.prequentialSeen,
      prequentialCorrect: this.prequentialCorrect,
      predictSeen: this.predictSeen,
      predictCorrect: this.predictCorrect,
    };
  }

  load(j: KMeansMetricsJson | undefined): void {
    this.contingency.clear();
    if (!j) return;
    for (const [c, m] of Object.entries(j.contingency ?? {})) {
      this.contingency.set(Number(c), new Map(Object.entries(m).map(([l, n]) => [Number(l), n])));
    }
    this.prequentialSeen = j.prequentialSeen ?? 0;
    this.prequentialCorrect = j.prequentialCorrect ?? 0;
    this.predictSeen = j.predictSeen ?? 0;
    this.predictCorrect = j.predictCorrect ?? 0;
  }
}
