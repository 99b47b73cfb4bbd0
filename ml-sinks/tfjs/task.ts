/**
 * The TensorFlow.js classifier sink task. Training-topic records are kept compactly (samples.ts) and
 * trained on — in `batch` mode `epochs` over everything once the training topics were idle for
 * `stream.timeout.ms` (the blog notebook's bounded dataset), in `online` mode one step per full
 * mini-batch. Prediction-topic records are classified and written to `predictions.topic` through the
 * worker; in batch mode, while a training round is due, they wait for it (as the notebook evaluates after
 * `fit`).
 *
 * Offsets: `preCommit` writes the checkpoint, then returns for each partition the offset of its oldest
 * record whose effect is not yet in that checkpoint (an untrained sample, a waiting prediction), so a
 * committed offset always means the record's effect on the model is durable. Redeliveries of records the
 * checkpoint already holds are skipped.
 */
import { getLogger } from '../../src/connect/logging.js';
import { SinkTask, type TopicPartition, topicPartition } from '../../src/connect/api/index.js';
import { Schema, type SinkRecord, SourceRecord } from '../../src/connect/data/index.js';
import { ConnectException, DataException } from '../../src/connect/errors.js';
import { type CheckpointStore, checkpointStoreFor } from '../common/checkpoint-store.js';
import { FeatureExtractor, readField, toNumber } from '../common/features.js';
import { seededRandom } from '../common/random.js';
import { type MlPredictInput, type MlPrediction, type MlStatus, type MlTask, registerMlTask, unregisterMlTask } from '../common/registry.js';
import { AppliedOffsets, TopicRoles } from '../common/topics.js';
import { type TfjsConfig, parseTfjsConfig } from './config.js';
import type { Classifier, ClassifierShape } from './model.js';
import { SampleStore, parseCsv } from './samples.js';

/**
 * TensorFlow.js is loaded when a classifier task starts, not with the plugin list: loaded eagerly it would
 * add ~60 MB to every worker, including those that never run this sink.
 */
async function loadTensorFlow() {
  const [backend, model] = await Promise.all([import('./backend.js'), import('./model.js')]);
  return { backend, model };
}

export const TFJS_SINK_VERSION = '0.1.0';
const STATE_FORMAT = 'tsconnect.tfjs/1';
/** Yield to the event loop every this many training steps, so the worker stays responsive. */
const YIELD_EVERY = 16;

const log = getLogger('io.tsconnect.ml.TfjsClassifierSinkTask');

interface Waiting {
  rec: SinkRecord;
  x: Float32Array;
  label: number | undefined;
}

interface StateJson {
  format: typeof STATE_FORMAT;
  shape: ClassifierShape;
  version: number;
  samplesSeen: number;
  trainedSamples: number;
  predictions: number;
  counters: Counters;
  applied: Record<string, number>;
}

/** Progress of a batch-mode training round, as `model.fit` prints it. */
export interface TrainingRound {
  round: number;
  epochs: number;
  /** Epochs finished. */
  epoch: number;
  samples: number;
  /** Sample steps done in this round (epochs × samples when finished). */
  samplesDone: number;
  /** Mean loss of each finished epoch. */
  losses: number[];
  /** Training seconds of each finished epoch. */
  seconds: number[];
  finished: boolean;
}

interface Counters {
  predictSeen: number;
  predictCorrect: number;
  prequentialSeen: number;
  prequentialCorrect: number;
  lastLoss: number | null;
  trainSeconds: number;
  trainSampleSteps: number;
}

export class TfjsClassifierSinkTask extends SinkTask implements MlTask {
  /** The `task.class` shown in task configs. */
  static readonly className = 'io.tsconnect.ml.TfjsClassifierSinkTask';

  private cfg!: TfjsConfig;
  private roles!: TopicRoles;
  private extractor: FeatureExtractor | null = null;
  private store!: SampleStore;
  private clf!: Classifier;
  private shape!: ClassifierShape;
  private backend = '';
  private connector = 'tfjs';
  private taskNumber = 0;
  private checkpointStore: CheckpointStore | null = null;
  /** Samples [0, trainedUpTo) of the store have been trained on. */
  private trainedUpTo = 0;
  private waiting: Waiting[] = [];
  private readonly applied = new AppliedOffsets();
  private readonly sourceKeys: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private modelVersion = 0;
  private samplesSeen = 0;
  private predictions = 0;
  private counters: Counters = { predictSeen: 0, predictCorrect: 0, prequentialSeen: 0, prequentialCorrect: 0, lastLoss: null, trainSeconds: 0, trainSampleSteps: 0 };
  private dirty = false;
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private rnd = seededRandom(42);
  private scratch = new Float32Array(0);
  /** The extractor's output, reused per record (`fields` input). */
  private featureScratch = new Float64Array(0);
  private failure: unknown = null;
  /** The training round under way or last finished (for `GET /ml/{connector}` progress). */
  private round: TrainingRound | null = null;

