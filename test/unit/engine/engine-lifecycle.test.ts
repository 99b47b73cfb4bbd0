/**
 * The engine's lifecycle and delivery contract on a connector without servers (Kafka's FileStreamSource):
 * retries of retriable handler errors, a failing handler, the graceful stop draining the batch in flight,
 * transforms and formats, and configuration errors.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetriableException, type SourceRecord } from '../../../src/index.js';
import { MemoryOffsetStore } from '../../../src/connect/storage/offset-store.js';
import { createEngine, type EngineProperties } from '../../../src/engine/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('engine lifecycle on FileStreamSource', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsconnect-engine-unit-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A file with the given lines, engine properties reading it, and the store that receives the offsets. */
  async function setUp(lines: string[], extra: EngineProperties = {}) {
    const file = join(dir, `input-${++n}.txt`);
    await writeFile(file, lines.map((l) => l + '\n').join(''));
    const store = new MemoryOffsetStore();
    const properties: EngineProperties = {
      name: 'file-engine',
      'connector.class': 'FileStreamSource',
      file,
      topic: 'lines',
      'offset.storage': store,
      'errors.retry.delay.initial.ms': 1,
      ...extra,
    };
    const stored = async (): Promise<number | null> => {
      const text = (await store.entries()).get(JSON.stringify(['file-engine', { filename: file }]));
      return text ? (JSON.parse(text) as { position: number }).position : null;
    };
    return { file, store, properties, stored };
  }

  test('a retriable handler error is retried with the records not marked yet', async () => {
    const { properties, stored } = await setUp(['a', 'b', 'c'], { 'errors.max.retries': 3 });
    const calls: string[][] = [];
    const engine = createEngine({
      properties,
      handler: (records: SourceRecord[], committer) => {
        calls.push(records.map((r) => r.value as string));
        committer.markProcessed(records[0]!);
        if (calls.length === 1) throw new RetriableException('try again');
        committer.markBatchFinished();
      },
    });
    await engine.start();
    await waitFor(() => calls.length === 2, 'the retry');
    await engine.stop();
    assert.deepEqual(calls, [['a', 'b', 'c'], ['b', 'c']]);
    assert.equal(await stored(), 6);
    assert.equal((await engine.completion).success, true);
  });

  test('a failing handler: completion reports it, offsets stop before the failed record, a restart resumes there', async () => {
    const { properties, stored } = await setUp(['a', 'b', 'c'], { 'errors.max.retries': 0 });
    const completions: [boolean, string, Error | null][] = [];
    const engine = createEngine({
      properties,
      recordHandler: (r: SourceRecord) => {
        if (r.value === 'b') throw new RetriableException('b is bad');
      },
      completion: (...args) => void completions.push(args),
    });
    await engine.start().catch(() => undefined);
    const result = await engine.completion;
    assert.equal(result.success, false);
    assert.equal(result.error?.message, 'b is bad');
    assert.equal(completions.length, 1);
    assert.equal(completions[0]![1], "Connector 'file-engine' failed: b is bad");
    assert.equal(await stored(), 2, 'only line a is processed');

    const seen: string[] = [];
    const again = createEngine({ properties, recordHandler: (r: SourceRecord) => void seen.push(r.value as string) });
    await again.start();
    await waitFor(() => seen.length === 2, 'b and c');
    await again.stop();
    assert.deepEqual(seen, ['b', 'c']);
    assert.equal(await stored(), 6);
  });

  test('stop drains the batch in flight and flushes its offsets', async () => {
    const { properties, stored } = await setUp(['a', 'b'], { 'offset.flush.interval.ms': 3_600_000 });
    let entered = false;
    const engine = createEngine({
      properties,
      handler: async (records: SourceRecord[], committer) => {
        entered = true;
        await sleep(300);
        committer.markBatchFinished();
      },
    });
    await engine.start();
    await waitFor(() => entered, 'the handler');
    await engine.stop();
    assert.equal(await stored(), 4);
  });

  test('transforms and the json-bytes format; a record handler with the serial consumer', async () => {
    const { properties } = await setUp(['x', 'y'], {
      transforms: 'route',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'lines',
      'transforms.route.replacement': 'routed-lines',
      'record.processing.with.serial.consumer': true,
    });
    const events: { destination: string; value: Buffer | null; key: Buffer | null }[] = [];
    const engine = createEngine({ properties, format: 'json-bytes', recordHandler: (e) => void events.push(e) });
    await engine.start();
    await waitFor(() => events.length === 2, 'two events');
    await engine.stop();
    assert.deepEqual(events.map((e) => e.destination), ['routed-lines', 'routed-lines']);
    assert.ok(Buffer.isBuffer(events[0]!.value));
    assert.deepEqual(JSON.parse(events[0]!.value!.toString()), { schema: { type: 'string', optional: false }, payload: 'x' });
    assert.equal(events[0]!.key, null);
  });

  test('configuration errors reject start and complete unsuccessfully', async () => {
    const { properties } = await setUp(['a']);
    for (const [props, message] of [
      [{ ...properties, 'connector.class': 'NoSuchConnector' }, /Failed to find any class/],
      [{ ...properties, 'connector.class': 'FileStreamSink' }, /not a source connector/],
      [{ ...properties, transforms: 'x', 'transforms.x.type': 'Nope' }, /Nope/],
    ] as const) {
      const engine = createEngine({ properties: props, recordHandler: () => {} });
      await assert.rejects(engine.start(), message);
      assert.equal((await engine.completion).success, false);
    }
    const both = createEngine({ properties, recordHandler: () => {}, handler: () => {} });
    await assert.rejects(both.start(), /exactly one/);
  });
});
