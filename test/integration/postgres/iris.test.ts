import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { MemoryOffsets, asJson, blogConfig, commitRecords, confirmedFlush, payload, pollFor, pollN, sql, startTask } from './harness.js';

const CREATE = 'CREATE TABLE IF NOT EXISTS iris_train(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int);';
const row = (v: number[], c: number) => `INSERT INTO iris_train(sepal_length, sepal_width, petal_length, petal_width, iris_class) VALUES(${v.join(', ')}, ${c});`;

describe('iris blog connector: snapshot, streaming, offsets, LSN confirmation', () => {
  let pgc: PostgresCluster;
  before(async () => {
    pgc = await startPostgres();
    await sql(pgc, CREATE);
    await sql(pgc, row([5.4, 3.7, 1.5, 0.2], 0));
    await sql(pgc, row([7.6, 3.0, 6.6, 2.1], 2));
    await sql(pgc, 'CREATE TABLE other(id int primary key)');
  });
  after(async () => {
    await pgc?.stop();
  });

  test('snapshot then streaming with exact events; restart resumes without loss or duplicates', async () => {
    const offsets = new MemoryOffsets();
    let task = await startTask(blogConfig(pgc), offsets);
    try {
      const snap = await pollN(task, 2);
      assert.deepEqual(snap.map((r) => r.topic), ['flink.public.iris_train', 'flink.public.iris_train']);
      const j = asJson(snap[0]!);
      assert.deepEqual(j.key, {
        schema: { type: 'struct', fields: [{ type: 'int32', optional: false, default: 0, field: 'id' }], optional: false, name: 'flink.public.iris_train.Key' },
        payload: { id: 1 },
      });
      const schema = (j.value as { schema: Record<string, unknown> }).schema;
      const valueFields = [
        { type: 'int32', optional: false, default: 0, field: 'id' },
        { type: 'double', optional: true, field: 'sepal_length' },
        { type: 'double', optional: true, field: 'sepal_width' },
        { type: 'double', optional: true, field: 'petal_length' },
        { type: 'double', optional: true, field: 'petal_width' },
        { type: 'int32', optional: true, field: 'iris_class' },
      ];
      assert.equal(schema.name, 'flink.public.iris_train.Envelope');
      assert.equal(schema.version, 2);
      const fields = schema.fields as Record<string, unknown>[];
      assert.deepEqual(fields.map((f) => f.field), ['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns']);
      assert.deepEqual(fields[0], { type: 'struct', fields: valueFields, optional: true, name: 'flink.public.iris_train.Value', field: 'before' });
      const source = fields[2] as { fields: { field: string }[]; name: string };
      assert.equal(source.name, 'io.debezium.connector.postgresql.Source');
      assert.deepEqual(source.fields.map((f) => f.field), ['version', 'connector', 'name', 'ts_ms', 'snapshot', 'db', 'sequence', 'ts_us', 'ts_ns', 'schema', 'table', 'txId', 'lsn', 'xmin', 'origin', 'origin_lsn']);

      const p0 = payload(snap[0]!);
      assert.equal(p0.op, 'r');
      assert.equal(p0.before, null);
      assert.deepEqual(p0.after, { id: 1, sepal_length: 5.4, sepal_width: 3.7, petal_length: 1.5, petal_width: 0.2, iris_class: 0 });
      const s0 = p0.source as Record<string, unknown>;
      assert.equal(s0.connector, 'postgresql');
      assert.equal(s0.name, 'flink');
      assert.equal(s0.db, 'postgres');
      assert.equal(s0.schema, 'public');
      assert.equal(s0.table, 'iris_train');
      assert.equal(s0.snapshot, 'first');
      assert.equal(typeof s0.lsn, 'number');
      assert.equal(typeof s0.txId, 'number');
      assert.equal((payload(snap[1]!).source as Record<string, unknown>).snapshot, 'last');
      assert.deepEqual(snap[1]!.sourcePartition, { server: 'flink' });
      assert.equal(snap[1]!.sourceOffset!.snapshot, 'INITIAL');
      assert.equal(snap[1]!.sourceOffset!.last_snapshot_record, true);
      assert.equal(snap[0]!.sourceOffset!.last_snapshot_record, false);
      await commitRecords(task, snap, offsets);

      // Streaming: insert, update (before null under DEFAULT identity), delete + tombstone.
      await sql(pgc, row([6.0, 2.7, 5.1, 1.6], 1));
      await sql(pgc, 'INSERT INTO other VALUES (1)'); // not captured
      await sql(pgc, 'UPDATE iris_train SET iris_class = 2 WHERE id = 3');
      await sql(pgc, 'DELETE FROM iris_train WHERE id = 1');
      const stream = await pollN(task, 4);
      const [c, u, d, tomb] = stream;
      const pc = payload(c!);
      assert.equal(pc.op, 'c');
      assert.deepEqual(pc.after, { id: 3, sepal_length: 6.0, sepal_width: 2.7, petal_length: 5.1, petal_width: 1.6, iris_class: 1 });
      const sc = pc.source as Record<string, unknown>;
      assert.equal(sc.snapshot, 'false');
      assert.match(String(sc.sequence), /^\[(null|"\d+"),"\d+"\]$/);
      assert.equal(typeof sc.txId, 'number');
      assert.ok(Math.abs((sc.ts_ms as number) - Date.now()) < 60_000);
      const pu = payload(u!);
      assert.equal(pu.op, 'u');
      assert.equal(pu.before, null);
      assert.equal((pu.after as Record<string, unknown>).iris_class, 2);
      const pd = payload(d!);
      assert.equal(pd.op, 'd');
      assert.deepEqual(pd.before, { id: 1, sepal_length: null, sepal_width: null, petal_length: null, petal_width: null, iris_class: null });
      assert.equal(pd.after, null);
      assert.equal(tomb!.value, null);
      assert.equal(tomb!.valueSchema, null);
      assert.deepEqual(asJson(tomb!).key, asJson(d!).key);
      assert.deepEqual(d!.sourceOffset, tomb!.sourceOffset);
      const off = u!.sourceOffset!;
      assert.deepEqual(Object.keys(off).sort(), ['lsn', 'lsn_commit', 'lsn_proc', 'messageType', 'ts_usec', 'txId']);
      assert.equal(off.messageType, 'UPDATE');
      assert.deepEqual(d!.headers.toArray().map((h) => [h.key, h.value]), [
        ['__debezium.context.connectorLogicalName', 'flink'],
        ['__debezium.context.taskId', '0'],
        ['__debezium.context.connectorName', 'postgresql'],
      ]);

      // The slot never passes what commit() confirmed: commit only the first streamed record.
      const before = await confirmedFlush(pgc);
      await commitRecords(task, [c!], offsets);
      const target = Number(c!.sourceOffset!.lsn_commit ?? c!.sourceOffset!.lsn_proc);
      await waitFor(async () => (await confirmedFlush(pgc))! >= target);
      const cf = await confirmedFlush(pgc);
      assert.ok(cf! <= Number(u!.sourceOffset!.lsn), 'slot confirmed beyond the committed offset');
      assert.ok(before! <= cf!);
      // Idle keepalives must not move it further.
      await pollFor(task, 1500);
      assert.equal(await confirmedFlush(pgc), cf);
    } finally {
      await task.stop();
    }

    // Restart from the committed offset (after the insert): update, delete and tombstone are re-emitted,
    // the insert is not; rows inserted while stopped arrive; no snapshot.
    await sql(pgc, row([4.3, 3.0, 1.1, 0.1], 0));
    task = await startTask(blogConfig(pgc), offsets);
    try {
      const again = await pollN(task, 4);
      assert.deepEqual(again.map((r) => (r.value === null ? 'tombstone' : payload(r).op)), ['u', 'd', 'tombstone', 'c']);
      assert.equal((payload(again[3]!).after as Record<string, unknown>).id, 4);
      const more = await pollFor(task, 800);
      assert.equal(more.length, 0, 'no duplicates beyond the uncommitted tail');
      await commitRecords(task, again, offsets);
    } finally {
      await task.stop();
    }

    // After everything was committed and a graceful stop, a restart emits nothing old.
    task = await startTask(blogConfig(pgc), offsets);
    try {
      await sql(pgc, row([5.8, 2.7, 3.9, 1.2], 1));
      const last = await pollN(task, 1);
      assert.equal((payload(last[0]!).after as Record<string, unknown>).id, 5);
      assert.equal((await pollFor(task, 800)).length, 0);
    } finally {
      await task.stop();
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 100));
  }
}
