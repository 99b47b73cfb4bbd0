/**
 * The k-means sink task: records of the training topics update the model (Flink or Spark rule), records
 * of the prediction topics are classified with the latest model and the prediction is written to
 * `predictions.topic` through the worker (`context.produce`) before `put` returns.
 *
 * Offsets: the model, the partial Flink batch, points waiting for a model, and the offsets applied so far
 * are checkpointed in `flush`/`preCommit`, so a committed offset always means the record's effect on the
 * model is durable (a file, or a compacted Kafka topic: common/checkpoint-store.ts). After a restart, redelivered records whose effect the checkpoint already holds are
 * skipped, so none counts twice.
 */
import { getLogger } from '../../src/connect/logging.js';
import { SinkTask, type TopicPartition } from '../../src/connect/api/index.js';
import { Schema, type SinkRecord, SourceRecord } from '../../src/connect/data/index.js';
import { ConnectException, DataException } from '../../src/connect/errors.js';
import { type CheckpointStore, checkpointStoreFor } from '../common/checkpoint-store.js';
import { FeatureExtractor, readField, toNumber } from '../common/features.js';
import { type MlPredictInput, type MlPrediction, type MlStatus, type MlTask, registerMlTask, unregisterMlTask } from '../common/registry.js';
import { AppliedOffsets, TopicRoles } from '../common/topics.js';
import { type KMeansConfig, parseKMeansConfig } from './config.js';
import { type DistanceMeasure, distanceMeasure } from './distance.js';
import { FlinkOnlineKMeans } from './flink.js';
import { KMeansMetrics, type KMeansMetricsJson } from './metrics.js';
import { KMeansModel, type KMeansModelJson, randomGaussianModel, randomUniformModel } from './model.js';
import { formatPrediction } from './output.js';
import { SparkStreamingKMeans } from './spark.js';

export const KMEANS_VERSION = '0.1.0';
const CHECKPOINT_FORMAT = 'tsconnect.kmeans/1';
/** The checkpoint's one file (the whole file with model.checkpoint.file/dir). */
const CHECKPOINT_FILE = 'kmeans.json';

const log = getLogger('io.tsconnect.ml.KMeansSinkTask');

/** A prediction record waiting for the first model (initial.model=first-points). */
interface Held {
  features: number[];
  label: number | undefined;
}

interface CheckpointJson {
  format: typeof CHECKPOINT_FORMAT;
  algorithm: string;
  features: string[];
  model: KMeansModelJson | null;
  firstPoints: number[][];
  pending: number[][];
  held: Held[];
  samplesSeen: number;
  predictions: number;
  metrics: KMeansMetricsJson;
  applied: Record<string, number>;
}

export class KMeansSinkTask extends SinkTask implements MlTask {
  /** The `task.class` shown in task configs. */
  static readonly className = 'io.tsconnect.ml.KMeansSinkTask';

  private cfg!: KMeansConfig;
  private roles!: TopicRoles;
  private extractor!: FeatureExtractor;
  private measure!: DistanceMeasure;
  private flink: FlinkOnlineKMeans | null = null;
  private spark: SparkStreamingKMeans | null = null;
  private model: KMeansModel | null = null;
  /** initial.model=first-points: training points collected until there are k of them. */
  private firstPoints: number[][] = [];
  private held: Held[] = [];
  private readonly metrics = new KMeansMetrics();
  private readonly applied = new AppliedOffsets();
  private samplesSeen = 0;
  private predictions = 0;
  private dirty = false;
  private store: CheckpointStore | null = null;
  private connector = 'kmeans';
  private taskNumber = 0;
  /** Spark micro-batch buffer, grown as needed (n × dim). */
  private sparkBatch = new Float64Array(0);

  version(): string {
    return KMEANS_VERSION;
  }

