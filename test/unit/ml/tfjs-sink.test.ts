/**
 * The TensorFlow.js classifier sink on real MNIST records as MnistToCsv writes them (key = label, value =
 * 784 comma-separated bytes): it learns from 2,000 training images and classifies 500 test images.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrantRecordReporter, SinkTaskContext, TopicPartition } from '../../../src/connect/api/index.js';
import { topicPartition } from '../../../src/connect/api/index.js';
import { Schema, SinkRecord, type SourceRecord } from '../../../src/connect/data/index.js';
import { DataException } from '../../../src/connect/errors.js';
import { loadMnist } from '../../../ml-sinks/datasets.js';
import { parseCsv } from '../../../ml-sinks/tfjs/samples.js';
import { TfjsClassifierSinkTask } from '../../../ml-sinks/tfjs/task.js';
import { mlTasks } from '../../../ml-sinks/common/registry.js';

const TRAIN = 'tf.public.mnist_train';
const TEST = 'tf.public.mnist_test';

function csvRecords(topic: string, images: { label: number; pixels: Buffer }[], firstOffset = 0): SinkRecord[] {
  return images.map((im, i) => new SinkRecord({
    topic, kafkaPartition: 0, kafkaOffset: firstOffset + i,
    keySchema: Schema.STRING_SCHEMA, key: String(im.label), valueSchema: Schema.STRING_SCHEMA, value: Array.from(im.pixels).join(','), timestamp: null,
  }));
}

function context(name: string, produced: SourceRecord[], reporter: ErrantRecordReporter | null = null): SinkTaskContext {
  return {
    taskId: { connector: name, task: 0 }, configs: {}, offset() {}, timeout() {}, assignment: () => [], pause() {}, resume() {}, requestCommit() {},
    errantRecordReporter: () => reporter,
    async produce(records) { produced.push(...records); },
  };
}

async function startTask(name: string, props: Record<string, string>, produced: SourceRecord[], reporter: ErrantRecordReporter | null = null) {
  const task = new TfjsClassifierSinkTask();
  task.initialize(context(name, produced, reporter));
  await task.start({ name, 'train.topics': TRAIN, 'predict.topics': TEST, 'stream.timeout.ms': '600000', ...props });
  return task;
}

const train = loadMnist('train', 2000);
const testImages = loadMnist('test', 500);

describe('TfjsClassifierSinkTask', () => {
  test('batch mode (the notebook): 5 epochs over 2,000 images, then >= 80% on 500 test images', async () => {
    const produced: SourceRecord[] = [];
    const task = await startTask('mnist-batch', { 'training.mode': 'batch', epochs: '5' }, produced);
    const t0 = performance.now();
    for (let i = 0; i < train.length; i += 500) await task.put(csvRecords(TRAIN, train.slice(i, i + 500), i));
    // Test records arriving while a training round is due wait for it.
    await task.put(csvRecords(TEST, testImages));
    assert.equal(produced.length, 0);
    assert.equal(task.status().waitingPredictions, 500);
    // Offsets of untrained samples and waiting predictions are not committed yet.
    const tpTrain = topicPartition(TRAIN, 0);
    const tpTest = topicPartition(TEST, 0);
    const safe = await task.preCommit(new Map<TopicPartition, number>([[tpTrain, 2000], [tpTest, 500]]));
    assert.equal(safe.get(tpTrain), 0);
    assert.equal(safe.get(tpTest), 0);

    await task.trainNow();
    const secs = (performance.now() - t0) / 1000;
    assert.equal(produced.length, 500);
    const values = produced.map((r) => JSON.parse(String(r.value)) as { label: number; prediction: number; probability: number; probabilities: number[] });
    const acc = values.filter((v) => v.label === v.prediction).length / values.length;
    const st = task.status();
    console.log(`# tfjs batch mode: backend ${String(st['backend'])}, accuracy ${acc.toFixed(3)} on 500, ${secs.toFixed(1)} s, ` +
      `${Math.round(Number(st.metrics['trainSamplesPerSec']))} training samples/s`);
    assert.ok(acc >= 0.8, `accuracy ${acc}`);
    assert.equal(st.metrics['accuracy'], acc);
    assert.equal(st.modelVersion, 1);
    assert.equal(produced[0]!.key, String(testImages[0]!.label));
    assert.equal(produced[0]!.topic, 'mnist_predictions');
    assert.equal(values[0]!.probabilities.length, 10);
    assert.ok(values[0]!.probability > 0 && values[0]!.probability <= 1);
    const after = await task.preCommit(new Map<TopicPartition, number>([[tpTrain, 2000], [tpTest, 500]]));
    assert.equal(after.get(tpTrain), 2000);
    assert.equal(after.get(tpTest), 500);
    // REST-style prediction with raw pixels.
    const p = await task.predict(Array.from(testImages[0]!.pixels));
    assert.equal(p.prediction, values[0]!.prediction);
    assert.equal(mlTasks.get('mnist-batch'), task);
    await task.stop();
  });

  test('online mode: a step per mini-batch, prequential accuracy, checkpoint restored after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-ckpt-'));
    try {
      const produced: SourceRecord[] = [];
      const props = { 'training.mode': 'online', 'epochs.per.batch': '2', 'model.checkpoint.dir': dir, 'train.limit': '1600' };
      const task = await startTask('mnist-online', props, produced);
      await task.put(csvRecords(TRAIN, train, 0));
      const st = task.status();
      assert.equal(st.samplesSeen, 1600); // train.limit
      assert.equal(st.modelVersion, 25); // 1600 / 64
      assert.ok((st.metrics['prequentialAccuracy'] ?? 0) > 0.5, String(st.metrics['prequentialAccuracy']));
      await task.put(csvRecords(TEST, testImages.slice(0, 100)));
      assert.equal(produced.length, 100);
      await task.preCommit(new Map());
      const before = await task.predict(Array.from(testImages[0]!.pixels));
      await task.stop();

      const again = await startTask('mnist-online', props, []);
      assert.equal(again.status().modelVersion, 25);
      const after = await again.predict(Array.from(testImages[0]!.pixels));
      assert.equal(after.prediction, before.prediction);
      assert.ok(Math.abs(Number(after['probability']) - Number(before['probability'])) < 1e-6);
      // Redelivered test records are already predicted and written: skipped.
      const produced2: SourceRecord[] = [];
      await again.stop();
      const third = await startTask('mnist-online', props, produced2);
      await third.put(csvRecords(TEST, testImages.slice(0, 100)));
      assert.equal(produced2.length, 0);
      await third.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('batch mode trains by itself once the training topic was idle stream.timeout.ms', async () => {
    const produced: SourceRecord[] = [];
    const task = await startTask('mnist-idle', { 'training.mode': 'batch', epochs: '1', 'stream.timeout.ms': '50' }, produced);
    await task.put(csvRecords(TRAIN, train.slice(0, 256)));
    await task.put(csvRecords(TEST, testImages.slice(0, 10)));
    assert.equal(produced.length, 0);
    const deadline = Date.now() + 20000;
    while (produced.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(produced.length, 10);
    assert.equal(task.status().modelVersion, 1);
    assert.equal(task.status().trainedSamples, 256);
    await task.stop();
  });

  test('bad records (width, bytes, label) are reported, never trained on', async () => {
    const reported: Error[] = [];
    const task = await startTask('mnist-bad', { 'training.mode': 'online' }, [], { async report(_r, e) { reported.push(e); } });
    const good = Array.from(train[0]!.pixels).join(',');
    const rec = (key: string, value: string, off: number) => new SinkRecord({ topic: TRAIN, kafkaPartition: 0, kafkaOffset: off, keySchema: null, key, valueSchema: null, value, timestamp: null });
    await task.put([rec('3', '1,2,3', 0), rec('3', good.replace(/^0,/, '256,'), 1), rec('11', good, 2), rec('x', good, 3), rec('3', good.replace(/^0,/, 'NaN,'), 4)]);
    assert.equal(reported.length, 5);
    assert.ok(reported.every((e) => e instanceof DataException));
    assert.equal(task.status().samplesSeen, 0);
    await task.stop();
  });
});

test('parseCsv', () => {
  const out = new Uint8Array(3);
  parseCsv('0,255,17', out, true);
  assert.deepEqual(Array.from(out), [0, 255, 17]);
  assert.throws(() => parseCsv('0,255', out, true), /got 2/);
  assert.throws(() => parseCsv('0,255,1,2', out, true), /got more/);
  assert.throws(() => parseCsv('0,-1,2', out, true), /not a byte/);
  const f = new Float32Array(2);
  parseCsv('0.5, 1e2', f, false);
  assert.deepEqual(Array.from(f), [0.5, 100]);
});
