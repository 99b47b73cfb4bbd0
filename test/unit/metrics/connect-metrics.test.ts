import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectMetrics } from '../../../src/connect/metrics/connect-metrics.js';
import { metricLabels, metricName } from '../../../src/connect/metrics/naming.js';
import { TaskMetrics } from '../../../src/connect/metrics/task-metrics.js';
import { parseExposition } from '../../helpers/prometheus-text.js';

describe('naming (Prometheus JMX exporter renderings)', () => {
  test('Kafka Connect groups: the exporter default format', () => {
    const g = { domain: 'kafka.connect', type: 'source-task-metrics', tags: { connector: 'inventory', task: '0' } };
    assert.equal(metricName(g, 'source-record-poll-total'), 'kafka_connect_source_task_metrics_source_record_poll_total');
    assert.deepEqual(metricLabels(g), { connector: 'inventory', task: '0' });
    assert.equal(metricName({ domain: 'kafka.connect', type: 'connect-worker-metrics', tags: {} }, 'connector-count'), 'kafka_connect_connect_worker_metrics_connector_count');
  });

  test("Debezium groups: Debezium's monitoring example rules, attribute case kept", () => {
    const g = { domain: 'debezium.postgres', type: 'connector-metrics', tags: { context: 'streaming', server: 'dbserver1' } };
    assert.equal(metricName(g, 'MilliSecondsBehindSource'), 'debezium_metrics_MilliSecondsBehindSource');
    assert.deepEqual(metricLabels(g), { plugin: 'postgres', context: 'streaming', name: 'dbserver1' });
  });
});

describe('ConnectMetrics', () => {
  test('renders gauges, counters, keyed and string attributes with values read at scrape time', async () => {
    const m = new ConnectMetrics();
    let polled = 5;
    m.group('kafka.connect', 'source-task-metrics', { connector: 'c', task: '0' })
      .gauge('source-record-poll-total', () => polled)
      .gauge('poll-batch-avg-time-ms', () => 2.5)
      .info('status', () => 'running');
    const rows = new Map([['public.a', 10], ['public.b', 20]]);
    m.group('debezium.postgres', 'connector-metrics', { context: 'snapshot', server: 'srv' })
      .gauge('SnapshotCompleted', () => true)
      .gauge('MilliSecondsBehindSource', () => null)
      .keyed('RowsScanned', 'table', () => rows);
    polled = 7;
    const e = parseExposition(await m.scrape());
    assert.equal(e.value('kafka_connect_source_task_metrics_source_record_poll_total', { connector: 'c', task: '0' }), 7);
    assert.equal(e.types.get('kafka_connect_source_task_metrics_source_record_poll_total'), 'counter');
    assert.equal(e.types.get('kafka_connect_source_task_metrics_poll_batch_avg_time_ms'), 'gauge');
    assert.equal(e.value('kafka_connect_source_task_metrics_poll_batch_avg_time_ms'), 2.5);
    assert.equal(e.value('kafka_connect_source_task_metrics_status', { status: 'running' }), 1);
    assert.equal(e.value('debezium_metrics_SnapshotCompleted', { plugin: 'postgres', name: 'srv', context: 'snapshot' }), 1);
    assert.equal(e.value('debezium_metrics_RowsScanned', { table: 'public.b' }), 20);
    assert.equal(e.find('debezium_metrics_MilliSecondsBehindSource').length, 0, 'a null gauge is not exported');
  });

  test('groups of several tasks share one family; closing a group removes its series', async () => {
    const m = new ConnectMetrics();
    const a = m.group('kafka.connect', 'sink-task-metrics', { connector: 'c', task: '0' }).gauge('sink-record-read-total', () => 1);
    m.group('kafka.connect', 'sink-task-metrics', { connector: 'c', task: '1' }).gauge('sink-record-read-total', () => 2);
    let e = parseExposition(await m.scrape());
    assert.equal(e.find('kafka_connect_sink_task_metrics_sink_record_read_total').length, 2);
    a.close();
    e = parseExposition(await m.scrape());
    assert.deepEqual(e.find('kafka_connect_sink_task_metrics_sink_record_read_total').map((s) => [s.labels['task'], s.value]), [['1', 2]]);
  });

  test('each worker has its own registry', async () => {
    const a = new ConnectMetrics();
    const b = new ConnectMetrics();
    a.group('kafka.connect', 'connect-worker-metrics', {}).gauge('connector-count', () => 3);
    b.group('kafka.connect', 'connect-worker-metrics', {}).gauge('connector-count', () => 4);
    assert.equal(parseExposition(await a.scrape()).value('kafka_connect_connect_worker_metrics_connector_count'), 3);
    assert.equal(parseExposition(await b.scrape()).value('kafka_connect_connect_worker_metrics_connector_count'), 4);
  });

  test('refreshes run before the scrape, bounded in time', async () => {
    const m = new ConnectMetrics({ refreshTimeoutMs: 100 });
    let lag: number | null = null;
    m.group('tsconnect', 'postgres-slot-metrics', { connector: 'c' })
      .gauge('confirmed-lag-bytes', () => lag)
      .beforeScrape(async () => {
        lag = 42;
      });
    m.beforeScrape(() => new Promise(() => undefined)); // never settles: the scrape still answers
    const started = Date.now();
    const e = parseExposition(await m.scrape());
    assert.equal(e.value('tsconnect_postgres_slot_metrics_confirmed_lag_bytes', { connector: 'c' }), 42);
    assert.ok(Date.now() - started < 2000);
  });

  test('task metrics: status, commit percentages and error counters', async () => {
    const m = new ConnectMetrics();
    const t = new TaskMetrics(m.window);
    t.register(m, { connector: 'x', task: 0 });
    t.changeState('running');
    const now = Date.now();
    t.recordCommit(true, 4, now);
    t.recordCommit(false, 9, now);
    t.errors.recordErrors = 3;
    const e = parseExposition(await m.scrape());
    assert.equal(e.value('kafka_connect_connector_task_metrics_status', { connector: 'x', task: '0', status: 'running' }), 1);
    assert.equal(e.value('kafka_connect_connector_task_metrics_offset_commit_success_percentage'), 0.5);
    assert.equal(e.value('kafka_connect_connector_task_metrics_offset_commit_max_time_ms'), 4);
    assert.equal(e.value('kafka_connect_task_error_metrics_total_record_errors', { connector: 'x', task: '0' }), 3);
  });
});
