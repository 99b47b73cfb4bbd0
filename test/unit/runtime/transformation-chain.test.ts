import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigDef } from '../../../src/connect/api/config-def.js';
import type { Predicate, Transformation } from '../../../src/connect/api/transformation.js';
import { type AnyRecord, SourceRecord } from '../../../src/connect/data/records.js';
import { RetryWithToleranceOperator } from '../../../src/connect/runtime/errors/retry-with-tolerance.js';
import { TransformationChain } from '../../../src/connect/runtime/transformation-chain.js';

const suffix = (s: string): Transformation => ({
  configure() {},
  apply: (r: AnyRecord) => r.newRecord({ topic: r.topic + s }),
  config: () => new ConfigDef(),
  close() {},
});
const topicIs = (t: string): Predicate => ({ configure() {}, test: (r) => r.topic === t, config: () => new ConfigDef(), close() {} });
const record = (topic: string) => new SourceRecord({ topic, kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: 'v', timestamp: null, sourcePartition: null, sourceOffset: null });
const op = () => new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 0, tolerance: 'none' });

test('a transform applies iff it has no predicate, or negate XOR predicate', () => {
  const chain = new TransformationChain(
    [
      { alias: 'a', className: 'A', transform: suffix('-a'), predicate: topicIs('t'), negate: false },
      { alias: 'b', className: 'B', transform: suffix('-b'), predicate: topicIs('t-a'), negate: true },
      { alias: 'c', className: 'C', transform: suffix('-c'), predicate: null, negate: false },
    ],
    op(),
  );
  assert.equal(chain.apply(record('t'))!.topic, 't-a-c');
  assert.equal(chain.apply(record('u'))!.topic, 'u-b-c');
});

test('a transform returning null drops the record', () => {
  const drop: Transformation = { configure() {}, apply: () => null, config: () => new ConfigDef(), close() {} };
  const chain = new TransformationChain([{ alias: 'f', className: 'F', transform: drop, predicate: null, negate: false }], op());
  assert.equal(chain.apply(record('t')), null);
});

test('a failing transform or predicate goes through the error operator (skipped with tolerance all)', () => {
  const boom: Predicate = { configure() {}, test: () => { throw new Error('predicate failed'); }, config: () => new ConfigDef(), close() {} };
  const stages = [{ alias: 'a', className: 'A', transform: suffix('-a'), predicate: boom, negate: false }];
  const tolerant = new TransformationChain(stages, new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 0, tolerance: 'all' }));
  assert.equal(tolerant.apply(record('t')), null);
  const strict = new TransformationChain(stages, op());
  assert.throws(() => strict.apply(record('t')), /Tolerance exceeded in error handler/);
});
