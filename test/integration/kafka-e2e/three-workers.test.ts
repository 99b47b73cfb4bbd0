/**
 * Three distributed workers (child processes) in one group on a real broker and a real Postgres: the blog's
 * PostgresConnector and a FileStreamSink on its topic, created over REST. Rows are inserted all along; the
 * worker running the source task is killed with SIGKILL; after the session timeout its work runs again on the
 * two others, and every inserted id reaches the sink file (duplicates allowed: at least once).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { irisFlinkConnector } from '../../../src/demo/iris.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { freePort, waitFor } from '../../helpers/worker-process.js';
import { DistributedWorkerProcess, distributedTestProps } from '../distributed/helpers.js';
import { startBroker, uniqueName } from '../kafka/helpers.js';
import { IRIS_TABLE, irisRow, sql } from './helpers.js';

interface Status {
  connector: { state: string; worker_id: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
}

describe('three distributed workers, Postgres to a file through Kafka', () => {
  let kafka: KafkaCluster;
  let pgc: PostgresCluster;
  let dir: string;
  let workers: DistributedWorkerProcess[] = [];
  let output: string;

  before(async () => {
    [kafka, pgc] = await Promise.all([startBroker(), startPostgres()]);
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-e2e-three-'));
    output = join(dir, 'sink.txt');
    await sql(pgc, IRIS_TABLE('iris_train'));
    const group = uniqueName('connect-cluster');
    const props = {
      ...distributedTestProps(kafka.bootstrapServers, group),
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'consumer.session.timeout.ms': '6000',
      'consumer.heartbeat.interval.ms': '1000',
      'consumer.fetch.max.wait.ms': '100',
    };
    workers = await Promise.all([0, 1, 2].map(async () => new DistributedWorkerProcess(dir, await freePort(), props)));
    await Promise.all(workers.map((w) => w.start()));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([kafka?.stop(), pgc?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const status = async (w: DistributedWorkerProcess, name: string) => {
    const r = await w.request('GET', `/connectors/${name}/status`).catch(() => null);
    return r?.status === 200 ? (r.body as Status) : undefined;
  };
  const write = async (w: DistributedWorkerProcess, method: string, path: string, body?: unknown) =>
    waitFor(`${method} ${path}`, async () => {
      const r = await w.request(method, path, body);
      return r.status === 409 ? false : r;
    }, 60_000);
  const running = async (w: DistributedWorkerProcess, names: string[]) => {
    const out: Status[] = [];
    for (const n of names) {
      const s = await status(w, n);
      if (!s || s.connector.state !== 'RUNNING' || s.tasks.length !== 1 || s.tasks[0]!.state !== 'RUNNING') return false;
      out.push(s);
    }
    return out;
  };
  const sinkIds = () =>
    new Set(
      (existsSync(output) ? readFileSync(output, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { payload: { id: number } }).payload.id),
    );

  test('kill -9 of the worker running the source task: tasks move, no inserted row is lost', { timeout: 150_000 }, async () => {
    const blog = irisFlinkConnector(pgc.host, pgc.port);
    const created = await write(workers[0]!, 'POST', '/connectors', { name: blog.name, config: { ...blog.config, 'poll.interval.ms': '100' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sink = await write(workers[1]!, 'POST', '/connectors', {
      name: 'iris-file-sink',
      config: {
        'connector.class': 'FileStreamSink',
        topics: 'flink.public.iris_train',
        file: output,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    });
    assert.equal(sink.status, 201, JSON.stringify(sink.body));
    const names = [blog.name, 'iris-file-sink'];
    await waitFor('both connectors running', () => running(workers[2]!, names), 60_000);

    // Rows keep coming, one every 50 ms, while a worker dies and the group rebalances.
    let inserting = true;
    let inserted = 0;
    const inserter = (async () => {
      while (inserting) {
        await sql(pgc, irisRow('iris_train', [5.1, 3.5, 1.4, 0.2], inserted % 3));
        inserted++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await waitFor('rows flowing into the file', () => sinkIds().size >= 10, 30_000);
      const before = (await status(workers[0]!, blog.name))!;
      const victim = workers.find((w) => w.workerId === before.tasks[0]!.worker_id)!;
      assert.ok(victim, `source task on ${before.tasks[0]!.worker_id}`);
      const survivors = workers.filter((w) => w !== victim);
      await victim.kill9();
      const killedAt = inserted;

      const moved = await waitFor(
        'tasks running on the survivors',
        async () => {
          const s = await running(survivors[0]!, names);
          const ids = survivors.map((w) => w.workerId);
          return s && s.every((x) => ids.includes(x.connector.worker_id) && ids.includes(x.tasks[0]!.worker_id)) ? s : false;
        },
        60_000,
      );
      assert.equal(moved.length, 2);
      await waitFor('more rows after the move', () => inserted >= killedAt + 20, 30_000);
    } finally {
      inserting = false;
      await inserter;
    }
    const ids = (await sql(pgc, 'SELECT id FROM iris_train ORDER BY id')).rows.map((r) => (r as { id: number }).id);
    assert.equal(ids.length, inserted);
    await waitFor('every inserted id in the sink file', () => ids.every((id) => sinkIds().has(id)), 60_000).catch((e: Error) => {
      const seen = sinkIds();
      throw new Error(`${e.message}; missing ${ids.filter((id) => !seen.has(id)).join(',')}`);
    });
  });
});