  version(): string {
    return TFJS_SINK_VERSION;
  }

  async start(props: Record<string, string>): Promise<void> {
    this.cfg = parseTfjsConfig(props);
    const c = this.cfg;
    this.roles = new TopicRoles(c.trainTopics, c.predictTopics, c.trainTopicsRegex, c.predictTopicsRegex);
    if (c.inputFormat === 'fields') this.extractor = new FeatureExtractor(c.features);
    this.store = new SampleStore(c.numFeatures, c.inputFormat === 'csv');
    this.scratch = new Float32Array(c.numFeatures);
    this.featureScratch = new Float64Array(c.numFeatures);
    this.rnd = seededRandom(c.seed);
    this.connector = this.context?.taskId?.connector ?? props['name'] ?? 'tfjs';
    this.taskNumber = this.context?.taskId?.task ?? 0;
    this.backend = await (await loadTensorFlow()).backend.initBackend(c.backend);
    this.shape = { inputs: c.numFeatures, hidden: c.hidden, classes: c.numClasses, learningRate: c.learningRate, seed: c.seed };
    const store = checkpointStoreFor(c.checkpoint, { connector: this.connector, task: this.taskNumber, kind: 'tfjs', layout: 'directory', log });
    if (store) {
      await store.start();
      this.checkpointStore = store;
    }
    try {
      if (!(await this.restore())) this.clf = (await loadTensorFlow()).model.Classifier.create(this.shape);
    } catch (e) {
      this.checkpointStore = null;
      await store?.stop();
      throw e;
    }
    registerMlTask(this.connector, this);
    log.info({ connector: this.connector, backend: this.backend, mode: c.mode, version: this.modelVersion }, 'tfjs classifier sink started');
  }

