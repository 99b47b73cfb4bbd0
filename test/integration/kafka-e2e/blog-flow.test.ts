/**
 * The Debezium blog flow end to end on a real broker: Postgres → PostgresConnector with the
 * `iris-connector-flink` JSON on a standalone worker with `bootstrap.servers` → `flink.public.iris_train` /
 * `flink.public.iris_test`, read back with kcat and `tsconnect consume`. The same flow runs at the same time on
 * a standalone worker on the embedded log (its own replication slot on the same database), and every key,
 * value and header kcat reads must be byte-identical to the embedded log's. A second pair of connectors
 * without the unwrap SMT compares the full Debezium envelopes (source block, LSNs, txIds), masking only the
 * wall-clock fields.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startStandalone, type StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import { configureLogging } from '../../../src/connect/logging.js';
import { irisFlinkConnector } from '../../../src/demo/iris.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { waitFor } from '../../helpers/worker-process.js';
import { startBroker } from '../kafka/helpers.js';
import { IRIS_TABLE, irisRow, kcat, maskWallClock, readAll, slotNames, sql, textOf, tsconnectConsume, type TextRecord } from './helpers.js';

const TOPICS = ['flink.public.iris_train', 'flink.public.iris_test'];
const ENVELOPE_TOPICS = ['env.public.iris_train', 'env.public.iris_test'];

describe('the iris blog flow on Kafka', () => {
  let kafka: KafkaCluster;
  let pgc: PostgresCluster;
  let dir: string;
  let onKafka: StandaloneWorker;
  let embedded: StandaloneWorker;

  before(async () => {
    [kafka, pgc] = await Promise.all([startBroker(), startPostgres()]);
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-e2e-blog-'));
    await sql(pgc, IRIS_TABLE('iris_train') + IRIS_TABLE('iris_test'));
    await sql(pgc, irisRow('iris_train', [5.4, 3.7, 1.5, 0.2], 0) + irisRow('iris_train', [7.6, 3.0, 6.6, 2.1], 2) + irisRow('iris_train', [6.3, 2.5, 5.0, 1.9], 1));
    await sql(pgc, irisRow('iris_test', [4.9, 3.1, 1.5, 0.1], 0) + irisRow('iris_test', [6.4, 3.2, 4.5, 1.5], 1));
    const common = {
      listeners: 'http://127.0.0.1:0',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'offset.flush.interval.ms': '500',
    };
    const logging = configureLogging({ level: process.env.TSCONNECT_LOG_LEVEL ?? 'warn' });
    onKafka = await startStandalone({ ...common, 'bootstrap.servers': kafka.bootstrapServers, 'offset.storage.file.filename': join(dir, 'kafka', 'connect.offsets') }, [], logging);
    embedded = await startStandalone({ ...common, 'offset.storage.file.filename': join(dir, 'embedded', 'connect.offsets') }, [], logging);
  });

  after(async () => {
    await onKafka?.stop();
    await embedded?.stop();
    await Promise.all([kafka?.stop(), pgc?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (w: StandaloneWorker, name: string, config: Record<string, string>) => {
    const res = await fetch(`${w.url}/connectors`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, config }) });
    assert.equal(res.status, 201, await res.text());
  };

  test('kcat reads the Debezium topics byte-identical to the embedded mode; tsconnect consume prints them', { timeout: 120_000 }, async () => {
    const blog = irisFlinkConnector(pgc.host, pgc.port);
    // The blog's JSON unchanged but for the slot: two connectors on one database need a slot each.
    const envelope = (slot: string) => {
      const { transforms: _t, 'transforms.unwrap.type': _u, ...rest } = blog.config;
      return { ...rest, 'topic.prefix': 'env', 'slot.name': slot, 'snapshot.mode': 'no_data' };
    };
    await post(onKafka, blog.name, { ...blog.config, 'slot.name': 'debezium_kafka' });
    await post(embedded, blog.name, { ...blog.config, 'slot.name': 'debezium_embedded' });
    await post(onKafka, 'envelope', envelope('env_kafka'));
    await post(embedded, 'envelope', envelope('env_embedded'));
    await waitFor('four replication slots', async () => (await slotNames(pgc)).length === 4 || false, 30_000);
    // Snapshots done on both sides before the changes (so both slots see the same WAL afterwards).
    await readAll(embedded.backend, TOPICS[1]!, 2);
    await waitFor('snapshot on Kafka', async () => (await kcat(kafka.bootstrapServers, TOPICS[1]!).catch(() => [])).length >= 2 || false, 30_000);

    // Streaming: inserts, an update, a delete; a last marker row on each table tells when everything arrived.
    await sql(pgc, irisRow('iris_train', [6.0, 2.7, 5.1, 1.6], 1));
    await sql(pgc, irisRow('iris_test', [5.8, 2.7, 3.9, 1.2], 1));
    await sql(pgc, 'UPDATE iris_train SET iris_class = 2 WHERE id = 3');
    await sql(pgc, 'DELETE FROM iris_train WHERE id = 1');
    await sql(pgc, `BEGIN; ${irisRow('iris_train', [9.9, 9.9, 9.9, 9.9], 9)} ${irisRow('iris_test', [9.9, 9.9, 9.9, 9.9], 9)} COMMIT;`);
    const hasMarker = (rs: TextRecord[]) => rs.some((r) => r.value.includes('"iris_class":9'));

    for (const topic of [...TOPICS, ...ENVELOPE_TOPICS]) {
      const fromKafka = await waitFor(`${topic} on Kafka`, async () => {
        const rs = await kcat(kafka.bootstrapServers, topic).catch(() => []);
        return hasMarker(rs) ? rs : false;
      }, 30_000);
      const fromLog = await waitFor(`${topic} on the embedded log`, async () => {
        const rs = (await readAll(embedded.backend, topic, 1)).map(textOf);
        return hasMarker(rs) ? rs : false;
      }, 30_000);
      const min = { 'flink.public.iris_train': 6, 'flink.public.iris_test': 4, 'env.public.iris_train': 5, 'env.public.iris_test': 2 }[topic]!;
      assert.ok(fromKafka.length >= min, `${topic}: ${fromKafka.length} records`);
      const mask = (rs: TextRecord[]) => rs.map((r) => ({ ...r, value: maskWallClock(r.value) }));
      if (topic.startsWith('flink.')) assert.deepEqual(fromKafka, fromLog, `${topic}: bytes differ`);
      else assert.deepEqual(mask(fromKafka), mask(fromLog), `${topic}: bytes differ beyond ts_ms/ts_us/ts_ns`);
      // The records are what the blog's Flink job parsed: schema + payload, Debezium's context headers.
      for (const r of fromKafka) assert.equal(r.headers, '__debezium.context.connectorLogicalName=' + (topic.startsWith('env') ? 'env' : 'flink') + ',__debezium.context.taskId=0,__debezium.context.connectorName=postgresql');
    }

    const train = await kcat(kafka.bootstrapServers, TOPICS[0]!);
    const first = JSON.parse(train[0]!.value) as { schema: { name: string }; payload: Record<string, unknown> };
    assert.equal(first.schema.name, 'flink.public.iris_train.Value');
    assert.deepEqual(first.payload, { id: 1, sepal_length: 5.4, sepal_width: 3.7, petal_length: 1.5, petal_width: 0.2, iris_class: 0 });
    assert.deepEqual(JSON.parse(train[0]!.key), {
      schema: { type: 'struct', fields: [{ type: 'int32', optional: false, default: 0, field: 'id' }], optional: false, name: 'flink.public.iris_train.Key' },
      payload: { id: 1 },
    });
    const env = await kcat(kafka.bootstrapServers, ENVELOPE_TOPICS[0]!);
    const ops = env.map((r) => (r.value === '<null>' ? 'tombstone' : (JSON.parse(r.value) as { payload: { op: string } }).payload.op));
    assert.deepEqual(ops, ['c', 'u', 'd', 'tombstone', 'c']);

    // tsconnect consume against Kafka prints the same values kcat read.
    const out = await tsconnectConsume([TOPICS[0]!, '--from-beginning', '--bootstrap-server', kafka.bootstrapServers, '--max-messages', String(train.length)]);
    assert.deepEqual(out.split('\n').filter((l) => l !== ''), train.map((r) => (r.value === '<null>' ? 'null' : r.value)));
    const withKeys = await tsconnectConsume([TOPICS[1]!, '--from-beginning', '--bootstrap-server', kafka.bootstrapServers, '--max-messages', '1', '--property', 'print.key=true']);
    assert.ok(withKeys.startsWith((await kcat(kafka.bootstrapServers, TOPICS[1]!))[0]!.key), withKeys);
  });
});