  async start(props: Record<string, string>): Promise<void> {
    this.cfg = parseKMeansConfig(props);
    this.roles = new TopicRoles(this.cfg.trainTopics, this.cfg.predictTopics, this.cfg.trainTopicsRegex, this.cfg.predictTopicsRegex);
    this.extractor = new FeatureExtractor(this.cfg.features);
    this.measure = distanceMeasure(this.cfg.distance);
    this.connector = this.context?.taskId?.connector ?? props['name'] ?? 'kmeans';
    this.taskNumber = this.context?.taskId?.task ?? 0;
    const store = checkpointStoreFor(this.cfg.checkpoint, { connector: this.connector, task: this.taskNumber, kind: 'kmeans', layout: 'file', log });
    if (store) {
      await store.start();
      this.store = store;
    }
    try {
      if (!(await this.restore())) this.setModel(this.initialModel());
    } catch (e) {
      this.store = null;
      await store?.stop();
      throw e;
    }
    registerMlTask(this.connector, this);
    log.info({ connector: this.connector, algorithm: this.cfg.algorithm, version: this.model?.version ?? null }, 'k-means sink started');
  }

  private initialModel(): KMeansModel | null {
    const { k, initialModel, initialCentroids, initialWeights, seed, features } = this.cfg;
    const dim = features.length;
    switch (initialModel) {
      case 'centroids':
        return KMeansModel.of(initialCentroids!, initialWeights ?? undefined);
      case 'random': {
        const m = this.cfg.algorithm === 'flink' ? randomUniformModel(k, dim, 0, seed) : randomGaussianModel(k, dim, 0, seed);
        if (initialWeights) m.weights.set(initialWeights);
        return m;
      }
      case 'first-points':
        return null;
    }
  }

  private setModel(model: KMeansModel | null): void {
    this.model = model;
    if (!model) return;
    const { algorithm, globalBatchSize, decayFactor, timeUnit } = this.cfg;
    if (algorithm === 'flink') this.flink = new FlinkOnlineKMeans({ globalBatchSize, decayFactor, distance: this.measure }, model);
    else this.spark = new SparkStreamingKMeans({ decayFactor, timeUnit, distance: this.measure }, model);
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const out: SourceRecord[] = [];
    const predicted: SinkRecord[] = [];
    const sparkTrain: { features: Float64Array; label: number | undefined }[] = [];
    const sparkPredict: { rec: SinkRecord; features: Float64Array; label: number | undefined }[] = [];

    for (const rec of records) {
      if (this.applied.seen(rec)) continue;
      let role;
      let features: Float64Array;
      let label: number | undefined;
      try {
        role = this.roles.roleOf(rec);
        if (rec.value === null) throw new DataException('Record has no value');
        features = this.extractor.extract(rec.value);
        label = this.readLabel(rec.value);
      } catch (e) {
        await this.reportBad(rec, e);
        continue;
      }
      if (role === 'train') {
        if (this.cfg.algorithm === 'flink') this.trainFlink(features, label, out);
        else sparkTrain.push({ features, label });
        this.samplesSeen++;
        this.applied.mark(rec);
      } else if (this.cfg.algorithm === 'flink') {
        if (this.model) out.push(this.predictionRecord(features, this.flink!.predict(features), label));
        else this.held.push({ features: Array.from(features), label });
        predicted.push(rec);
      } else {
        sparkPredict.push({ rec, features, label });
      }
    }

    if (this.cfg.algorithm === 'spark') {
      // One put = one Spark micro-batch: train on its training points, then predict its other points.
      this.trainSpark(sparkTrain, out);
      for (const p of sparkPredict) {
        if (this.model) out.push(this.predictionRecord(p.features, this.spark!.predict(p.features), p.label));
        else this.held.push({ features: Array.from(p.features), label: p.label });
        predicted.push(p.rec);
      }
    }
    this.dirty = true;
    if (out.length > 0) await this.produce(out);
    // Predictions count as applied only once written: a retried put predicts them again.
    for (const rec of predicted) this.applied.mark(rec);
  }

