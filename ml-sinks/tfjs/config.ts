/** Configuration of the TensorFlow.js classifier sink. */
import { ConfigDef, type ParsedConfig, Validators } from '../../src/connect/api/index.js';
import { ConfigException } from '../../src/connect/errors.js';
import { CHECKPOINT_TOPIC_CONFIG_DEF, type CheckpointSettings, parseCheckpointSettings } from '../common/checkpoint-store.js';
import type { BackendChoice } from './backend.js';

export type InputFormat = 'csv' | 'fields';
export type TrainingMode = 'batch' | 'online';

const G_MODEL = 'Model';
const G_DATA = 'Data';
const G_OUTPUT = 'Output';

export const TFJS_CONFIG_DEF = new ConfigDef()
  .define({ name: 'train.topics', type: 'LIST', defaultValue: '', importance: 'HIGH', group: G_DATA, documentation: 'Topics whose records train the model.' })
  .define({ name: 'train.topics.regex', type: 'STRING', defaultValue: '', group: G_DATA, documentation: 'Regex of training topics.' })
  .define({ name: 'predict.topics', type: 'LIST', defaultValue: '', importance: 'HIGH', group: G_DATA, documentation: 'Topics whose records are classified.' })
  .define({ name: 'predict.topics.regex', type: 'STRING', defaultValue: '', group: G_DATA, documentation: 'Regex of prediction topics.' })
  .define({ name: 'input.format', type: 'STRING', defaultValue: 'csv', validator: Validators.in('csv', 'fields'), group: G_DATA,
    documentation: 'csv: the value is comma-separated numbers (MnistToCsv) and the key the label; fields: named numeric fields of a struct/map value and label.field.' })
  .define({ name: 'num.features', type: 'INT', defaultValue: 784, validator: Validators.atLeast(1), group: G_DATA, documentation: 'Numbers per csv value.' })
  .define({ name: 'features', type: 'LIST', defaultValue: '', group: G_DATA, documentation: 'input.format=fields: the feature field names.' })
  .define({ name: 'label.field', type: 'STRING', defaultValue: 'label', group: G_DATA, documentation: 'input.format=fields: the label field.' })
  .define({ name: 'scale', type: 'DOUBLE', defaultValue: 255, group: G_DATA, documentation: 'Inputs are divided by this (255 for pixels).' })
  .define({ name: 'num.classes', type: 'INT', defaultValue: 10, validator: Validators.between(2, 65536), group: G_MODEL, documentation: 'Number of classes; labels are 0..num.classes-1.' })
  .define({ name: 'hidden.layers', type: 'LIST', defaultValue: '128', group: G_MODEL, documentation: 'Units of each hidden ReLU layer (empty: a linear model).' })
  .define({ name: 'learning.rate', type: 'DOUBLE', defaultValue: 0.001, group: G_MODEL, documentation: 'Adam learning rate.' })
  .define({ name: 'batch.size', type: 'INT', defaultValue: 64, validator: Validators.atLeast(1), group: G_MODEL, documentation: 'Mini-batch size.' })
  .define({ name: 'training.mode', type: 'STRING', defaultValue: 'batch', validator: Validators.in('batch', 'online'), group: G_MODEL,
    documentation: 'batch: train `epochs` over everything received once the training topics were idle stream.timeout.ms (the notebook); online: a step per arriving mini-batch.' })
  .define({ name: 'epochs', type: 'INT', defaultValue: 5, validator: Validators.atLeast(1), group: G_MODEL, documentation: 'batch mode: epochs per training round.' })
  .define({ name: 'epochs.per.batch', type: 'INT', defaultValue: 1, validator: Validators.atLeast(1), group: G_MODEL, documentation: 'online mode: steps per mini-batch.' })
  .define({ name: 'replay.samples', type: 'INT', defaultValue: 0, validator: Validators.atLeast(0), group: G_MODEL,
    documentation: 'online mode: older samples mixed into each step (a replay buffer over everything kept).' })
  .define({ name: 'stream.timeout.ms', type: 'LONG', defaultValue: 9000, validator: Validators.atLeast(1), group: G_MODEL,
    documentation: 'Idle time of the training topics after which pending samples are trained (the notebook\'s KAFKA_STREAM_TIMEOUT).' })
  .define({ name: 'train.limit', type: 'LONG', defaultValue: 0, validator: Validators.atLeast(0), group: G_MODEL, documentation: 'Stop training after this many samples (0: no limit).' })
  .define({ name: 'seed', type: 'INT', defaultValue: 42, group: G_MODEL, documentation: 'Seed of the initial weights and the shuffles.' })
  .define({ name: 'backend', type: 'STRING', defaultValue: 'auto', validator: Validators.in('auto', 'wasm', 'cpu'), group: G_MODEL, documentation: 'tfjs backend.' })
  .define({ name: 'predictions.topic', type: 'STRING', defaultValue: 'mnist_predictions', validator: Validators.nonEmptyString(), group: G_OUTPUT, documentation: 'Topic the predictions are written to.' })
  .define({ name: 'output.format', type: 'STRING', defaultValue: 'json', validator: Validators.in('json', 'digit'), group: G_OUTPUT,
    documentation: 'json: {"label"?, "prediction", "probability", "probabilities"}; digit: the predicted class alone.' })
  .define({ name: 'model.checkpoint.file', type: 'STRING', defaultValue: '', group: G_OUTPUT, documentation: 'Directory holding the model checkpoint (model.json, weights.bin, state.json).' })
  .define({ name: 'model.checkpoint.dir', type: 'STRING', defaultValue: '', group: G_OUTPUT,
    documentation: 'Parent directory for the checkpoint (<connector>-<task>.tfjs) when model.checkpoint.file is not set.' })
  .merge(CHECKPOINT_TOPIC_CONFIG_DEF);

