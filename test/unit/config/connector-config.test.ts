import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectException } from '../../../src/connect/errors.js';
import {
  connectorConfigDef,
  enrichedConnectorConfigDef,
  sinkConnectorConfigDef,
  sourceConnectorConfigDef,
  transformationStages,
} from '../../../src/connect/runtime/connector-config.js';
import { testRegistry } from './test-plugins.js';

const registry = testRegistry();

describe('framework connector ConfigDefs', () => {
  test('ConnectorConfig keys in Kafka order with defaults and groups', () => {
    const def = connectorConfigDef();
    assert.deepEqual(def.configKeys().map((k) => k.name), [
      'name', 'connector.class', 'tasks.max', 'tasks.max.enforce', 'key.converter', 'value.converter', 'header.converter',
      'transforms', 'predicates', 'config.action.reload', 'errors.retry.timeout', 'errors.retry.delay.max.ms',
      'errors.tolerance', 'errors.log.enable', 'errors.log.include.messages',
    ]);
    assert.deepEqual(def.groups(), ['Common', 'Transforms', 'Predicates', 'Error Handling']);
    assert.equal(def.key('errors.retry.delay.max.ms')!.defaultValue, 60000);
    assert.equal(def.key('transforms')!.orderInGroup, 8);
  });

  test('sink and source additions', () => {
    const sink = sinkConnectorConfigDef();
    assert.equal(sink.key('errors.deadletterqueue.topic.replication.factor')!.type, 'SHORT');
    assert.equal(sink.key('topics.regex')!.orderInGroup, 4);
    const source = sourceConnectorConfigDef();
    assert.deepEqual(source.groups(), ['Common', 'Transforms', 'Predicates', 'Error Handling', 'Topic Creation', 'Exactly Once Support', 'offsets.topic']);
    assert.equal(source.key('transaction.boundary')!.defaultValue, 'poll');
    assert.equal(source.parse({ name: 'n', 'connector.class': 'X', 'transaction.boundary': 'Interval' }).getString('transaction.boundary'), 'Interval');
    assert.throws(() => source.parse({ name: 'n', 'connector.class': 'X', 'offsets.storage.topic': '' }), /String must be non-empty/);
  });

  test('enrichment adds the transform and predicate keys', () => {
    const def = enrichedConnectorConfigDef(registry, { transforms: 'r', 'transforms.r.type': 'RenameTopic', predicates: 'p', 'predicates.p.type': 'IsTopic' }, 'sink');
    assert.ok(def.has('transforms.r.suffix') && def.has('transforms.r.negate') && def.has('predicates.p.topic'));
    assert.equal(def.key('transforms.r.suffix')!.group, 'Transforms: r');
    assert.equal(def.key('predicates.p.topic')!.group, 'Predicates: p');
    // an unknown class contributes only its .type key during validation, and fails a full parse
    const partial = enrichedConnectorConfigDef(registry, { transforms: 'x', 'transforms.x.type': 'Nope' }, 'source');
    assert.ok(partial.has('transforms.x.type') && !partial.has('transforms.x.negate'));
    assert.throws(() => enrichedConnectorConfigDef(registry, { transforms: 'x', 'transforms.x.type': 'Nope' }, 'source', true), /Class Nope could not be found/);
  });
});

describe('transformationStages', () => {
  test('builds configured transforms with predicates and negate', () => {
    const stages = transformationStages(registry, {
      transforms: 'a,b', 'transforms.a.type': 'RenameTopic', 'transforms.a.suffix': '-a',
      'transforms.b.type': 'com.example.transforms.RenameTopic', 'transforms.b.suffix': '-b', 'transforms.b.predicate': 'p', 'transforms.b.negate': 'TRUE',
      predicates: 'p', 'predicates.p.type': 'IsTopic', 'predicates.p.topic': 'x',
    });
    assert.deepEqual(stages.map((s) => [s.alias, s.className, s.predicate !== null, s.negate]), [
      ['a', 'com.example.transforms.RenameTopic', false, false],
      ['b', 'com.example.transforms.RenameTopic', true, true],
    ]);
    assert.deepEqual(transformationStages(registry, {}), []);
  });

  test('an unknown transform class fails with a ConnectException naming the cause', () => {
    assert.throws(
      () => transformationStages(registry, { transforms: 'a', 'transforms.a.type': 'Nope' }),
      (e: unknown) => e instanceof ConnectException && e.message === 'org.apache.kafka.common.config.ConfigException: Invalid value Nope for configuration transforms.a.type: Class Nope could not be found.',
    );
  });
});
