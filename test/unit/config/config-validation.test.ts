import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectException } from '../../../src/connect/errors.js';
import { configErrorsMessage, configKeyInfos, validateConnectorConfig } from '../../../src/connect/herder/config-validation.js';
import { BadRequestError, type ConfigInfos } from '../../../src/connect/herder/types.js';
import { NotFoundException } from '../../../src/connect/errors.js';
import { testRegistry } from './test-plugins.js';

const registry = testRegistry();
const SINK = { name: 'snk', 'connector.class': 'TestSink', topics: 't1' };

function value(infos: ConfigInfos, name: string) {
  const c = infos.configs.find((x) => (x.definition?.name ?? x.value?.name) === name);
  assert.ok(c, `no entry for ${name}`);
  return c;
}

describe('validateConnectorConfig (ConfigInfos)', () => {
  test('a valid sink config: name is the given class, Kafka groups, no errors', async () => {
    const infos = await validateConnectorConfig(registry, SINK);
    assert.equal(infos.name, 'TestSink');
    assert.equal(infos.error_count, 0);
    assert.deepEqual(infos.groups, ['Common', 'Transforms', 'Predicates', 'Error Handling']);
    assert.deepEqual(Object.keys(infos), ['name', 'error_count', 'groups', 'configs']);
    const name = value(infos, 'name');
    assert.deepEqual(name.definition, {
      name: 'name', type: 'STRING', required: true, default_value: null, importance: 'HIGH',
      documentation: 'Globally unique name to use for this connector.', group: 'Common', width: 'MEDIUM',
      display_name: 'Connector name', dependents: [], order: 1,
    });
    assert.deepEqual(name.value, { name: 'name', value: 'snk', recommended_values: [], errors: [], visible: true });
    assert.deepEqual(infos.configs.slice(0, 4).map((c) => c.definition?.name), ['name', 'connector.class', 'tasks.max', 'tasks.max.enforce']);
  });

  test('tasks.max "abc" gives the type error and the range non-null error, value null', async () => {
    const infos = await validateConnectorConfig(registry, { ...SINK, 'tasks.max': 'abc' });
    assert.equal(infos.error_count, 2);
    assert.deepEqual(value(infos, 'tasks.max').value, {
      name: 'tasks.max', value: null, recommended_values: [],
      errors: ['Invalid value abc for configuration tasks.max: Not a number of type INT', 'Invalid value null for configuration tasks.max: Value must be non-null'],
      visible: true,
    });
    assert.equal((await validateConnectorConfig(registry, { ...SINK, 'tasks.max': '0' })).configs.find((c) => c.value?.name === 'tasks.max')!.value!.errors[0],
      'Invalid value 0 for configuration tasks.max: Value must be at least 1');
  });

  test('missing required keys, empty name, control characters', async () => {
    const infos = await validateConnectorConfig(registry, { 'connector.class': 'com.example.TestSourceConnector' });
    assert.equal(infos.name, 'com.example.TestSourceConnector');
    assert.deepEqual(value(infos, 'name').value!.errors, ['Missing required configuration "name" which has no default value.']);
    assert.deepEqual(value(infos, 'file').value!.errors, ['Missing required configuration "file" which has no default value.']);
    assert.equal(infos.error_count, 2);
    assert.deepEqual(infos.groups, ['Common', 'Transforms', 'Predicates', 'Error Handling', 'Topic Creation', 'Exactly Once Support', 'offsets.topic', 'Source']);
    const empty = await validateConnectorConfig(registry, { ...SINK, name: '' });
    assert.deepEqual(value(empty, 'name').value!.errors, ['Invalid value  for configuration name: String may not be empty']);
    const ctl = await validateConnectorConfig(registry, { ...SINK, name: 'a\tb' });
    assert.deepEqual(value(ctl, 'name').value!.errors, ['Invalid value a\tb for configuration name: String may not contain control sequences but had the following ASCII chars: 9']);
  });

  test('sink topic checks and the DLQ topic', async () => {
    const none = await validateConnectorConfig(registry, { name: 's', 'connector.class': 'TestSink' });
    assert.deepEqual(value(none, 'topics').value!.errors, ['Must configure one of topics or topics.regex']);
    assert.deepEqual(value(none, 'topics.regex').value!.errors, ['Must configure one of topics or topics.regex']);
    const both = await validateConnectorConfig(registry, { ...SINK, 'topics.regex': 't.*' });
    assert.deepEqual(value(both, 'topics').value!.errors, ['topics and topics.regex are mutually exclusive options, but both are set.']);
    const dlq = await validateConnectorConfig(registry, { ...SINK, topics: 't1, dlq', 'errors.deadletterqueue.topic.name': 'dlq' });
    assert.deepEqual(value(dlq, 'topics').value!.errors, ["The DLQ topic 'dlq' may not be included in the list of topics ('topics=[t1, dlq]') consumed by the connector"]);
    // a DLQ makes the sink use a producer and an admin client: their override sections appear
    const withOverride = await validateConnectorConfig(registry, { ...SINK, 'errors.deadletterqueue.topic.name': 'dlq', 'producer.override.linger.ms': '5' });
    assert.deepEqual(value(withOverride, 'producer.override.linger.ms'), {
      definition: null, value: { name: 'producer.override.linger.ms', value: '5', recommended_values: [], errors: [], visible: true },
    });
  });

  test('transforms: enriched keys, unknown class, wrong kind, duplicate alias, negate without predicate', async () => {
    const ok = await validateConnectorConfig(registry, { ...SINK, transforms: 'r', 'transforms.r.type': 'RenameTopic', 'transforms.r.suffix': '-x' });
    assert.equal(ok.error_count, 0);
    assert.ok(ok.groups.includes('Transforms: r'));
    const type = value(ok, 'transforms.r.type');
    assert.equal(type.definition!.display_name, 'Transformation type for r');
    assert.equal(type.definition!.documentation, "Class for the 'r' transformation.");
    assert.equal(type.value!.value, 'com.example.transforms.RenameTopic');
    assert.deepEqual(type.value!.recommended_values, ['com.example.transforms.RenameTopic']);
    assert.deepEqual(
      ok.configs.filter((c) => c.definition?.group === 'Transforms: r').map((c) => [c.definition!.name, c.definition!.order, c.definition!.display_name]),
      [['transforms.r.type', 0, 'Transformation type for r'], ['transforms.r.suffix', 1, 'suffix'], ['transforms.r.negate', 2, 'negate'], ['transforms.r.predicate', 3, 'predicate'], ['transforms.r.repeat', 4, 'repeat']],
    );

    const unknown = await validateConnectorConfig(registry, { ...SINK, transforms: 'r', 'transforms.r.type': 'com.nope.Missing' });
    assert.deepEqual(value(unknown, 'transforms.r.type').value!.errors, ['Invalid value com.nope.Missing for configuration transforms.r.type: Class com.nope.Missing could not be found.']);
    assert.equal(unknown.error_count, 1);

    const wrongKind = await validateConnectorConfig(registry, { ...SINK, transforms: 'r', 'transforms.r.type': 'TestConverter' });
    assert.deepEqual(value(wrongKind, 'transforms.r.type').value!.errors, ['Class class com.example.TestConverter does not implement the Transformation interface']);

    const missingType = await validateConnectorConfig(registry, { ...SINK, transforms: 'r' });
    assert.deepEqual(value(missingType, 'transforms.r.type').value!.errors, ['Missing required configuration "transforms.r.type" which has no default value.']);

    const dup = await validateConnectorConfig(registry, { ...SINK, transforms: 'a,a', 'transforms.a.type': 'RenameTopic', 'transforms.a.suffix': 's' });
    assert.deepEqual(value(dup, 'transforms').value!.errors, ['Invalid value [a, a] for configuration transforms: Duplicate alias provided.']);

    const negate = await validateConnectorConfig(registry, { ...SINK, transforms: 'r', 'transforms.r.type': 'RenameTopic', 'transforms.r.suffix': 's', 'transforms.r.negate': 'true' });
    assert.deepEqual(value(negate, 'transforms.r.type').value!.errors, [
      "Config 'transforms.r.negate' was provided but there is no config 'transforms.r.predicate' defining a predicate to be negated.",
    ]);

    const pred = await validateConnectorConfig(registry, { ...SINK, predicates: 'p', 'predicates.p.type': 'IsTopic' });
    assert.deepEqual(value(pred, 'predicates.p.topic').value!.errors, ['Missing required configuration "predicates.p.topic" which has no default value.']);
    assert.equal(value(pred, 'predicates.p.type').definition!.display_name, 'Predicate type for p');
  });

  test('null values, passwords, converters', async () => {
    const infos = await validateConnectorConfig(registry, {
      name: 'src', 'connector.class': 'TestSource', file: 'f', secret: 's3cr3t', 'errors.tolerance': null,
      'unknown.key': null, 'value.converter': 'TestConverter', 'value.converter.schemas.enable': 'nope', 'key.converter': 'NoSuchConverter',
    });
    assert.deepEqual(value(infos, 'errors.tolerance').value!.errors, [
      'Invalid value null for configuration errors.tolerance: String must be one of: none, all',
      'Null value can not be supplied as the configuration value.',
    ]);
    const unknown = infos.configs.find((c) => c.definition === null && c.value?.name === 'unknown.key')!;
    assert.deepEqual(unknown.value!.errors, ['Null value can not be supplied as the configuration value.']);
    assert.equal(value(infos, 'secret').value!.value, '[hidden]');
    assert.equal(value(infos, 'secret').definition!.default_value, '[hidden]');
    assert.deepEqual(value(infos, 'key.converter').value!.errors, ['Invalid value NoSuchConverter for configuration key.converter: Class NoSuchConverter could not be found.']);
    const conv = value(infos, 'value.converter.schemas.enable');
    assert.equal(conv.definition!.group, 'Converter');
    assert.deepEqual(conv.value!.errors, ['Invalid value nope for configuration schemas.enable: Expected value to be either true or false']);
    assert.equal(value(infos, 'value.converter.converter.type').value!.value, 'value');
    assert.equal(infos.error_count, 5);
  });

  test('the 400 message lists every error', async () => {
    const infos = await validateConnectorConfig(registry, { 'connector.class': 'TestSink', topics: 't', 'tasks.max': '0' });
    assert.equal(
      configErrorsMessage(infos),
      'Connector configuration is invalid and contains the following 2 error(s):\n' +
        'Missing required configuration "name" which has no default value.\n' +
        'Invalid value 0 for configuration tasks.max: Value must be at least 1\n' +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    );
    assert.equal(configErrorsMessage(await validateConnectorConfig(registry, SINK)), null);
  });

  test('no connector.class is a 400, an unknown one Kafka\'s "Failed to find any class"', async () => {
    await assert.rejects(validateConnectorConfig(registry, { topics: 't' }), (e: unknown) => e instanceof BadRequestError && e.message === 'Connector config {topics=t} contains no connector type');
    await assert.rejects(validateConnectorConfig(registry, { 'connector.class': 'Nope' }), (e: unknown) =>
      e instanceof ConnectException && e.message.startsWith('Failed to find any class that implements Connector and which name matches Nope, available connectors are: '));
  });

  test('client override policy None rejects overrides', async () => {
    const infos = await validateConnectorConfig(registry, { ...SINK, 'consumer.override.max.poll.records': '10' }, { clientOverridePolicy: 'None' });
    assert.deepEqual(value(infos, 'consumer.override.max.poll.records').value!.errors, [
      "The 'None' policy does not allow 'max.poll.records' to be overridden in the connector configuration.",
    ]);
    assert.equal(infos.error_count, 1);
  });

  test('distributed: sink group clash and exactly-once required', async () => {
    const sink = await validateConnectorConfig(registry, { ...SINK, name: 'cluster' }, { mode: 'distributed', groupId: 'connect-cluster' });
    assert.deepEqual(value(sink, 'name').value!.errors, ['Consumer group for sink connector named cluster conflicts with Connect worker group connect-cluster']);
    const src = await validateConnectorConfig(registry, { name: 's', 'connector.class': 'TestSource', file: 'f', 'exactly.once.support': 'REQUIRED' }, { mode: 'distributed' });
    assert.equal(value(src, 'exactly.once.support').value!.errors[0], 'This worker does not have exactly-once source support enabled.');
    const bad = await validateConnectorConfig(registry, { name: 's', 'connector.class': 'TestSource', file: 'f', 'exactly.once.support': 'maybe' });
    assert.deepEqual(value(bad, 'exactly.once.support').value!.errors, ['Invalid value maybe for configuration exactly.once.support: String must be one of (case insensitive): REQUIRED, REQUESTED']);
  });
});

