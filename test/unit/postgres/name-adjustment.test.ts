/**
 * schema.name.adjustment.mode / field.name.adjustment.mode (spec §1.4): Avro-safe names, `_` or `_uXXXX`
 * for what Avro does not allow; topics keep their names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePostgresConfig } from '../../../src/connectors/postgres/config.js';
import { adjustFieldName, adjustSchemaName } from '../../../src/connectors/postgres/name-adjustment.js';
import { TableSchema } from '../../../src/connectors/postgres/table-schema.js';
import { TypeRegistry } from '../../../src/connectors/postgres/types/type-registry.js';

test('names adjusted to Avro: dots kept in schema names only, a leading digit replaced, avro_unicode spells the code unit', () => {
  assert.equal(adjustSchemaName('my-server.public.t.Value', 'avro'), 'my_server.public.t.Value');
  assert.equal(adjustSchemaName('my-server.public.t.Value', 'avro_unicode'), 'my_u002Dserver.public.t.Value');
  assert.equal(adjustSchemaName('my-server.public.t.Value', 'none'), 'my-server.public.t.Value');
  assert.equal(adjustFieldName('unit price', 'avro'), 'unit_price');
  assert.equal(adjustFieldName('1st.col', 'avro'), '_st_col');
  assert.equal(adjustFieldName('ok_name9', 'avro'), 'ok_name9');
});

test('a table schema under avro adjustment: Key/Value/Envelope and field names adjusted, the topic not', () => {
  const registry = new TypeRegistry();
  registry.add({ oid: 23, name: 'int4', schema: 'pg_catalog', kind: 'b', category: 'N', baseOid: 0, elemOid: 0, typmod: -1, enumLabels: null });
  const cfg = parsePostgresConfig({
    'topic.prefix': 'db-1', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd',
    'schema.name.adjustment.mode': 'avro', 'field.name.adjustment.mode': 'avro',
  });
  const t = new TableSchema({
    schema: 'public', table: 'orders',
    columns: [{ name: 'order-id', typeOid: 23, typeMod: -1, notNull: true, defaultExpr: null }, { name: 'qty', typeOid: 23, typeMod: -1, notNull: false, defaultExpr: null }],
    primaryKey: ['order-id'], uniqueIndex: [],
  }, cfg, registry, () => true);
  assert.equal(t.topic, 'db-1.public.orders');
  assert.deepEqual([t.keySchema!.name, t.valueSchema.name, t.envelopeSchema.name], ['db_1.public.orders.Key', 'db_1.public.orders.Value', 'db_1.public.orders.Envelope']);
  assert.deepEqual(t.valueSchema.fields.map((f) => f.name), ['order_id', 'qty']);
  assert.deepEqual(t.keySchema!.fields.map((f) => f.name), ['order_id']);
});
