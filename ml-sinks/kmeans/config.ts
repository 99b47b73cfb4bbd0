/** Configuration of the k-means sink (one ConfigDef feeds parsing, validation and the REST listings). */
import { ConfigDef, type ParsedConfig, Validators } from '../../src/connect/api/index.js';
import { ConfigException } from '../../src/connect/errors.js';
import { CHECKPOINT_TOPIC_CONFIG_DEF, type CheckpointSettings, parseCheckpointSettings } from '../common/checkpoint-store.js';
import { DISTANCE_NAMES, type DistanceName } from './distance.js';
import type { TimeUnit } from './spark.js';

export type Algorithm = 'flink' | 'spark';
export type OutputFormat = 'flink' | 'spark' | 'json';
export type InitialModel = 'centroids' | 'random' | 'first-points';

const G_MODEL = 'Model';
const G_TOPICS = 'Topics';
const G_OUTPUT = 'Output';

export const KMEANS_CONFIG_DEF = new ConfigDef()
  .define({ name: 'algorithm', type: 'STRING', defaultValue: 'flink', validator: Validators.in('flink', 'spark'), importance: 'HIGH', group: G_MODEL,
    documentation: 'Update rule: flink (Flink ML OnlineKMeans, mini-batches of global.batch.size) or spark (Spark StreamingKMeans, one update per delivered batch).' })
  .define({ name: 'k', type: 'INT', defaultValue: 2, validator: Validators.atLeast(2), importance: 'HIGH', group: G_MODEL,
    documentation: 'Number of clusters. Taken from initial.centroids when those are given.' })
  .define({ name: 'features', type: 'LIST', defaultValue: 'sepal_length,sepal_width,petal_length,petal_width', importance: 'HIGH', group: G_MODEL,
    documentation: 'Field names of the record value that form the feature vector, in order.' })
  .define({ name: 'initial.model', type: 'STRING', defaultValue: '', validator: Validators.in('', 'centroids', 'random', 'first-points'), group: G_MODEL,
    documentation: 'Where the first model comes from: centroids (initial.centroids), random (seeded), first-points (the first k training points; predictions wait until then). Default: centroids when initial.centroids is set, else random.' })
  .define({ name: 'initial.centroids', type: 'STRING', defaultValue: '', group: G_MODEL,
    documentation: 'Initial centroids: values separated by commas, centroids by semicolons, e.g. 6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0' })
  .define({ name: 'initial.weights', type: 'LIST', defaultValue: '', group: G_MODEL,
    documentation: 'Initial weight of each centroid (default 0 for every centroid).' })
  .define({ name: 'seed', type: 'LONG', defaultValue: 0, group: G_MODEL, documentation: 'Seed of a random initial model.' })
  .define({ name: 'global.batch.size', type: 'INT', defaultValue: 32, validator: Validators.atLeast(1), group: G_MODEL,
    documentation: 'flink: number of training points per model update (globalBatchSize).' })
  .define({ name: 'decay.factor', type: 'DOUBLE', defaultValue: null, group: G_MODEL,
    documentation: 'Weight kept by the model so far at each update; flink default 0.0 (range [0,1]), spark default 1.0.' })
  .define({ name: 'half.life', type: 'DOUBLE', defaultValue: null, group: G_MODEL,
    documentation: 'spark: the decay factor as a half-life in time.unit (exclusive with decay.factor).' })
  .define({ name: 'time.unit', type: 'STRING', defaultValue: 'batches', validator: Validators.in('batches', 'points'), group: G_MODEL,
    documentation: 'spark: decay per batch, or per point (factor^points in the batch).' })
  .define({ name: 'distance', type: 'STRING', defaultValue: 'euclidean', validator: Validators.in(...DISTANCE_NAMES), group: G_MODEL,
    documentation: 'Distance measure: euclidean, manhattan or cosine.' })
  .define({ name: 'train.topics', type: 'LIST', defaultValue: '', importance: 'HIGH', group: G_TOPICS, documentation: 'Topics whose records train the model.' })
  .define({ name: 'train.topics.regex', type: 'STRING', defaultValue: '', group: G_TOPICS, documentation: 'Regex of training topics.' })
  .define({ name: 'predict.topics', type: 'LIST', defaultValue: '', importance: 'HIGH', group: G_TOPICS, documentation: 'Topics whose records are classified.' })
  .define({ name: 'predict.topics.regex', type: 'STRING', defaultValue: '', group: G_TOPICS, documentation: 'Regex of prediction topics.' })
  .define({ name: 'label.field', type: 'STRING', defaultValue: 'iris_class', group: G_TOPICS,
    documentation: 'Optional label field (the spark output pairs and the accuracy metrics); records without it are unlabelled.' })
  .define({ name: 'predictions.topic', type: 'STRING', defaultValue: 'iris_predictions', validator: Validators.nonEmptyString(), group: G_OUTPUT,
    documentation: 'Topic the predictions are written to.' })
  .define({ name: 'output.format', type: 'STRING', defaultValue: '', validator: Validators.in('', 'flink', 'spark', 'json'), group: G_OUTPUT,
    documentation: 'flink ("[5.4, 3.7, 1.5, 0.2] is classified as 0"), spark ("(0.0,1)") or json. Default: the algorithm\'s.' })
  .define({ name: 'model.checkpoint.file', type: 'STRING', defaultValue: '', group: G_OUTPUT, documentation: 'File holding the model checkpoint.' })
  .define({ name: 'model.checkpoint.dir', type: 'STRING', defaultValue: '', group: G_OUTPUT,
    documentation: 'Directory for the model checkpoint (<connector>-<task>.kmeans.json) when model.checkpoint.file is not set. Without either (or model.checkpoint.topic) the model lives in memory only.' })
  .merge(CHECKPOINT_TOPIC_CONFIG_DEF);

