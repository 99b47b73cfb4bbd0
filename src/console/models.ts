/**
 * Data behind the model pictures, read from the sinks' own topics with the sinks' own configs:
 * - k-means: the latest training points (the configured features and label of each JSON record);
 * - a classifier on csv images (the MNIST sink): the latest images of its prediction input topic, each with
 *   the prediction the sink wrote for it to `predictions.topic`. The n-th record of the input topic gets the
 *   n-th prediction, checked by key (both carry the label); an image whose prediction cannot be found that
 *   way is classified by the running model instead and says so (`source: "model"`).
 */
import { NotFoundException } from '../connect/errors.js';
import type { Herder } from '../connect/herder/types.js';
import type { ConsumedRecord, TopicBackend } from '../connect/topics/types.js';
import { mlTasks } from '../../ml-sinks/common/registry.js';
import type { Digit, DigitsAnswer } from './api-types.js';
import { jsonPayload } from './record-format.js';
import { readTail } from './topic-reader.js';

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

async function topicsOf(backend: TopicBackend, config: Record<string, string>, which: 'train' | 'predict'): Promise<string[]> {
  const named = list(config[`${which}.topics`]);
  if (named.length > 0) return named;
  const regex = config[`${which}.topics.regex`];
  if (!regex) return [];
  const re = new RegExp(`^(?:${regex})$`);
  return (await backend.listTopics()).filter((t) => re.test(t));
}

export interface KMeansPoints {
  features: string[];
  labelField: string | null;
  topics: string[];
  /** One row of feature values per point, newest last. */
  points: number[][];
  labels: (number | null)[];
}

export async function kmeansPoints(herder: Herder, backend: TopicBackend, name: string, limit: number): Promise<KMeansPoints> {
  const config = await herder.connectorConfig(name);
  const features = list(config['features'] ?? 'sepal_length,sepal_width,petal_length,petal_width');
  const labelField = config['label.field'] ?? 'iris_class';
  const topics = await topicsOf(backend, config, 'train');
  const records: ConsumedRecord[] = [];
  for (const t of topics) records.push(...(await readTail(backend, t, { perPartition: limit })).records);
  records.sort((a, b) => a.timestamp - b.timestamp || a.offset - b.offset);
  const out: KMeansPoints = { features, labelField: labelField || null, topics, points: [], labels: [] };
  for (const r of records.slice(-limit)) {
    const v = jsonPayload(r.value);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const row = v as Record<string, unknown>;
    const xs = features.map((f) => Number(row[f]));
    if (xs.some((x) => !Number.isFinite(x))) continue;
    out.points.push(xs);
    const label = labelField ? Number(row[labelField]) : NaN;
    out.labels.push(Number.isFinite(label) ? label : null);
  }
  return out;
}

interface PredictionValue {
  label?: number;
  prediction?: number;
  probability?: number;
}

function csvPixels(value: Buffer | null, features: number): Uint8Array | null {
  if (value === null) return null;
  const parts = value.toString('utf8').split(',');
  if (parts.length !== features) return null;
  const out = new Uint8Array(features);
  for (let i = 0; i < features; i++) out[i] = Math.max(0, Math.min(255, Number(parts[i])));
  return out;
}

export async function latestDigits(herder: Herder, backend: TopicBackend, name: string, limit: number): Promise<DigitsAnswer> {
  const config = await herder.connectorConfig(name);
  const features = Number(config['num.features'] ?? 784);
  const size = Math.round(Math.sqrt(features));
  const predictionsTopic = config['predictions.topic'] ?? 'mnist_predictions';
  if ((config['input.format'] ?? 'csv') !== 'csv' || size * size !== features) {
    throw new NotFoundException(`Connector ${name} does not classify square csv images`);
  }
  const topic = (await topicsOf(backend, config, 'predict'))[0] ?? null;
  if (topic === null) return { topic, predictionsTopic, digits: [] };

  const inputs = await readTail(backend, topic, { perPartition: limit });
  const images = inputs.records.slice(0, limit);
  // Position of each image in its topic -> the prediction at the same position (single-partition topics).
  const byOffset = new Map<number, ConsumedRecord>();
  const inStart = inputs.offsets[0]?.start ?? 0;
  if (inputs.offsets.length === 1 && images.length > 0) {
    const predOffsets = await backend.offsets(predictionsTopic).catch(() => []);
    if (predOffsets.length === 1) {
      const { start, end } = predOffsets[0]!;
      const first = start + (Math.min(...images.map((r) => r.offset)) - inStart);
      const window = end - first;
      if (window > 0 && window <= 5000) {
        for (const r of (await readTail(backend, predictionsTopic, { perPartition: window })).records) byOffset.set(r.offset - start + inStart, r);
      }
    }
  }

  const task = mlTasks.get(name);
  const digits: Digit[] = [];
  for (const r of images) {
    const pixels = csvPixels(r.value, features);
    if (!pixels) continue;
    const keyLabel = r.key === null ? null : Number(r.key.toString('utf8'));
    const digit: Digit = {
      topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      size,
      pixels: Buffer.from(pixels).toString('base64'),
      label: keyLabel !== null && Number.isInteger(keyLabel) ? keyLabel : null,
      prediction: null,
      probability: null,
      source: null,
    };
    const p = byOffset.get(r.offset);
    const pv = p && p.key?.equals(r.key ?? Buffer.alloc(0)) ? (jsonPayload(p.value) as PredictionValue | undefined) : undefined;
    if (pv && typeof pv.prediction === 'number') {
      digit.prediction = pv.prediction;
      digit.probability = pv.probability ?? null;
      if (digit.label === null && typeof pv.label === 'number') digit.label = pv.label;
      digit.source = 'topic';
    } else if (task) {
      const live = await task.predict(Array.from(pixels)).catch(() => null);
      if (live && live.prediction !== null) {
        digit.prediction = live.prediction;
        digit.probability = typeof live['probability'] === 'number' ? live['probability'] : null;
        digit.source = 'model';
      }
    }
    digits.push(digit);
  }
  return { topic, predictionsTopic, digits };
}