  /** Runs model work one piece at a time (puts, training rounds, checkpoints). */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (records.length === 0) return;
    await this.enqueue(async () => {
      const now: Waiting[] = [];
      let trainArrived = false;
      for (const rec of records) {
        if (this.applied.seen(rec)) continue;
        try {
          const role = this.roles.roleOf(rec);
          if (role === 'train') {
            if (this.cfg.trainLimit > 0 && this.samplesSeen >= this.cfg.trainLimit) {
              this.applied.mark(rec); // beyond train.limit: deliberately without effect
              continue;
            }
            const label = this.labelOf(rec);
            if (label === undefined) throw new DataException('Training record without a label');
            this.readInput(rec, this.scratch);
            this.store.add(this.scratch, label, this.sourceOf(rec), rec.originalKafkaOffset);
            this.samplesSeen++;
            trainArrived = true;
          } else {
            const x = new Float32Array(this.cfg.numFeatures);
            this.readInput(rec, x);
            const inv = 1 / this.cfg.scale;
            for (let j = 0; j < x.length; j++) x[j]! *= inv;
            now.push({ rec, x, label: this.labelOf(rec, true) });
          }
        } catch (e) {
          await this.reportBad(rec, e);
        }
      }
      if (trainArrived) {
        this.dirty = true;
        if (this.cfg.mode === 'online') await this.trainOnline(false);
        this.armIdleTimer();
      }
      // Batch mode: a round is due, so predictions wait for it.
      if (this.cfg.mode === 'batch' && this.store.count > this.trainedUpTo) this.waiting.push(...now);
      else await this.predictAndWrite(now);
    });
  }

  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.stopped) return;
      this.enqueue(async () => {
        if (this.cfg.mode === 'batch') await this.trainRound();
        else await this.trainOnline(true);
        await this.predictAndWrite(this.waiting.splice(0));
      }).catch((e: unknown) => {
        // Surfaces on the next put (the worker then fails the task with this error).
        this.failure = e;
        log.error({ err: e }, 'tfjs training failed');
      });
    }, this.cfg.streamTimeoutMs);
    this.idleTimer.unref?.();
  }

  /** Batch mode: `epochs` over all samples kept, shuffled each epoch. */
  private async trainRound(): Promise<void> {
    const n = this.store.count;
    if (n === 0 || n === this.trainedUpTo) return;
    const { batchSize, epochs, scale } = this.cfg;
    const w = this.cfg.numFeatures;
    const x = new Float32Array(batchSize * w);
    const y = new Int32Array(batchSize);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const t0 = performance.now();
    let steps = 0;
    const round: TrainingRound = { round: (this.round?.round ?? 0) + 1, epochs, epoch: 0, samples: n, samplesDone: 0, losses: [], seconds: [], finished: false };
    this.round = round;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      this.shuffle(order);
      const e0 = performance.now();
      let lossSum = 0;
      let batches = 0;
      for (let s = 0; s < n; s += batchSize) {
        const m = Math.min(batchSize, n - s);
        this.store.gather(order.subarray(s, s + m), m, scale, x, y);
        lossSum += this.clf.trainStep(m === batchSize ? x : x.subarray(0, m * w), m === batchSize ? y : y.subarray(0, m), m);
        batches++;
        round.samplesDone += m;
        if (++steps % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
        if (this.stopped) return;
      }
      this.counters.lastLoss = lossSum / batches;
      round.epoch = epoch;
      round.losses.push(this.counters.lastLoss);
      round.seconds.push((performance.now() - e0) / 1000);
      const secs = (performance.now() - t0) / 1000;
      log.info({ epoch, epochs, samples: n, loss: this.counters.lastLoss, samplesPerSec: Math.round((epoch * n) / secs) }, 'tfjs training epoch');
    }
    round.finished = true;
    this.counters.trainSeconds += (performance.now() - t0) / 1000;
    this.counters.trainSampleSteps += n * epochs;
    this.trainedUpTo = n;
    this.modelVersion++;
    this.markTrained(0, n);
    this.dirty = true;
  }

  /** Online mode: a step per full mini-batch (and, when `flushPartial`, one on the remainder). */
  private async trainOnline(flushPartial: boolean): Promise<void> {
    const { batchSize, scale, replaySamples, epochsPerBatch } = this.cfg;
    const w = this.cfg.numFeatures;
    let steps = 0;
    while (this.store.count - this.trainedUpTo >= batchSize || (flushPartial && this.store.count > this.trainedUpTo)) {
      const from = this.trainedUpTo;
      const m = Math.min(batchSize, this.store.count - from);
      const r = Math.min(replaySamples, from);
      const idx = new Int32Array(m + r);
      for (let i = 0; i < m; i++) idx[i] = from + i;
      for (let i = 0; i < r; i++) idx[m + i] = Math.floor(this.rnd() * from);
      const x = new Float32Array((m + r) * w);
      const y = new Int32Array(m + r);
      this.store.gather(idx, m + r, scale, x, y);
      // Prequential (test-then-train): predict the new samples before learning them.
      if (this.modelVersion > 0) {
        const probs = this.clf.probabilities(x.subarray(0, m * w), m);
        for (let i = 0; i < m; i++) {
          this.counters.prequentialSeen++;
          if (argmax(probs, i * this.cfg.numClasses, this.cfg.numClasses) === y[i]) this.counters.prequentialCorrect++;
        }
      }
      const t0 = performance.now();
      for (let e = 0; e < epochsPerBatch; e++) this.counters.lastLoss = this.clf.trainStep(x, y, m + r);
      this.counters.trainSeconds += (performance.now() - t0) / 1000;
      this.counters.trainSampleSteps += (m + r) * epochsPerBatch;
      this.trainedUpTo = from + m;
      this.modelVersion++;
      this.markTrained(from, from + m);
      this.dirty = true;
      if (++steps % YIELD_EVERY === 0) await new Promise<void>((res) => setImmediate(res));
    }
  }

  private markTrained(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const key = this.sourceKeys[this.store.source(i)]!;
      this.applied.markKey(key, this.store.offset(i));
    }
  }

  private async predictAndWrite(items: Waiting[]): Promise<void> {
    if (items.length === 0) return;
    const w = this.cfg.numFeatures;
    const k = this.cfg.numClasses;
    const x = new Float32Array(items.length * w);
    items.forEach((it, i) => x.set(it.x, i * w));
    const probs = this.clf.probabilities(x, items.length);
    const out = items.map((it, i) => {
      const prediction = argmax(probs, i * k, k);
      const probability = probs[i * k + prediction]!;
      if (it.label !== undefined) {
        this.counters.predictSeen++;
        if (it.label === prediction) this.counters.predictCorrect++;
      }
      this.predictions++;
      const value =
        this.cfg.outputFormat === 'digit'
          ? String(prediction)
          : JSON.stringify({
              ...(it.label === undefined ? {} : { label: it.label }),
              prediction,
              probability: round(probability),
              probabilities: Array.from(probs.subarray(i * k, (i + 1) * k), round),
            });
      return new SourceRecord({
        topic: this.cfg.predictionsTopic,
        kafkaPartition: null,
        keySchema: it.rec.keySchema,
        key: it.rec.key,
        valueSchema: Schema.STRING_SCHEMA,
        value,
        timestamp: null,
        sourcePartition: null,
        sourceOffset: null,
      });
    });
    const produce = this.context?.produce;
    if (!produce) throw new ConnectException('This worker cannot write records from a sink task (SinkTaskContext.produce is missing)');
    await produce.call(this.context, out);
    for (const it of items) this.applied.mark(it.rec);
    this.dirty = true;
  }

  /** Reads the record's features (unscaled) into `out`. */
  private readInput(rec: SinkRecord, out: Float32Array): void {
    if (rec.value === null || rec.value === undefined) throw new DataException('Record has no value');
    if (this.extractor) {
      out.set(this.extractor.extract(rec.value, this.featureScratch));
      return;
    }
    const v = rec.value;
    const text = typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : null;
    if (text === null) throw new DataException(`Expected a CSV string value, got ${typeof v}`);
    parseCsv(text, out, true);
  }

  /** The label: the key (csv input, as MnistToCsv writes it) or `label.field`; undefined when absent. */
  private labelOf(rec: SinkRecord, optional = false): number | undefined {
    let raw: unknown;
    if (this.cfg.inputFormat === 'csv') raw = rec.key instanceof Uint8Array ? Buffer.from(rec.key).toString('utf8') : rec.key;
    else raw = readField(rec.value, this.cfg.labelField);
    if (raw === null || raw === undefined) return undefined;
    const n = toNumber(raw);
    if (!Number.isInteger(n) || n < 0 || n >= this.cfg.numClasses) {
      if (optional) return undefined;
      throw new DataException(`Label ${JSON.stringify(String(raw))} is not a class 0..${this.cfg.numClasses - 1}`);
    }
    return n;
  }

  private sourceOf(rec: SinkRecord): number {
    const key = AppliedOffsets.key(rec);
    let i = this.sourceIndex.get(key);
    if (i === undefined) {
      i = this.sourceKeys.push(key) - 1;
      this.sourceIndex.set(key, i);
    }
    return i;
  }

  private shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  private async reportBad(rec: SinkRecord, e: unknown): Promise<void> {
    const err = e instanceof DataException ? e : new DataException(e instanceof Error ? e.message : String(e), { cause: e });
    const reporter = this.context?.errantRecordReporter?.() ?? null;
    if (!reporter) throw err;
    await reporter.report(rec, err);
    this.applied.mark(rec);
  }

  /** Waits for queued work (e.g. a training round) to finish. For tests and shutdown. */
  async idle(): Promise<void> {
    await this.enqueue(async () => {});
  }

  /** Trains what is pending now instead of waiting for the idle timeout, then writes waiting predictions. */
  async trainNow(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await this.enqueue(async () => {
      if (this.cfg.mode === 'batch') await this.trainRound();
      else await this.trainOnline(true);
      await this.predictAndWrite(this.waiting.splice(0));
    });
  }

  override async preCommit(current: Map<TopicPartition, number>): Promise<Map<TopicPartition, number>> {
    await this.enqueue(() => this.checkpoint());
    const oldest = new Map<string, number>();
    const keep = (key: string, off: number) => {
      if (off < (oldest.get(key) ?? Infinity)) oldest.set(key, off);
    };
    for (let i = this.trainedUpTo; i < this.store.count; i++) keep(this.sourceKeys[this.store.source(i)]!, this.store.offset(i));
    for (const w of this.waiting) keep(AppliedOffsets.key(w.rec), w.rec.originalKafkaOffset);
    const safe = new Map<TopicPartition, number>();
    for (const [tp, off] of current) {
      const o = oldest.get(`${tp.partition}:${tp.topic}`);
      safe.set(topicPartition(tp.topic, tp.partition), o === undefined ? off : Math.min(off, o));
    }
    return safe;
  }

  override async flush(): Promise<void> {
    await this.enqueue(() => this.checkpoint());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    unregisterMlTask(this.connector, this);
    await this.queue;
    try {
      await this.checkpoint();
    } finally {
      this.clf?.dispose();
      const store = this.checkpointStore;
      this.checkpointStore = null;
      await store?.stop();
    }
  }

  /** Saves model.json, weights.bin (the tfjs format) and state.json as one checkpoint. */
  private async checkpoint(): Promise<void> {
    const store = this.checkpointStore;
    if (!this.dirty || !store) return;
    const { modelJson, weights } = await this.clf.save();
    const state: StateJson = {
      format: STATE_FORMAT,
      shape: this.shape,
      version: this.modelVersion,
      samplesSeen: this.samplesSeen,
      trainedSamples: this.trainedUpTo,
      predictions: this.predictions,
      counters: this.counters,
      applied: this.applied.toJSON(),
    };
    await store.save({
      version: this.modelVersion,
      files: new Map<string, Uint8Array>([
        ['model.json', Buffer.from(modelJson)],
        ['weights.bin', weights],
        ['state.json', Buffer.from(JSON.stringify(state))],
      ]),
    });
    this.dirty = false;
    log.debug({ checkpoint: store.location, version: this.modelVersion }, 'tfjs checkpoint written');
  }

  private async restore(): Promise<boolean> {
    const store = this.checkpointStore;
    if (!store) return false;
    const cp = await store.load();
    if (!cp) return false;
    const text = (name: string): string | null => {
      const b = cp.files.get(name);
      return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : null;
    };
    const stateText = text('state.json');
    const modelJson = text('model.json');
    const weights = cp.files.get('weights.bin');
    const state = stateText ? (JSON.parse(stateText) as StateJson) : null;
    if (!state || !modelJson || !weights || state.format !== STATE_FORMAT ||
        JSON.stringify({ ...state.shape, learningRate: 0, seed: 0 }) !== JSON.stringify({ ...this.shape, learningRate: 0, seed: 0 })) {
      log.warn({ checkpoint: store.location }, 'tfjs checkpoint does not match the configured model shape; starting a new model');
      return false;
    }
    this.clf = await (await loadTensorFlow()).model.Classifier.load(this.shape, modelJson, weights);
    this.modelVersion = state.version;
    this.samplesSeen = state.samplesSeen;
    this.predictions = state.predictions;
    this.counters = { ...this.counters, ...state.counters };
    this.applied.load(state.applied);
    log.info({ checkpoint: store.location, version: this.modelVersion }, 'tfjs model restored from checkpoint');
    return true;
  }

  // --- for the REST layer -------------------------------------------------------------------------

  status(): MlStatus {
    const c = this.counters;
    return {
      connector: this.connector,
      task: this.taskNumber,
      kind: 'tfjs',
      backend: this.backend,
      mode: this.cfg.mode,
      modelVersion: this.modelVersion,
      samplesSeen: this.samplesSeen,
      trainedSamples: this.trainedUpTo,
      pendingSamples: this.store.count - this.trainedUpTo,
      waitingPredictions: this.waiting.length,
      predictions: this.predictions,
      training: this.round,
      checkpoint: this.checkpointStore?.location ?? null,
      metrics: {
        accuracy: c.predictSeen ? c.predictCorrect / c.predictSeen : null,
        labelledPredictions: c.predictSeen,
        prequentialAccuracy: c.prequentialSeen ? c.prequentialCorrect / c.prequentialSeen : null,
        loss: c.lastLoss,
        trainSamplesPerSec: c.trainSeconds > 0 ? c.trainSampleSteps / c.trainSeconds : null,
      },
    };
  }

  async predict(input: MlPredictInput): Promise<MlPrediction> {
    const x = new Float32Array(this.cfg.numFeatures);
    if (Array.isArray(input)) {
      if (input.length !== x.length) throw new DataException(`Expected ${x.length} numbers, got ${input.length}`);
      input.forEach((v, i) => (x[i] = toNumber(v)));
    } else if (this.extractor) {
      x.set(this.extractor.extract(input));
    } else if (typeof input['csv'] === 'string') {
      parseCsv(input['csv'], x, false);
    } else {
      throw new DataException('Expected an array of numbers or {"csv": "..."}');
    }
    if (x.some((v) => !Number.isFinite(v))) throw new DataException('Inputs must be finite numbers');
    const inv = 1 / this.cfg.scale;
    for (let j = 0; j < x.length; j++) x[j]! *= inv;
    const probs = this.clf.probabilities(x, 1);
    const prediction = argmax(probs, 0, this.cfg.numClasses);
    return { prediction, probability: probs[prediction]!, probabilities: Array.from(probs, round), modelVersion: this.modelVersion };
  }
}

function argmax(a: Float32Array, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i]! > a[off + best]!) best = i;
  return best;
}

function round(p: number): number {
  return Math.round(p * 1e4) / 1e4;
}
