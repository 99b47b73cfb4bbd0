import type { Predicate } from '../../../src/connect/api/transformation.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ByLogicalTableRouter, HasHeaderKey, RecordIsTombstone, TopicNameMatches } from '../../../src/transforms/index.js';
import { adjustSchemaName } from '../../../src/transforms/debezium/by-logical-table-router.js';
import { ConfigException } from '../../../src/connect/errors.js';
import { Struct } from '../../../src/connect/data/index.js';
import { changeRecord, sinkRecord, tombstone, TOPIC } from './fixtures.js';

describe('predicates', () => {
  test('TopicNameMatches matches the whole topic name', () => {
    const p = new TopicNameMatches();
    p.configure({ pattern: 'ord.*' });
    assert.equal(p.test(sinkRecord(1, { topic: 'orders' })), true);
    assert.equal(p.test(sinkRecord(1, { topic: 'my-orders' })), false);
  });
  test('TopicNameMatches config errors', () => {
    assert.throws(() => new TopicNameMatches().configure({}), { message: 'Missing required configuration "pattern" which has no default value.' });
    assert.throws(() => new TopicNameMatches().configure({ pattern: '' }), { message: 'Invalid value  for configuration pattern: String must be non-empty' });
    assert.throws(() => new TopicNameMatches().configure({ pattern: '[' }), (e: unknown) => e instanceof ConfigException && e.message.includes('entry must be a Java-compatible regular expression'));
  });
  test('HasHeaderKey', () => {
    const p = new HasHeaderKey();
    p.configure({ name: 'trace' });
    const rec = sinkRecord(1);
    assert.equal(p.test(rec), false);
    rec.headers.add('trace', null);
    assert.equal(p.test(rec), true);
  });
  test('RecordIsTombstone is true iff the value is null', () => {
    const p: Predicate = new RecordIsTombstone();
    p.configure({});
    assert.equal(p.test(sinkRecord(null)), true);
    assert.equal(p.test(sinkRecord(0)), false);
  });
});

describe('ByLogicalTableRouter', () => {
  const route = (extra: Record<string, string> = {}) => {
    const t = new ByLogicalTableRouter();
    t.configure({ 'topic.regex': '(.*)\\.public\\.(customers)', 'topic.replacement': '$1.all.$2', ...extra });
    return t;
  };

  test('rewrites the topic, adds the physical table identifier to the key, renames schemas', () => {
    const out = route().apply(changeRecord('c', null, { id: 1, first_name: 'A', email: null }));
    assert.equal(out.topic, 'fulfillment.all.customers');
    assert.equal(out.keySchema!.name, 'fulfillment.all.customers.Key');
    assert.deepEqual(out.keySchema!.fields.map((f) => f.name), ['id', '__dbz__physicalTableIdentifier']);
    assert.equal((out.key as Struct).get('__dbz__physicalTableIdentifier'), TOPIC);
    assert.equal(out.valueSchema!.name, 'fulfillment.all.customers.Envelope');
    assert.equal(out.valueSchema!.version, 2);
    assert.equal(out.valueSchema!.field('after')!.schema.name, 'fulfillment.all.customers.Value');
    assert.equal(out.valueSchema!.field('after')!.schema.optional, true);
    const after = (out.value as Struct).get('after') as Struct;
    assert.equal(after.get('first_name'), 'A');
    assert.equal(after.schema.name, 'fulfillment.all.customers.Value');
  });

  test('key.field.name / key.field.regex / key.enforce.uniqueness', () => {
    const out = route({ 'key.field.name': 'shard', 'key.field.regex': '(.*)\\.public\\.(.*)', 'key.field.replacement': '$1' }).apply(changeRecord('c', null, { id: 1, first_name: 'A', email: null }));
    assert.equal((out.key as Struct).get('shard'), 'fulfillment');
    const plainKey = route({ 'key.enforce.uniqueness': 'false' }).apply(changeRecord('c', null, { id: 1, first_name: 'A', email: null }));
    assert.deepEqual(plainKey.keySchema!.fields.map((f) => f.name), ['id']);
    assert.throws(() => route({ 'key.field.regex': '(.*)' }), /key.field.replacement must be non-empty if key.field.regex is set/);
  });

  test('tombstones are routed with the new key; non-matching topics are untouched', () => {
    const out = route().apply(tombstone(3));
    assert.equal(out.topic, 'fulfillment.all.customers');
    assert.equal(out.value, null);
    assert.equal((out.key as Struct).get('id'), 3);
    const other = sinkRecord(1, { topic: 'x' });
    assert.equal(route().apply(other), other);
  });

  test('schema.name.adjustment.mode=avro', () => {
    assert.equal(adjustSchemaName('a-b.c', 'avro'), 'a_b.c');
    assert.equal(adjustSchemaName('1a', 'avro_unicode'), '_u0031a');
    const t = new ByLogicalTableRouter();
    t.configure({ 'topic.regex': '.*', 'topic.replacement': 'my-topic', 'schema.name.adjustment.mode': 'avro' });
    assert.equal(t.apply(changeRecord('c', null, { id: 1, first_name: 'A', email: null })).keySchema!.name, 'my_topic.Key');
  });
});
