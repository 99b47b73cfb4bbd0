/**
 * End to end with Avro: the blog's iris PostgresConnector on a standalone worker on Kafka, with
 * `key.converter`/`value.converter` = AvroConverter and a real schema registry (Apicurio's Confluent API). Rows are inserted, a nullable
 * column is added (`ALTER TABLE ... ADD COLUMN`), more rows follow; the topic read back through the registry's
 * schemas holds every row, and the value subject has a second, compatible version.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import type { Struct } from '../../../src/connect/data/index.js';
import { AvroConverter } from '../../../src/converters/avro/avro-converter.js';
import { irisFlinkConnector } from '../../../src/demo/iris.js';
import { startKafka, type KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { startSchemaRegistry, type SchemaRegistry } from '../../../src/testing/schema-registry.js';
import { IRIS_TABLE, irisRow, readAll, sql, startStandaloneOnKafka } from '../kafka-e2e/helpers.js';

const TOPIC = 'flink.public.iris_train';

describe('iris connector with the AvroConverter on Kafka', () => {
  let kafka: KafkaCluster;
  let pgc: PostgresCluster;
  let registry: SchemaRegistry;
  let worker: StandaloneWorker;
  let dir: string;

  before(async () => {
    [kafka, pgc] = await Promise.all([startKafka(), startPostgres()]);
    registry = await startSchemaRegistry();
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-avro-e2e-'));
    await sql(pgc, IRIS_TABLE('iris_train'));
    await sql(pgc, irisRow('iris_train', [5.4, 3.7, 1.5, 0.2], 0) + irisRow('iris_train', [7.6, 3.0, 6.6, 2.1], 2));
    worker = await startStandaloneOnKafka(kafka.bootstrapServers, dir, {
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'offset.flush.interval.ms': '500',
    });
  });

  after(async () => {
    await worker?.stop();
    await registry?.stop();
    await Promise.all([kafka?.stop(), pgc?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('rows before and after ADD COLUMN decode through the registry; the value subject has a compatible version 2', { timeout: 120_000 }, async () => {
    const blog = irisFlinkConnector(pgc.host, pgc.port);
    const { 'key.converter.schemas.enable': _k, 'value.converter.schemas.enable': _v, ...config } = blog.config;
    const res = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: blog.name,
        config: {
          ...config,
          'key.converter': 'io.confluent.connect.avro.AvroConverter',
          'key.converter.schema.registry.url': registry.url,
          'value.converter': 'AvroConverter',
          'value.converter.schema.registry.url': registry.url,
        },
      }),
    });
    assert.equal(res.status, 201, await res.text());
    await readAll(worker.backend, TOPIC, 2);

    await sql(pgc, 'ALTER TABLE iris_train ADD COLUMN x text;');
    await sql(pgc, irisRow('iris_train', [6.3, 2.5, 5.0, 1.9], 1));
    await sql(pgc, `INSERT INTO iris_train(sepal_length, sepal_width, petal_length, petal_width, iris_class, x) VALUES(4.9, 3.1, 1.5, 0.1, 0, 'tagged');`);
    const records = await readAll(worker.backend, TOPIC, 4);
    assert.equal(records.length, 4);

    const value = new AvroConverter();
    value.configure({ 'schema.registry.url': registry.url }, false);
    const key = new AvroConverter();
    key.configure({ 'schema.registry.url': registry.url }, true);
    const rows = [];
    for (const r of records) {
      assert.equal(r.value![0], 0, 'magic byte');
      const k = await key.toConnectDataAsync(TOPIC, r.key);
      const v = await value.toConnectDataAsync(TOPIC, r.value);
      const s = v.value as Struct;
      rows.push({
        key: (k.value as Struct).get('id'),
        schemaName: v.schema!.name,
        hasX: v.schema!.field('x') !== undefined,
        sepal_length: s.get('sepal_length'),
        iris_class: s.get('iris_class'),
        x: v.schema!.field('x') ? s.get('x') : undefined,
      });
    }
    assert.deepEqual(rows, [
      { key: 1, schemaName: 'flink.public.iris_train.Value', hasX: false, sepal_length: 5.4, iris_class: 0, x: undefined },
      { key: 2, schemaName: 'flink.public.iris_train.Value', hasX: false, sepal_length: 7.6, iris_class: 2, x: undefined },
      { key: 3, schemaName: 'flink.public.iris_train.Value', hasX: true, sepal_length: 6.3, iris_class: 1, x: null },
      { key: 4, schemaName: 'flink.public.iris_train.Value', hasX: true, sepal_length: 4.9, iris_class: 0, x: 'tagged' },
    ]);

    const get = async (path: string): Promise<unknown> => (await fetch(registry.url + path)).json();
    assert.deepEqual(await get(`/subjects/${TOPIC}-value/versions`), [1, 2]);
    assert.deepEqual(await get(`/subjects/${TOPIC}-key/versions`), [1]);
    const v2 = (await get(`/subjects/${TOPIC}-value/versions/2`)) as { schema: string };
    const fields = (JSON.parse(v2.schema) as { fields: { name: string; type: unknown; default?: unknown }[] }).fields;
    assert.deepEqual(fields.at(-1), { name: 'x', type: ['null', 'string'], default: null });
    const compat = await fetch(`${registry.url}/compatibility/subjects/${TOPIC}-value/versions/1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: v2.schema }),
    });
    assert.equal(((await compat.json()) as { is_compatible: boolean }).is_compatible, true);
  });
});