  private trainFlink(features: Float64Array, label: number | undefined, out: SourceRecord[]): void {
    if (!this.model) {
      this.collectFirstPoint(features, out);
      return;
    }
    if (label !== undefined) this.metrics.onTrain(this.flink!.predict(features), label);
    const update = this.flink!.train(features);
    if (update) log.debug({ version: update.version, counts: update.counts }, 'flink k-means batch update');
  }

  private trainSpark(points: { features: Float64Array; label: number | undefined }[], out: SourceRecord[]): void {
    let start = 0;
    if (!this.model) {
      while (start < points.length && !this.model) this.collectFirstPoint(points[start++]!.features, out);
      if (!this.model) return;
    }
    const dim = this.model.dim;
    const n = points.length - start;
    if (this.sparkBatch.length < n * dim) this.sparkBatch = new Float64Array(Math.max(n * dim, this.sparkBatch.length * 2));
    for (let p = 0; p < n; p++) {
      const { features, label } = points[start + p]!;
      this.sparkBatch.set(features, p * dim);
      if (label !== undefined) this.metrics.onTrain(this.spark!.predict(features), label);
    }
    const update = this.spark!.update(this.sparkBatch, n);
    if (update.split) log.info({ ...update.split, version: update.version }, 'spark k-means: dying cluster replaced by a split of the largest');
  }

  /**
   * initial.model=first-points: the first k training points become the centroids (weight 0; they are not
   * trained on as well). Once the model exists, the held predictions are made.
   */
  private collectFirstPoint(features: Float64Array, out: SourceRecord[]): void {
    this.firstPoints.push(Array.from(features));
    if (this.firstPoints.length < this.cfg.k) return;
    this.setModel(KMeansModel.of(this.firstPoints));
    this.firstPoints = [];
    for (const h of this.held) {
      const f = Float64Array.from(h.features);
      out.push(this.predictionRecord(f, this.model!.predict(f, this.measure), h.label));
    }
    this.held = [];
  }

  private predictionRecord(features: Float64Array, cluster: number, label: number | undefined): SourceRecord {
    this.predictions++;
    if (label !== undefined) this.metrics.onPredict(cluster, label);
    const value = formatPrediction(this.cfg.outputFormat, { features, cluster, label, modelVersion: this.model!.version });
    return new SourceRecord({
      topic: this.cfg.predictionsTopic,
      kafkaPartition: null,
      keySchema: null,
      key: null,
      valueSchema: Schema.STRING_SCHEMA,
      value,
      timestamp: null,
      sourcePartition: null,
      sourceOffset: null,
    });
  }

  private readLabel(value: unknown): number | undefined {
    if (!this.cfg.labelField) return undefined;
    const n = toNumber(readField(value, this.cfg.labelField));
    return Number.isFinite(n) ? n : undefined;
  }

  private async produce(records: SourceRecord[]): Promise<void> {
    const produce = this.context?.produce;
    if (!produce) throw new ConnectException('This worker cannot write records from a sink task (SinkTaskContext.produce is missing)');
    await produce.call(this.context, records);
  }

  /** A bad record goes to the errant record reporter (errors.tolerance / DLQ) or fails the task. */
  private async reportBad(rec: SinkRecord, e: unknown): Promise<void> {
    const err = e instanceof DataException ? e : new DataException(e instanceof Error ? e.message : String(e), { cause: e });
    const reporter = this.context?.errantRecordReporter?.() ?? null;
    if (!reporter) throw err;
    await reporter.report(rec, err);
    this.applied.mark(rec);
  }

  override async flush(_offsets: Map<TopicPartition, number>): Promise<void> {
    await this.checkpoint();
  }

  async stop(): Promise<void> {
    unregisterMlTask(this.connector, this);
    const store = this.store;
    if (!store) return;
    try {
      await this.checkpoint();
    } finally {
      this.store = null;
      await store.stop();
    }
  }

