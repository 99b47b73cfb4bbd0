import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, asJson, blogConfig, payload, pollN, sql, startTask } from './harness.js';

const mnistConfig = (c: PostgresCluster, extra: Record<string, string> = {}) =>
  blogConfig(c, { name: 'mnist-connector', 'topic.prefix': 'tf', 'table.include.list': 'public.mnist_.*', ...extra });

describe('mnist blog connector and bad input', () => {
  let pgc: PostgresCluster;
  before(async () => {
    pgc = await startPostgres();
  });
  after(async () => {
    await pgc?.stop();
  });

  test('mnist table: snapshot and streamed rows with label int16 and pixels bytes', async () => {
    await sql(pgc, 'CREATE TABLE mnist_train(id SERIAL NOT NULL PRIMARY KEY, label SMALLINT, pixels BYTEA);');
    const pixels = Buffer.alloc(784, 0);
    pixels[300] = 255;
    pixels[301] = 7;
    await sql(pgc, `INSERT INTO mnist_train(label, pixels) VALUES(5, '\\x${pixels.toString('hex')}');`);
    const task = await startTask(mnistConfig(pgc), new MemoryOffsets());
    try {
      const [r] = await pollN(task, 1);
      assert.equal(r!.topic, 'tf.public.mnist_train');
      const j = asJson(r!);
      const after = (j.value as { schema: { fields: { field: string; fields?: unknown[] }[] } }).schema.fields[1]!;
      assert.deepEqual(after.fields, [
        { type: 'int32', optional: false, default: 0, field: 'id' },
        { type: 'int16', optional: true, field: 'label' },
        { type: 'bytes', optional: true, field: 'pixels' },
      ]);
      const p = payload(r!);
      assert.deepEqual(p.after, { id: 1, label: 5, pixels: pixels.toString('base64') });
      assert.equal((p.source as Record<string, unknown>).snapshot, 'last');

      await sql(pgc, 'CREATE TABLE mnist_test(id SERIAL NOT NULL PRIMARY KEY, label SMALLINT, pixels BYTEA);');
      await sql(pgc, `INSERT INTO mnist_test(label, pixels) VALUES(7, '\\x${pixels.toString('hex')}');`);
      const [s] = await pollN(task, 1);
      assert.equal(s!.topic, 'tf.public.mnist_test');
      const ps = payload(s!);
      assert.equal(ps.op, 'c');
      assert.deepEqual(ps.after, { id: 1, label: 7, pixels: pixels.toString('base64') });
      const value = (s!.value as { get(n: string): unknown }).get('after') as { get(n: string): unknown };
      assert.deepEqual([...(value.get('pixels') as Uint8Array)], [...pixels]);
    } finally {
      await task.stop();
    }
  });

  test('wrong password fails start with a clear message', async () => {
    await assert.rejects(startTask(mnistConfig(pgc, { 'database.password': 'nope', 'slot.name': 'other' }), new MemoryOffsets()), /password authentication failed/);
  });

  test('unknown database fails start with a clear message', async () => {
    await assert.rejects(startTask(mnistConfig(pgc, { 'database.dbname': 'nodb' }), new MemoryOffsets()), /database "nodb" does not exist/);
  });

  test('an invalid table filter regex is a configuration error', async () => {
    await assert.rejects(startTask(mnistConfig(pgc, { 'table.include.list': 'public.(' }), new MemoryOffsets()), /Invalid regular expression/);
  });

  test('wal_level=replica fails start naming wal_level', async () => {
    const replica = await startPostgres({ walLevel: 'replica' });
    try {
      await assert.rejects(startTask(mnistConfig(replica), new MemoryOffsets()), /wal_level property must be 'logical' but is: 'replica'/);
    } finally {
      await replica.stop();
    }
  });

  test('a user without REPLICATION gets a clear error', async () => {
    await sql(pgc, "CREATE ROLE plain LOGIN PASSWORD 'plain'");
    await assert.rejects(
      startTask(mnistConfig(pgc, { 'database.user': 'plain', 'database.password': 'plain', 'slot.name': 'plain' }), new MemoryOffsets()),
      /REPLICATION/,
    );
  });
});
