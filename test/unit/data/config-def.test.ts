import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigDef, Validators } from '../../../src/connect/api/config-def.js';

const def = () =>
  new ConfigDef()
    .define({ name: 'name', type: 'STRING', validator: Validators.nonEmptyStringWithoutControlChars(), importance: 'HIGH' })
    .define({ name: 'tasks.max', type: 'INT', defaultValue: 1, validator: Validators.atLeast(1) })
    .define({ name: 'flag', type: 'BOOLEAN', defaultValue: false })
    .define({ name: 'list', type: 'LIST', defaultValue: '' })
    .define({ name: 'mode', type: 'STRING', defaultValue: 'none', validator: Validators.in('none', 'all') });

test('parse types and defaults', () => {
  const c = def().parse({ name: 'x', 'tasks.max': ' 3 ', flag: 'TRUE', list: 'a, b ,c' });
  assert.equal(c.getInt('tasks.max'), 3);
  assert.equal(c.getBoolean('flag'), true);
  assert.deepEqual(c.getList('list'), ['a', 'b', 'c']);
  assert.equal(c.getString('mode'), 'none');
});

test('errors use Kafka\'s wording', () => {
  const v = def().validateAll({ 'tasks.max': 'abc', flag: 'yes', mode: 'some' });
  assert.deepEqual(v.get('name')!.errorMessages, ['Missing required configuration "name" which has no default value.']);
  assert.deepEqual(v.get('tasks.max')!.errorMessages, ['Invalid value abc for configuration tasks.max: Not a number of type INT']);
  assert.deepEqual(v.get('flag')!.errorMessages, ['Invalid value yes for configuration flag: Expected value to be either true or false']);
  assert.deepEqual(v.get('mode')!.errorMessages, ['Invalid value some for configuration mode: String must be one of: none, all']);
  assert.deepEqual(def().validateAll({ name: '', 'tasks.max': '0' }).get('tasks.max')!.errorMessages, ['Invalid value 0 for configuration tasks.max: Value must be at least 1']);
  assert.deepEqual(def().validateAll({ name: '' }).get('name')!.errorMessages, ['Invalid value  for configuration name: String may not be empty']);
  assert.deepEqual(def().validateAll({ name: null }).get('name')!.errorMessages, ['Null value can not be supplied as the configuration value.']);
  assert.throws(() => def().parse({ name: 'a', 'tasks.max': '99999999999' }), /Not a number of type INT/);
});