export interface TfjsConfig {
  trainTopics: string[];
  trainTopicsRegex: string;
  predictTopics: string[];
  predictTopicsRegex: string;
  inputFormat: InputFormat;
  numFeatures: number;
  features: string[];
  labelField: string;
  scale: number;
  numClasses: number;
  hidden: number[];
  learningRate: number;
  batchSize: number;
  mode: TrainingMode;
  epochs: number;
  epochsPerBatch: number;
  replaySamples: number;
  streamTimeoutMs: number;
  trainLimit: number;
  seed: number;
  backend: BackendChoice;
  predictionsTopic: string;
  outputFormat: 'json' | 'digit';
  checkpointFile: string;
  checkpointDir: string;
  /** Where the model is checkpointed: files, a Kafka topic, or nowhere. */
  checkpoint: CheckpointSettings;
}

export function parseTfjsConfig(props: Record<string, string>): TfjsConfig {
  const c: ParsedConfig = TFJS_CONFIG_DEF.parse(props);
  const inputFormat = c.getString('input.format') as InputFormat;
  const features = c.getList('features');
  if (inputFormat === 'fields' && features.length === 0) throw new ConfigException('features', '', 'required when input.format=fields');
  const hidden = c.getList('hidden.layers').map((u) => {
    const n = Number(u);
    if (!Number.isInteger(n) || n < 1) throw new ConfigException('hidden.layers', c.getList('hidden.layers').join(','), `'${u}' is not a positive integer`);
    return n;
  });
  const scale = c.getDouble('scale')!;
  if (!(scale > 0)) throw new ConfigException('scale', scale, 'must be positive');
  const cfg: TfjsConfig = {
    trainTopics: c.getList('train.topics'),
    trainTopicsRegex: c.getString('train.topics.regex') ?? '',
    predictTopics: c.getList('predict.topics'),
    predictTopicsRegex: c.getString('predict.topics.regex') ?? '',
    inputFormat,
    numFeatures: inputFormat === 'fields' ? features.length : c.getInt('num.features')!,
    features,
    labelField: c.getString('label.field') ?? '',
    scale,
    numClasses: c.getInt('num.classes')!,
    hidden,
    learningRate: c.getDouble('learning.rate')!,
    batchSize: c.getInt('batch.size')!,
    mode: c.getString('training.mode') as TrainingMode,
    epochs: c.getInt('epochs')!,
    epochsPerBatch: c.getInt('epochs.per.batch')!,
    replaySamples: c.getInt('replay.samples')!,
    streamTimeoutMs: c.getLong('stream.timeout.ms')!,
    trainLimit: c.getLong('train.limit')!,
    seed: c.getInt('seed')!,
    backend: c.getString('backend') as BackendChoice,
    predictionsTopic: c.getString('predictions.topic')!,
    outputFormat: c.getString('output.format') as 'json' | 'digit',
    checkpointFile: c.getString('model.checkpoint.file') ?? '',
    checkpointDir: c.getString('model.checkpoint.dir') ?? '',
    checkpoint: parseCheckpointSettings(c, props),
  };
  if (!cfg.trainTopics.length && !cfg.predictTopics.length && !cfg.trainTopicsRegex && !cfg.predictTopicsRegex) {
    throw new ConfigException('train.topics', '', 'give train.topics and/or predict.topics (or their .regex forms)');
  }
  return cfg;
}
