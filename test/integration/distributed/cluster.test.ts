/**
 * Two distributed workers (child processes) in one group on a real broker: connectors created over REST on
 * either worker (writes forwarded to the leader), tasks spread over both, statuses visible from both; a
 * worker killed with SIGKILL loses its tasks to the survivor after the session timeout and the file
 * pipeline continues without losing a line; the restarted worker rejoins and gets work again.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { freePort, waitFor } from '../../helpers/worker-process.js';
import { startBroker, uniqueName } from '../kafka/helpers.js';
import { DistributedWorkerProcess, distributedTestProps } from './helpers.js';

interface Status {
  connector: { state: string; worker_id: string };
  tasks: { id: number; state: string; worker_id: string }[];
}

describe('distributed workers', () => {
  let cluster: KafkaCluster;
  let dir: string;
  let a: DistributedWorkerProcess;
  let b: DistributedWorkerProcess;
  const topic = uniqueName('lines');
  let input: string;
  let output: string;

  before(async () => {
    cluster = await startBroker();
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-distributed-'));
    input = join(dir, 'input.txt');
    output = join(dir, 'output.txt');
    writeFileSync(input, '');
    const group = uniqueName('connect-cluster');
    const props = {
      ...distributedTestProps(cluster.bootstrapServers, group),
      'consumer.session.timeout.ms': '6000',
      'consumer.heartbeat.interval.ms': '1000',
      'consumer.fetch.max.wait.ms': '100',
    };
    a = new DistributedWorkerProcess(dir, await freePort(), props);
    b = new DistributedWorkerProcess(dir, await freePort(), props);
    await a.start();
    await b.start();
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const status = async (w: DistributedWorkerProcess, name: string) => {
    const r = await w.request('GET', `/connectors/${name}/status`);
    return r.status === 200 ? (r.body as Status) : undefined;
  };
  /** A write retried while the group rebalances (409 "no known leader"), as a client would. */
  const write = async (w: DistributedWorkerProcess, method: string, path: string, body?: unknown) =>
    waitFor(`${method} ${path}`, async () => {
      const r = await w.request(method, path, body);
      return r.status === 409 && /rebalance|stale/.test(JSON.stringify(r.body)) ? false : r;
    }, 60_000);
  const outputLines = () => (existsSync(output) ? readFileSync(output, 'utf8').split('\n').filter(Boolean) : []);
  const allRunningOn = async (w: DistributedWorkerProcess, names: string[], taskCounts: number[]) => {
    const out: Status[] = [];
    for (const [i, n] of names.entries()) {
      const s = await status(w, n);
      if (!s || s.connector.state !== 'RUNNING' || s.tasks.length !== taskCounts[i] || s.tasks.some((t) => t.state !== 'RUNNING')) return false;
      out.push(s);
    }
    return out;
  };

  test('connectors created on either worker run spread over both; statuses agree; writes are forwarded', async () => {
    // Which one leads is up to the coordinator; create one connector on each worker so one request is forwarded.
    const source = await write(b, 'POST', '/connectors', {
      name: 'source',
      config: { 'connector.class': 'FileStreamSource', file: input, topic, 'tasks.max': '1' },
    });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    assert.equal((source.body as { name: string }).name, 'source');
    const sink = await write(a, 'POST', '/connectors', {
      name: 'sink',
      config: { 'connector.class': 'FileStreamSink', file: output, topics: topic, 'tasks.max': '2' },
    });
    assert.equal(sink.status, 201, JSON.stringify(sink.body));
    const dup = await write(b, 'POST', '/connectors', { name: 'sink', config: { 'connector.class': 'FileStreamSink', file: output, topics: topic } });
    assert.deepEqual(dup, { status: 409, body: { error_code: 409, message: 'Connector sink already exists' } });

    const statuses = await waitFor('both connectors running', () => allRunningOn(a, ['source', 'sink'], [1, 2]), 60_000);
    const workers = new Set(statuses.flatMap((s) => [s.connector.worker_id, ...s.tasks.map((t) => t.worker_id)]));
    assert.deepEqual([...workers].sort(), [a.workerId, b.workerId].sort(), 'work is spread over both workers');
    // Every worker reads the same status topic.
    await waitFor('statuses equal on both workers', async () => JSON.stringify(await status(b, 'sink')) === JSON.stringify(await status(a, 'sink')));
    assert.deepEqual((await a.request('GET', '/connectors')).body, ['sink', 'source']);
    assert.deepEqual((await b.request('GET', '/connectors')).body, ['sink', 'source']);

    const lines = Array.from({ length: 50 }, (_, i) => `line-${i}`);
    appendFileSync(input, lines.join('\n') + '\n');
    await waitFor('lines through the pipeline', () => outputLines().length >= 50, 30_000);
    assert.deepEqual(outputLines(), lines);
  });

  test('a killed worker\'s tasks move to the survivor after the session timeout; nothing is lost; it rejoins', async () => {
    // Kill the worker running the source task, so its offsets must be picked up by the other.
    const before = (await status(a, 'source'))!;
    const victim = before.tasks[0]!.worker_id === a.workerId ? a : b;
    const survivor = victim === a ? b : a;
    await victim.kill9();
    const more = Array.from({ length: 50 }, (_, i) => `after-${i}`);
    appendFileSync(input, more.join('\n') + '\n');
    const moved = await waitFor(
      'all work on the survivor',
      async () => {
        const s = await allRunningOn(survivor, ['source', 'sink'], [1, 2]);
        return s && s.every((x) => x.connector.worker_id === survivor.workerId && x.tasks.every((t) => t.worker_id === survivor.workerId)) ? s : false;
      },
      60_000,
    );
    assert.equal(moved.length, 2);
    await waitFor('every line, before and after the kill', () => new Set(outputLines()).size >= 100, 60_000);
    const seen = new Set(outputLines());
    for (const l of [...Array.from({ length: 50 }, (_, i) => `line-${i}`), ...more]) assert.ok(seen.has(l), `missing ${l}`);

    // The killed worker comes back and gets work again.
    await victim.start();
    const spread = await waitFor(
      'work spread over both again',
      async () => {
        const s = await allRunningOn(survivor, ['source', 'sink'], [1, 2]);
        if (!s) return false;
        const ids = new Set(s.flatMap((x) => [x.connector.worker_id, ...x.tasks.map((t) => t.worker_id)]));
        return ids.size === 2 ? ids : false;
      },
      60_000,
    );
    assert.ok(spread.has(victim.workerId));
    const last = Array.from({ length: 20 }, (_, i) => `rejoined-${i}`);
    appendFileSync(input, last.join('\n') + '\n');
    await waitFor('lines after the rejoin', () => last.every((l) => new Set(outputLines()).has(l)), 30_000);
  });
});