describe('configKeyInfos (GET /connector-plugins/{p}/config)', () => {
  test('connector: own keys first, then framework keys it does not define', () => {
    const keys = configKeyInfos(registry, 'TestSinkConnector');
    assert.deepEqual(keys.slice(0, 3).map((k) => k.name), ['file', 'name', 'connector.class']);
    assert.equal(keys.filter((k) => k.name === 'topics').length, 1);
    assert.deepEqual(Object.keys(keys[0]!), ['name', 'type', 'required', 'default_value', 'importance', 'documentation', 'group', 'width', 'display_name', 'dependents', 'order']);
    const tasksMax = keys.find((k) => k.name === 'tasks.max')!;
    assert.deepEqual([tasksMax.type, tasksMax.required, tasksMax.default_value, tasksMax.order, tasksMax.width], ['INT', false, '1', 3, 'SHORT']);
    const src = configKeyInfos(registry, 'com.example.TestSourceConnector').map((k) => k.name);
    assert.ok(src.includes('exactly.once.support') && src.includes('offsets.storage.topic') && !src.includes('topics'));
  });

  test('other plugins list only their own keys; unknown plugin is a 404', () => {
    assert.deepEqual(configKeyInfos(registry, 'RenameTopic').map((k) => k.name), ['suffix', 'repeat']);
    assert.throws(() => configKeyInfos(registry, 'Nope'), (e: unknown) => e instanceof NotFoundException && e.message === 'Unknown plugin Nope.');
  });
});