export interface KMeansConfig {
  algorithm: Algorithm;
  k: number;
  features: string[];
  initialModel: InitialModel;
  initialCentroids: number[][] | null;
  initialWeights: number[] | null;
  seed: number;
  globalBatchSize: number;
  decayFactor: number;
  timeUnit: TimeUnit;
  distance: DistanceName;
  trainTopics: string[];
  trainTopicsRegex: string;
  predictTopics: string[];
  predictTopicsRegex: string;
  labelField: string;
  predictionsTopic: string;
  outputFormat: OutputFormat;
  checkpointFile: string;
  checkpointDir: string;
  /** Where the model is checkpointed: files, a Kafka topic, or nowhere. */
  checkpoint: CheckpointSettings;
}

export function parseCentroids(text: string): number[][] {
  const rows = text.split(';').map((r) => r.trim()).filter((r) => r !== '');
  const out = rows.map((r) =>
    r.split(',').map((v) => {
      const n = Number(v.trim());
      if (v.trim() === '' || !Number.isFinite(n)) throw new ConfigException('initial.centroids', text, `'${v}' is not a number`);
      return n;
    }),
  );
  if (out.some((c) => c.length !== out[0]!.length)) throw new ConfigException('initial.centroids', text, 'centroids differ in length');
  return out;
}

export function parseKMeansConfig(props: Record<string, string>): KMeansConfig {
  const c: ParsedConfig = KMEANS_CONFIG_DEF.parse(props);
  const algorithm = c.getString('algorithm') as Algorithm;
  const features = c.getList('features');
  if (features.length === 0) throw new ConfigException('features', '', 'at least one feature field is required');

  const centroidsText = c.getString('initial.centroids') ?? '';
  const initialCentroids = centroidsText.trim() ? parseCentroids(centroidsText) : null;
  let k = c.getInt('k')!;
  if (initialCentroids) {
    if (props['k'] !== undefined && initialCentroids.length !== k) {
      throw new ConfigException('k', k, `initial.centroids has ${initialCentroids.length} centroids`);
    }
    k = initialCentroids.length;
    if (initialCentroids[0]!.length !== features.length) {
      throw new ConfigException('initial.centroids', centroidsText, `centroids have ${initialCentroids[0]!.length} values but features lists ${features.length} fields`);
    }
  }
  const weightsList = c.getList('initial.weights');
  const initialWeights = weightsList.length ? weightsList.map(Number) : null;
  if (initialWeights && (initialWeights.length !== k || initialWeights.some((w) => !(w >= 0)))) {
    throw new ConfigException('initial.weights', weightsList.join(','), `expected ${k} non-negative numbers`);
  }
  let initialModel = (c.getString('initial.model') || (initialCentroids ? 'centroids' : 'random')) as InitialModel;
  if (initialModel === 'centroids' && !initialCentroids) throw new ConfigException('initial.centroids', '', 'required when initial.model=centroids');
  if (initialModel !== 'centroids' && initialCentroids && c.getString('initial.model')) {
    throw new ConfigException('initial.model', initialModel, 'initial.centroids is set');
  }
  if (!initialModel) initialModel = 'random';

  const decayRaw = c.getDouble('decay.factor');
  const halfLife = c.getDouble('half.life');
  if (decayRaw !== null && halfLife !== null) throw new ConfigException('half.life', halfLife, 'decay.factor is set too; give one of them');
  let decayFactor: number;
  if (halfLife !== null) {
    if (algorithm !== 'spark') throw new ConfigException('half.life', halfLife, 'only the spark algorithm has a half-life');
    if (!(halfLife > 0)) throw new ConfigException('half.life', halfLife, 'must be positive');
    decayFactor = Math.exp(Math.log(0.5) / halfLife);
  } else {
    decayFactor = decayRaw ?? (algorithm === 'flink' ? 0.0 : 1.0);
  }
  if (algorithm === 'flink' && !(decayFactor >= 0 && decayFactor <= 1)) throw new ConfigException('decay.factor', decayFactor, 'must be in [0, 1]');
  if (!(decayFactor >= 0)) throw new ConfigException('decay.factor', decayFactor, 'must be non-negative');

  const cfg: KMeansConfig = {
    algorithm,
    k,
    features,
    initialModel,
    initialCentroids,
    initialWeights,
    seed: c.getLong('seed') ?? 0,
    globalBatchSize: c.getInt('global.batch.size')!,
    decayFactor,
    timeUnit: c.getString('time.unit') as TimeUnit,
    distance: c.getString('distance') as DistanceName,
    trainTopics: c.getList('train.topics'),
    trainTopicsRegex: c.getString('train.topics.regex') ?? '',
    predictTopics: c.getList('predict.topics'),
    predictTopicsRegex: c.getString('predict.topics.regex') ?? '',
    labelField: c.getString('label.field') ?? '',
    predictionsTopic: c.getString('predictions.topic')!,
    outputFormat: (c.getString('output.format') || algorithm) as OutputFormat,
    checkpointFile: c.getString('model.checkpoint.file') ?? '',
    checkpointDir: c.getString('model.checkpoint.dir') ?? '',
    checkpoint: parseCheckpointSettings(c, props),
  };
  if (!cfg.trainTopics.length && !cfg.predictTopics.length && !cfg.trainTopicsRegex && !cfg.predictTopicsRegex) {
    throw new ConfigException('train.topics', '', 'give train.topics and/or predict.topics (or their .regex forms)');
  }
  return cfg;
}
