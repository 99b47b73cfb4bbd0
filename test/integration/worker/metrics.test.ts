/**
 * `GET /metrics` of a real standalone worker (embedded log) with a real Postgres: the iris connector of the
 * blog (snapshot, then streaming), the k-means sink reading its topics, and a Postgres connector that
 * cannot connect. The exposition text is parsed and its values asserted.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import { irisConnector, irisInsert, irisKMeansConnector } from '../../../src/demo/iris.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { freePort } from '../../helpers/worker-process.js';
import { type Exposition, parseExposition } from '../../helpers/prometheus-text.js';
import { sql } from '../postgres/harness.js';
import { startEmbeddedWorker } from '../../helpers/embedded-worker.js';

const TRAIN_ROWS = 40;
const TEST_ROWS = 6;
const CREATE = (t: string) => `CREATE TABLE ${t}(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int)`;

let pgc: PostgresCluster;
let worker: StandaloneWorker;
let dir: string;

function row(i: number) {
  const c = i % 3;
  return { sepal_length: 5 + c + (i % 5) / 10, sepal_width: 3 + (i % 4) / 10, petal_length: 1.4 + 2 * c, petal_width: 0.2 + c, iris_class: c };
}

async function put(name: string, config: Record<string, string>): Promise<void> {
  const res = await fetch(`${worker.url}/connectors/${name}/config`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(config) });
  assert.ok(res.status === 201 || res.status === 200, `PUT ${name}: ${res.status} ${await res.text()}`);
}

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${worker.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** Scrapes until `check` passes (returns the exposition it passed on). */
async function until(what: string, check: (e: Exposition) => boolean, timeoutMs = 60_000): Promise<Exposition> {
  const deadline = Date.now() + timeoutMs;
  let last: Exposition | null = null;
  for (;;) {
    try {
      last = await scrape();
      if (check(last)) return last;
    } catch {
      /* a value not there yet */
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last scrape:\n${last?.samples.map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const SRC = 'iris-connector-flink';
const SINK = 'iris-kmeans-flink';
const dbz = { plugin: 'postgres', name: 'flink' };
const snapshot = { ...dbz, context: 'snapshot' };
const streaming = { ...dbz, context: 'streaming' };
const task0 = (connector: string) => ({ connector, task: '0' });

describe('GET /metrics (Prometheus) of a standalone worker', () => {
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, CREATE('iris_train'));
    await sql(pgc, CREATE('iris_test'));
    for (let i = 0; i < TRAIN_ROWS; i++) await sql(pgc, irisInsert('iris_train', row(i)));
    for (let i = 0; i < TEST_ROWS; i++) await sql(pgc, irisInsert('iris_test', row(i + 1)));
    dir = await mkdtemp(join(tmpdir(), 'tsconnect-metrics-'));
    worker = await startEmbeddedWorker(dir, { 'ui.enable': 'false' });
    const source = irisConnector('flink', { host: pgc.host, port: pgc.port });
    await put(SRC, source.config);
    const sink = irisKMeansConnector('flink');
    await put(SINK, { ...sink.config, 'global.batch.size': '4' });
  });
  after(async () => {
    await worker?.stop();
    await pgc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('snapshot: Debezium snapshot metrics and the source task counters', async () => {
    const e = await until('the snapshot to complete and its records to be written', (x) =>
      x.value('debezium_metrics_SnapshotCompleted', snapshot) === 1 &&
      x.value('kafka_connect_source_task_metrics_source_record_write_total', task0(SRC)) >= TRAIN_ROWS + TEST_ROWS,
    );
    assert.equal(e.value('debezium_metrics_SnapshotRunning', snapshot), 0);
    assert.equal(e.value('debezium_metrics_SnapshotAborted', snapshot), 0);
    assert.equal(e.value('debezium_metrics_RowsScanned', { ...snapshot, table: 'public.iris_train' }), TRAIN_ROWS);
    assert.equal(e.value('debezium_metrics_RowsScanned', { ...snapshot, table: 'public.iris_test' }), TEST_ROWS);
    assert.equal(e.value('debezium_metrics_TotalTableCount', snapshot), 2);
    assert.equal(e.value('debezium_metrics_RemainingTableCount', snapshot), 0);
    assert.equal(e.value('debezium_metrics_TotalNumberOfEventsSeen', snapshot), TRAIN_ROWS + TEST_ROWS);
    assert.ok(e.value('debezium_metrics_SnapshotDurationInSeconds', snapshot) >= 0);
    assert.equal(e.value('debezium_metrics_QueueTotalCapacity', snapshot), 8192);

    assert.ok(e.value('kafka_connect_source_task_metrics_source_record_poll_total', task0(SRC)) >= TRAIN_ROWS + TEST_ROWS);
    assert.equal(e.types.get('kafka_connect_source_task_metrics_source_record_poll_total'), 'counter');
    const pollRate = e.value('kafka_connect_source_task_metrics_source_record_poll_rate', task0(SRC));
    assert.ok(pollRate > 0 && pollRate < 1e6, `poll rate ${pollRate}`);
    assert.equal(e.value('kafka_connect_connector_task_metrics_status', { ...task0(SRC), status: 'running' }), 1);
    assert.equal(e.value('kafka_connect_connector_metrics_status', { connector: SRC, status: 'running' }), 1);
    assert.equal(e.value('kafka_connect_connector_metrics_connector_class', { connector: SRC, connector_class: 'io.debezium.connector.postgresql.PostgresConnector' }), 1);
    assert.equal(e.value('kafka_connect_connect_worker_metrics_connector_running_task_count', { connector: SRC }), 1);
    assert.ok(e.value('kafka_connect_connect_worker_metrics_connector_count') >= 2);
    assert.ok(e.value('kafka_connect_connect_worker_metrics_task_startup_success_total') >= 2);
  });

  test('streaming: events seen grow, lag behind the source is small, slot lag in bytes is reported', async () => {
    await until('the stream to connect', (x) => x.value('debezium_metrics_Connected', streaming) === 1);
    const before = (await scrape()).value('debezium_metrics_TotalNumberOfEventsSeen', streaming);
    for (let i = 0; i < 5; i++) await sql(pgc, irisInsert('iris_train', row(100 + i)));
    await sql(pgc, `UPDATE iris_train SET iris_class = 2 WHERE id = 1`);
    const e = await until('the inserts to be streamed', (x) => x.value('debezium_metrics_TotalNumberOfEventsSeen', streaming) >= before + 6);
    assert.ok(e.value('debezium_metrics_TotalNumberOfCreateEventsSeen', streaming) >= 5);
    assert.ok(e.value('debezium_metrics_TotalNumberOfUpdateEventsSeen', streaming) >= 1);
    assert.ok(e.value('debezium_metrics_NumberOfCommittedTransactions', streaming) >= 6);
    const lag = e.value('debezium_metrics_MilliSecondsBehindSource', streaming);
    assert.ok(lag >= 0 && lag < 10_000, `MilliSecondsBehindSource ${lag}`);
    const since = e.value('debezium_metrics_MilliSecondsSinceLastEvent', streaming);
    assert.ok(since >= 0 && since < 60_000, `MilliSecondsSinceLastEvent ${since}`);
    assert.ok(e.value('debezium_metrics_SourceEventPosition', { ...streaming, key: 'lsn' }) > 0);
    const slot = { connector: SRC, server: 'flink', slot: 'debezium' };
    // The slot is probed at most every 5 s: the first values may predate the stream.
    const s = await until(
      'the slot to be probed while streaming',
      (x) => x.value('tsconnect_postgres_slot_metrics_active', slot) === 1 && x.value('tsconnect_postgres_slot_metrics_confirmed_lag_bytes', slot) >= 0,
    );
    const slotLag = s.value('tsconnect_postgres_slot_metrics_confirmed_lag_bytes', slot);
    assert.ok(slotLag >= 0 && slotLag < 64 * 1024 * 1024, `slot lag ${slotLag}`);
    assert.ok(s.value('tsconnect_postgres_slot_metrics_retained_wal_bytes', slot) >= slotLag);
    // The streamed rows' offsets are committed at the next offset.flush.interval.ms (500 ms here).
    await until('an offset commit of the streamed rows', (x) => x.value('kafka_connect_connector_task_metrics_offset_commit_success_percentage', task0(SRC)) > 0);
  });

  test('the k-means sink: records read, put time, model version and samples seen', async () => {
    const e = await until('the sink to train', (x) =>
      x.value('kafka_connect_sink_task_metrics_sink_record_read_total', task0(SINK)) >= TRAIN_ROWS + TEST_ROWS &&
      x.value('tsconnect_ml_sink_metrics_samples_seen_total', { connector: SINK }) >= TRAIN_ROWS,
    );
    assert.ok(e.value('kafka_connect_sink_task_metrics_sink_record_send_total', task0(SINK)) >= TRAIN_ROWS + TEST_ROWS);
    const putAvg = e.value('kafka_connect_sink_task_metrics_put_batch_avg_time_ms', task0(SINK));
    assert.ok(putAvg >= 0 && putAvg < 60_000, `put-batch-avg-time-ms ${putAvg}`);
    assert.ok(e.value('kafka_connect_sink_task_metrics_put_batch_max_time_ms', task0(SINK)) >= putAvg);
    assert.ok(e.value('kafka_connect_sink_task_metrics_partition_count', task0(SINK)) >= 2);
    assert.ok(e.value('tsconnect_ml_sink_metrics_model_version', { connector: SINK, task: '0', kind: 'kmeans' }) >= 1);
    assert.ok(e.value('tsconnect_ml_sink_metrics_predictions_total', { connector: SINK }) >= TEST_ROWS);
    assert.equal(e.value('kafka_connect_connector_task_metrics_status', { ...task0(SINK), status: 'running' }), 1);
    assert.equal(e.value('kafka_connect_task_error_metrics_total_record_errors', task0(SINK)), 0);
  });

  test('a task that cannot start shows status failed', async () => {
    const bad = irisConnector('flink', { host: '127.0.0.1', port: await freePort() });
    await put('unreachable', { ...bad.config, 'topic.prefix': 'nowhere', 'slot.name': 'nowhere' });
    const e = await until('the task to fail', (x) => x.find('kafka_connect_connector_task_metrics_status', { ...task0('unreachable'), status: 'failed' }).length === 1);
    assert.equal(e.find('kafka_connect_connector_task_metrics_status', task0('unreachable')).length, 1, 'one status series per task');
    assert.equal(e.value('kafka_connect_connect_worker_metrics_connector_failed_task_count', { connector: 'unreachable' }), 1);
    const del = await fetch(`${worker.url}/connectors/unreachable`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    const after = await until('its metrics to go', (x) => x.find('kafka_connect_connector_task_metrics_status', task0('unreachable')).length === 0);
    assert.equal(after.find('kafka_connect_connector_metrics_status', { connector: 'unreachable' }).length, 0);
  });
});