  /** Writes the checkpoint when something changed since the last one. */
  async checkpoint(): Promise<void> {
    if (!this.dirty || !this.store) return;
    const state: CheckpointJson = {
      format: CHECKPOINT_FORMAT,
      algorithm: this.cfg.algorithm,
      features: this.cfg.features,
      model: this.model?.toJSON() ?? null,
      firstPoints: this.firstPoints,
      pending: this.flink?.pending() ?? [],
      held: this.held,
      samplesSeen: this.samplesSeen,
      predictions: this.predictions,
      metrics: this.metrics.toJSON(),
      applied: this.applied.toJSON(),
    };
    const version = this.model?.version ?? -1;
    await this.store.save({ version, files: new Map([[CHECKPOINT_FILE, Buffer.from(JSON.stringify(state))]]) });
    this.dirty = false;
    log.debug({ checkpoint: this.store.location, version }, 'k-means checkpoint written');
  }

  /** Loads the checkpoint; false when there is none or it does not fit this configuration. */
  private async restore(): Promise<boolean> {
    if (!this.store) return false;
    const bytes = (await this.store.load())?.files.get(CHECKPOINT_FILE);
    if (!bytes) return false;
    const s = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as CheckpointJson;
    const fits =
      s.format === CHECKPOINT_FORMAT &&
      s.algorithm === this.cfg.algorithm &&
      s.features.join(',') === this.cfg.features.join(',') &&
      (s.model === null || s.model.k === this.cfg.k);
    if (!fits) {
      log.warn({ checkpoint: this.store.location }, 'k-means checkpoint does not match the configuration (algorithm, features or k); starting a new model');
      return false;
    }
    this.setModel(s.model ? KMeansModel.fromJSON(s.model) : null);
    this.firstPoints = s.firstPoints ?? [];
    this.flink?.restorePending(s.pending ?? []);
    this.held = s.held ?? [];
    this.samplesSeen = s.samplesSeen ?? 0;
    this.predictions = s.predictions ?? 0;
    this.metrics.load(s.metrics);
    this.applied.load(s.applied);
    log.info({ checkpoint: this.store.location, version: this.model?.version }, 'k-means model restored from checkpoint');
    return true;
  }

  // --- for the REST layer -------------------------------------------------------------------------

  status(): MlStatus {
    const m = this.model;
    return {
      connector: this.connector,
      task: this.taskNumber,
      kind: 'kmeans',
      algorithm: this.cfg.algorithm,
      distance: this.cfg.distance,
      modelVersion: m?.version ?? -1,
      samplesSeen: this.samplesSeen,
      predictions: this.predictions,
      metrics: this.metrics.summary(),
      k: this.cfg.k,
      features: this.cfg.features,
      centroids: m ? Array.from({ length: m.k }, (_, i) => m.centroid(i)) : null,
      weights: m ? Array.from(m.weights) : null,
      pendingBatch: this.flink?.pending().length ?? 0,
      heldPredictions: this.held.length,
      labelMapping: this.metrics.mapping(),
      checkpoint: this.store?.location ?? null,
    };
  }

  async predict(input: MlPredictInput): Promise<MlPrediction> {
    const features = Array.isArray(input) ? Float64Array.from(input, (v) => toNumber(v)) : this.extractor.extract(input);
    if (features.length !== this.cfg.features.length || features.some((v) => !Number.isFinite(v))) {
      throw new DataException(`Expected ${this.cfg.features.length} finite numbers (${this.cfg.features.join(', ')})`);
    }
    const m = this.model;
    if (!m) return { prediction: null, modelVersion: -1 };
    const cluster = m.predict(features, this.measure);
    return {
      prediction: cluster,
      modelVersion: m.version,
      label: this.metrics.labelOf(cluster) ?? null,
      distance: this.measure.distance(features, 0, m.centroids, cluster * m.dim, m.dim),
    };
  }
}
