/**
 * The broker dies (SIGKILL) for about 20 s while the Postgres source streams into it, and comes back on the
 * same data. Meanwhile rows keep being inserted. Expected, as with Kafka Connect: the source task keeps
 * retrying (it stays RUNNING; the producer retries until `delivery.timeout.ms`), the replication slot is never
 * confirmed past a record Kafka has not acknowledged (`confirmed_flush_lsn` sampled during the outage stays
 * below the LSN of every record produced during it), and after the restart every row is on the topic.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import { irisFlinkConnector } from '../../../src/demo/iris.js';
import type { KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { waitFor } from '../../helpers/worker-process.js';
import { startBroker } from '../kafka/helpers.js';
import { IRIS_TABLE, confirmedFlush, irisRow, kcat, lsnNumber, startStandaloneOnKafka, type TextRecord } from './helpers.js';

const TOPIC = 'flink.public.iris_train';
const OUTAGE_MS = Number(process.env.TSCONNECT_OUTAGE_MS ?? 20_000);

interface Envelope {
  payload: { op: string; after: { id: number } | null; source: { lsn: number } };
}

describe('broker outage mid-stream', () => {
  let kafka: KafkaCluster;
  let pgc: PostgresCluster;
  let db: pg.Client;
  let dir: string;
  let worker: StandaloneWorker;

  before(async () => {
    [kafka, pgc] = await Promise.all([startBroker(), startPostgres()]);
    db = new pg.Client({ connectionString: pgc.connectionString });
    await db.connect();
    await db.query(IRIS_TABLE('iris_train'));
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-e2e-outage-'));
    worker = await startStandaloneOnKafka(kafka.bootstrapServers, dir, {
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    });
  });

  after(async () => {
    await worker?.stop();
    await db?.end();
    await Promise.all([kafka?.stop(), pgc?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const insert = async (n: number) => {
    for (let i = 0; i < n; i++) await db.query(irisRow('iris_train', [5.0, 3.0, 1.5, 0.2], i % 3));
  };
  const records = async (): Promise<Envelope[]> =>
    (await kcat(kafka.bootstrapServers, TOPIC).catch((): TextRecord[] => [])).filter((r) => r.value !== '<null>').map((r) => JSON.parse(r.value) as Envelope);
  const taskState = async () => {
    const r = await fetch(`${worker.url}/connectors/outage/status`);
    return ((await r.json()) as { tasks: { state: string; trace?: string }[] }).tasks[0];
  };

  test('the task retries, the slot waits for Kafka\'s acks, nothing is lost', { timeout: 120_000 }, async () => {
    // The blog's connector without the unwrap SMT, so every record carries its source LSN.
    const { transforms: _t, 'transforms.unwrap.type': _u, ...config } = irisFlinkConnector(pgc.host, pgc.port).config;
    const res = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'outage', config: { ...config, 'poll.interval.ms': '50' } }),
    });
    assert.equal(res.status, 201, await res.text());
    await waitFor('the slot', async () => (await confirmedFlush(db, 'debezium')) !== null || false, 30_000);

    await insert(20);
    await waitFor('20 rows on Kafka', async () => (await records()).length >= 20 || false, 30_000);
    const beforeKill = await waitFor('the slot confirmed the acknowledged rows', async () => {
      const recs = await records();
      const c = await confirmedFlush(db, 'debezium');
      return c !== null && c > Math.max(...recs.map((r) => r.payload.source.lsn)) ? c : false;
    }, 20_000);

    await kafka.kill(true);
    const outageStart = lsnNumber(((await db.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0] as { l: string }).l);
    const samples: number[] = [];
    const until = Date.now() + OUTAGE_MS;
    let during = 0;
    while (Date.now() < until) {
      await insert(5);
      during += 5;
      samples.push((await confirmedFlush(db, 'debezium'))!);
      await new Promise((r) => setTimeout(r, 400));
    }
    const stateDuring = await taskState();
    assert.equal(stateDuring?.state, 'RUNNING', `task during the outage: ${JSON.stringify(stateDuring)}`);
    await kafka.restart();
    await insert(10);

    const total = 20 + during + 10;
    const after = await waitFor(`all ${total} rows on Kafka after the restart`, async () => {
      const recs = await records();
      return new Set(recs.map((r) => r.payload.after!.id)).size >= total ? recs : false;
    }, 60_000);
    const ids = new Set(after.map((r) => r.payload.after!.id));
    for (let id = 1; id <= total; id++) assert.ok(ids.has(id), `row ${id} lost`);
    assert.equal((await taskState())?.state, 'RUNNING');

    // The slot never passed what Kafka had acknowledged: every sample during the outage is at most the LSN of
    // the first record produced after the kill (none of those could be acknowledged). Equal is fine and usual:
    // the end of the last acknowledged commit is where the next transaction's first change starts, and Postgres
    // replays every transaction whose commit record starts at or after confirmed_flush_lsn.
    const outageLsns = after.filter((r) => r.payload.after!.id > 20).map((r) => r.payload.source.lsn);
    const firstUnacked = Math.min(...outageLsns);
    assert.ok(firstUnacked >= outageStart);
    const maxDuring = Math.max(...samples);
    assert.ok(maxDuring <= firstUnacked, `slot confirmed ${maxDuring} during the outage, past the unacknowledged record at ${firstUnacked}`);
    assert.ok(maxDuring >= beforeKill, 'the slot went backwards');
    // ...and once Kafka is back the slot moves past them.
    await waitFor('the slot confirmed after recovery', async () => ((await confirmedFlush(db, 'debezium'))! > Math.max(...outageLsns)) || false, 20_000);
  });
});
