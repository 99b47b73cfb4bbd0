/**
 * The kafka signal channel against a real broker and a real PostgreSQL: an `execute-snapshot` record keyed by
 * the connector's topic.prefix on `<prefix>-signal` starts an incremental snapshot (every row arrives as a read);
 * a record keyed for another connector and a value that is not JSON are skipped; a restarted task does not read
 * the same signal again (the channel's group position is committed after the signal is handed over): a second
 * signal sent after the restart reads only its own rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SourceRecord } from '../../../src/connect/data/index.js';
import type { PostgresSourceTask } from '../../../src/connectors/postgres/task.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { type BrokerWithBackend, startBrokerWithBackend, stopBrokerWithBackend } from '../kafka/helpers.js';
import { MemoryOffsets, commitRecords, payload, pollFor, sql, startTask, taskConfig } from '../postgres/harness.js';

const TABLE_TOPIC = 'ks.public.ks_t';

const readIds = (rs: SourceRecord[]) =>
  rs.filter((r) => r.topic === TABLE_TOPIC && r.value !== null && payload(r).op === 'r').map((r) => (payload(r).after as { id: number }).id);

describe('kafka signal channel', () => {
  let pgc: PostgresCluster | undefined;
  let kafka: Partial<BrokerWithBackend> = {};

  before(async () => {
    [pgc, kafka] = await Promise.all([startPostgres(), startBrokerWithBackend()]);
    await sql(pgc, `CREATE TABLE ks_signal(id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
      CREATE TABLE ks_t(id int PRIMARY KEY, v text);
      INSERT INTO ks_t SELECT g, 'v' || g FROM generate_series(1, 30) g;`);
    await kafka.backend!.createTopics([{ name: 'ks-signal', partitions: 1, replicationFactor: 1 }]);
  });

  after(async () => {
    await pgc?.stop();
    await stopBrokerWithBackend(kafka);
  });

  test('execute-snapshot from the signal topic; foreign and malformed signals skipped; not replayed after a restart', async () => {
    const config = taskConfig(pgc!, 'ks', 'public.ks_t', {
      'publication.autocreate.mode': 'filtered', 'snapshot.mode': 'no_data', 'signal.data.collection': 'public.ks_signal',
      'signal.enabled.channels': 'source,kafka', 'signal.kafka.bootstrap.servers': kafka.cluster!.bootstrapServers,
      'signal.consumer.fetch.max.wait.ms': '100', 'incremental.snapshot.chunk.size': '10',
    });
    const offsets = new MemoryOffsets();
    let task: PostgresSourceTask = await startTask(config, offsets);
    try {
      const snapshot = { type: 'execute-snapshot', data: { 'data-collections': ['public.ks_t'] } };
      const producer = kafka.backend!.producer({ clientId: 'signal-sender' });
      await producer.send([
        { topic: 'ks-signal', key: Buffer.from('other-connector'), value: Buffer.from(JSON.stringify({ id: 'x-1', ...snapshot })) },
        { topic: 'ks-signal', key: Buffer.from('ks'), value: Buffer.from('not json') },
        { topic: 'ks-signal', key: Buffer.from('ks'), value: Buffer.from(JSON.stringify({ id: 'k-1', ...snapshot })) },
      ]);
      await producer.close();

      const got: SourceRecord[] = [];
      for (const deadline = Date.now() + 60_000; readIds(got).length < 30; ) {
        assert.ok(Date.now() < deadline, `timed out with ${readIds(got).length} of 30 rows read`);
        got.push(...((await task.poll()) ?? []));
      }
      got.push(...(await pollFor(task, 1500)));
      // Exactly one snapshot: the foreign signal started none, the malformed one broke nothing.
      assert.deepEqual(readIds(got).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
      await commitRecords(task, got, offsets);
      await task.stop();

      task = await startTask(config, offsets);
      // A second signal, for five rows: by the time its rows arrive the channel has read the topic from its
      // committed position; had it started over, the first signal's 30 rows would come (first) as well.
      const again = kafka.backend!.producer({ clientId: 'signal-sender-2' });
      await again.send([{ topic: 'ks-signal', key: Buffer.from('ks'), value: Buffer.from(JSON.stringify({
        id: 'k-2', type: 'execute-snapshot',
        data: { 'data-collections': ['public.ks_t'], 'additional-conditions': [{ 'data-collection': 'public.ks_t', filter: 'id <= 5' }] },
      })) }]);
      await again.close();
      const afterRestart: SourceRecord[] = [];
      for (const deadline = Date.now() + 60_000; readIds(afterRestart).length < 5; ) {
        assert.ok(Date.now() < deadline, `timed out with ${readIds(afterRestart).length} of 5 rows read after the restart`);
        afterRestart.push(...((await task.poll()) ?? []));
      }
      afterRestart.push(...(await pollFor(task, 1500)));
      assert.deepEqual(readIds(afterRestart).sort((a, b) => a - b), [1, 2, 3, 4, 5], 'only the new signal was read after the restart');
    } finally {
      await task.stop();
    }
  });
});
