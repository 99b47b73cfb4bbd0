import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { FileOffsetStore, MemoryOffsetStore } from '../../../src/connect/storage/offset-store.js';
import { parseEngineConfig, parseThreads } from '../../../src/engine/engine-config.js';
import { checkFormat, converterProps } from '../../../src/engine/formats.js';
import { retryDelay, withRetries } from '../../../src/engine/retry.js';
import { RetriableException } from '../../../src/connect/errors.js';

const base = { name: 'e', 'connector.class': 'PostgresConnector' };

describe('engine properties', () => {
  test('defaults as in Debezium, every property passed on as a string', () => {
    const s = parseEngineConfig({ ...base, 'offset.storage': 'memory', 'poll.interval.ms': 100, 'tombstones.on.delete': false });
    assert.ok(s.offsetStore instanceof MemoryOffsetStore);
    assert.equal(s.offsetFlushIntervalMs, 60_000);
    assert.equal(s.offsetFlushTimeoutMs, 5_000);
    assert.deepEqual(s.retry, { maxRetries: -1, initialDelayMs: 300, maxDelayMs: 10_000 });
    assert.equal(s.order, 'ORDERED');
    assert.equal(s.threads, availableParallelism());
    assert.equal(s.serialConsumer, false);
    assert.equal(s.connectorProps['poll.interval.ms'], '100');
    assert.equal(s.connectorProps['tombstones.on.delete'], 'false');
  });

  test('offset.storage: file needs a file name; memory; an application store', () => {
    assert.throws(() => parseEngineConfig(base), /offset.storage.file.filename/);
    const file = parseEngineConfig({ ...base, 'offset.storage.file.filename': '/tmp/x.json' });
    assert.ok(file.offsetStore instanceof FileOffsetStore);
    assert.equal(file.offsetStoreProvided, false);
    const mine = new MemoryOffsetStore();
    const custom = parseEngineConfig({ ...base, 'offset.storage': mine });
    assert.equal(custom.offsetStore, mine);
    assert.equal(custom.offsetStoreProvided, true);
    assert.equal(custom.connectorProps['offset.storage'], undefined, 'the store object is not a connector property');
    assert.throws(() => parseEngineConfig({ ...base, 'offset.storage': 'redis' }), /offset.storage/);
  });

  test('required keys and bad values', () => {
    assert.throws(() => parseEngineConfig({ 'connector.class': 'x', 'offset.storage': 'memory' }), /"name"/);
    assert.throws(() => parseEngineConfig({ name: 'e', 'offset.storage': 'memory' }), /"connector.class"/);
    assert.throws(() => parseEngineConfig({ ...base, 'offset.storage': 'memory', 'record.processing.order': 'RANDOM' }), /record.processing.order/);
    assert.equal(parseEngineConfig({ ...base, 'offset.storage': 'memory', 'record.processing.order': 'unordered' }).order, 'UNORDERED');
    assert.equal(parseThreads('AVAILABLE_CORES'), availableParallelism());
    assert.equal(parseThreads(' 3 '), 3);
    assert.throws(() => parseThreads('0'), /record.processing.threads/);
  });

  test('formats and converter keys', () => {
    assert.throws(() => checkFormat('avro'), /Avro is not available yet/);
    assert.equal(checkFormat('cloudevents'), 'cloudevents');
    assert.deepEqual(
      converterProps({ 'converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'true', 'value.converter.decimal.format': 'NUMERIC' }, 'key.converter'),
      { 'schemas.enable': 'true' },
    );
    assert.deepEqual(
      converterProps({ 'converter.schemas.enable': 'false', 'value.converter.decimal.format': 'NUMERIC' }, 'value.converter'),
      { 'schemas.enable': 'false', 'decimal.format': 'NUMERIC' },
    );
  });
});

describe('retries', () => {
  const settings = { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 350 };

  test('delays double up to the maximum', () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelay(settings, a)), [100, 200, 350, 350]);
  });

  test('retriable errors are retried errors.max.retries times; others fail at once', async () => {
    const slept: number[] = [];
    const hooks = { stopped: () => false, sleep: async (ms: number) => void slept.push(ms) };
    let calls = 0;
    await assert.rejects(withRetries(settings, hooks, () => {
      calls++;
      throw new RetriableException('down');
    }), /down/);
    assert.equal(calls, 4);
    assert.deepEqual(slept, [100, 200, 350]);

    calls = 0;
    await assert.rejects(withRetries(settings, hooks, () => {
      calls++;
      throw new Error('bad');
    }), /bad/);
    assert.equal(calls, 1);

    calls = 0;
    const value = await withRetries({ ...settings, maxRetries: -1 }, hooks, () => {
      if (++calls < 10) throw new RetriableException('again');
      return 'ok';
    });
    assert.equal(value, 'ok');
    assert.equal(calls, 10);
  });

  test('stopping ends the retries', async () => {
    let stopped = false;
    let calls = 0;
    await assert.rejects(withRetries({ ...settings, maxRetries: -1 }, { stopped: () => stopped, sleep: async () => void (stopped = true) }, () => {
      calls++;
      throw new RetriableException('down');
    }));
    assert.equal(calls, 1);
  });
});
