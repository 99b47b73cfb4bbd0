import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { topicPartition } from '../../../src/connect/api/connector.js';
import { partitionForKey } from '../../../src/connect/topics/partitioner.js';
import { buf, openBackend, pollCount, tempDir } from './helpers.js';

describe('embedded log: produce and consume', () => {
  test('every field round-trips exactly, offsets are consecutive per partition', async () => {
    const dir = tempDir();
    const b = await openBackend(dir);
    await b.createTopics([{ name: 'rt', partitions: 3 }]);
    const producer = b.producer({ clientId: 'p' });
    const binary = Buffer.from([0, 1, 2, 254, 255]);
    const before = Date.now();
    const md = await producer.send([
      { topic: 'rt', partition: 2, key: buf('k1'), value: buf('v1'), timestamp: 1234, headers: [{ key: 'h', value: binary }, { key: 'nul', value: null }, { key: 'ü', value: Buffer.alloc(0) }] },
      { topic: 'rt', partition: 2, key: null, value: null },
      { topic: 'rt', partition: 2, key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 0 },
      { topic: 'rt', key: buf('order-42'), value: buf('keyed') },
    ]);
    assert.deepEqual(md.slice(0, 3).map((m) => [m.partition, m.offset]), [[2, 0], [2, 1], [2, 2]]);
    assert.equal(md[0]!.timestamp, 1234);
    assert.ok(md[1]!.timestamp >= before && md[1]!.timestamp <= Date.now());
    assert.equal(md[3]!.partition, partitionForKey(buf('order-42'), 3));

    const c = b.consumer('g', { clientId: 'c' });
    await c.subscribe(['rt']);
    const got = (await pollCount(c, 4)).sort((x, y) => x.partition - y.partition || x.offset - y.offset);
    const p2 = got.filter((r) => r.partition === 2);
    assert.equal(p2[0]!.timestamp, 1234);
    assert.equal(p2[0]!.timestampType, 'CreateTime');
    assert.deepEqual(p2[0]!.key, buf('k1'));
    assert.deepEqual(p2[0]!.value, buf('v1'));
    assert.deepEqual(p2[0]!.headers, [{ key: 'h', value: binary }, { key: 'nul', value: null }, { key: 'ü', value: Buffer.alloc(0) }]);
    assert.equal(p2[1]!.key, null);
    assert.equal(p2[1]!.value, null);
    assert.deepEqual(p2[1]!.headers, []);
    assert.equal(p2[1]!.timestamp, md[1]!.timestamp);
    assert.deepEqual(p2[2]!.key, Buffer.alloc(0));
    assert.deepEqual(p2[2]!.value, Buffer.alloc(0));
    assert.equal(p2[2]!.timestamp, 0);
    const keyed = got.find((r) => r.value?.toString() === 'keyed')!;
    assert.equal(keyed.partition, md[3]!.partition);
    await c.close();
    await b.close();
  });

  test('order within a partition is kept across many sends and large batches', async () => {
    const b = await openBackend(tempDir());
    await b.createTopics([{ name: 'ord', partitions: 1 }]);
    const p = b.producer({ clientId: 'p' });
    const sends = [];
    for (let s = 0; s < 20; s++) {
      sends.push(p.send(Array.from({ length: 250 }, (_, i) => ({ topic: 'ord', key: null, value: Buffer.alloc(5000, `${s}:${i}`) }))));
    }
    await Promise.all(sends);
    const c = b.consumer('g', { clientId: 'c', properties: { 'max.poll.records': '777' } });
    await c.subscribe(['ord']);
    const got = await pollCount(c, 5000);
    assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 5000 }, (_, i) => i));
    got.forEach((r, k) => assert.ok(r.value!.toString('utf8', 0, 8).startsWith(`${Math.floor(k / 250)}:${k % 250}`)));
    await c.close();
    await b.close();
  });

  test('a consumer keeps up with a concurrent producer across segment rolls', async () => {
    const b = await openBackend(tempDir(), { fsync: 'never' });
    await b.createTopics([{ name: 'roll', configs: { 'segment.bytes': '20000' } }]);
    const c = b.consumer('g', { clientId: 'c' });
    await c.subscribe(['roll']);
    const reading = pollCount(c, 3000, 20_000);
    const p = b.producer({ clientId: 'p' });
    for (let s = 0; s < 100; s++) {
      await p.send(Array.from({ length: 30 }, (_, i) => ({ topic: 'roll', key: null, value: Buffer.from(`${s * 30 + i}`.padEnd(200, '.')) })));
    }
    const got = await reading;
    assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 3000 }, (_, i) => i));
    assert.ok(got.every((r) => r.value!.toString().startsWith(`${r.offset}.`)));
    await c.close();
    await b.close();
  });

  test('a restart reopens the topics and continues the offsets; the cluster id stays', async () => {
    const dir = tempDir();
    let b = await openBackend(dir);
    const id = await b.clusterId();
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    await b.createTopics([{ name: 'again', partitions: 2, configs: { 'retention.ms': '-1' } }]);
    await b.producer({ clientId: 'p' }).send([1, 2, 3].map((i) => ({ topic: 'again', partition: 1, key: null, value: buf(`a${i}`) })));
    await b.close();

    b = await openBackend(dir);
    assert.equal(await b.clusterId(), id);
    assert.deepEqual(await b.describeTopic('again'), { name: 'again', partitions: 2, configs: { 'retention.ms': '-1' } });
    assert.deepEqual(await b.offsets('again'), [
      { partition: 0, start: 0, end: 0 },
      { partition: 1, start: 0, end: 3 },
    ]);
    const md = await b.producer({ clientId: 'p' }).send([{ topic: 'again', partition: 1, key: null, value: buf('a4') }]);
    assert.equal(md[0]!.offset, 3);
    const c = b.consumer('g', { clientId: 'c' });
    await c.subscribe(['again']);
    assert.deepEqual((await pollCount(c, 4)).map((r) => r.value!.toString()), ['a1', 'a2', 'a3', 'a4']);
    await c.close();
    await b.close();
  });

  for (const fsync of ['interval', 'never'] as const) {
    test(`fsync=${fsync}: records round-trip across a restart`, async () => {
      const dir = tempDir();
      let b = await openBackend(dir, { fsync, fsyncIntervalMs: 20 });
      const p = b.producer({ clientId: 'p' });
      for (let i = 0; i < 10; i++) await p.send([{ topic: 'pol', key: buf(`k${i}`), value: buf(`v${i}`) }]);
      await new Promise((r) => setTimeout(r, 60));
      await b.close();
      b = await openBackend(dir, { fsync });
      const c = b.consumer('g', { clientId: 'c' });
      await c.subscribe(['pol']);
      assert.deepEqual((await pollCount(c, 10)).map((r) => r.value!.toString()), Array.from({ length: 10 }, (_, i) => `v${i}`));
      await c.close();
      await b.close();
    });
  }

  test('deleting a topic a consumer reads makes it give the partitions up', async () => {
    const b = await openBackend(tempDir());
    const p = b.producer({ clientId: 'p' });
    await p.send([{ topic: 'gone', key: null, value: buf('x') }, { topic: 'stays', key: null, value: buf('y') }]);
    const c = b.consumer('g', { clientId: 'c' });
    await c.subscribe(['gone', 'stays']);
    assert.equal((await pollCount(c, 2)).length, 2);
    await c.commit(new Map([[topicPartition('stays', 0), 1]]));
    await b.deleteTopic('gone');
    assert.deepEqual(await c.poll(50), []);
    assert.deepEqual(c.assignment().map((tp) => tp.topic), ['stays']);
    await c.close();
    await b.close();
  });

  test('topic admin: create (default partitions), list, describe, delete, auto-create on produce, bad names', async () => {
    const b = await openBackend(tempDir(), { defaultPartitions: 3 });
    assert.deepEqual(await b.createTopics([{ name: 'a', partitions: -1 }, { name: 'b', partitions: 2 }]), ['a', 'b']);
    assert.deepEqual(await b.createTopics([{ name: 'a' }]), []);
    assert.equal((await b.describeTopic('a'))!.partitions, 3);
    assert.equal(await b.describeTopic('nope'), null);
    await b.producer({ clientId: 'p' }).send([{ topic: 'auto', key: buf('x'), value: buf('y') }]);
    assert.deepEqual(await b.listTopics(), ['a', 'auto', 'b']);
    await b.deleteTopic('b');
    assert.deepEqual(await b.listTopics(), ['a', 'auto']);
    await assert.rejects(b.deleteTopic('b'));
    assert.deepEqual(await b.createTopics([{ name: 'b', partitions: 1 }]), ['b']);
    assert.deepEqual(await b.offsets('b'), [{ partition: 0, start: 0, end: 0 }]);
    await assert.rejects(b.createTopics([{ name: 'no/slash' }]), /illegal/);
    await assert.rejects(b.createTopics([{ name: 'bad-config', configs: { 'segment.bytes': 'x' } }]), /segment.bytes/);
    await assert.rejects(b.producer({ clientId: 'p' }).send([{ topic: 'a', partition: 9, key: null, value: null }]), /not in the range/);
    await b.close();
  });

  test('a second owner is refused while the first lives', async () => {
    const dir = tempDir();
    const b = await openBackend(dir);
    await assert.rejects(openBackend(dir), /in use by another process/);
    await b.close();
    const again = await openBackend(dir);
    await again.close();
  });
});

describe('embedded log: long poll', () => {
  test('poll returns as soon as a record is appended, and wakeup ends it early', async () => {
    const b = await openBackend(tempDir());
    await b.createTopics([{ name: 'lp' }]);
    const c = b.consumer('g', { clientId: 'c' });
    await c.subscribe(['lp']);
    assert.deepEqual(await c.poll(50), []);
    const t0 = Date.now();
    setTimeout(() => void b.producer({ clientId: 'p' }).send([{ topic: 'lp', key: null, value: buf('now') }]), 100);
    const got = await c.poll(5000);
    assert.equal(got.length, 1);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    const t1 = Date.now();
    setTimeout(() => c.wakeup(), 50);
    assert.deepEqual(await c.poll(5000), []);
    assert.ok(Date.now() - t1 < 2000);
    await c.close();
    await b.close();
  });

  test('a read-only view (like tsconnect consume beside a worker) sees appended records and new topics', async () => {
    const dir = tempDir();
    const owner = await openBackend(dir, { fsync: 'never' });
    await owner.createTopics([{ name: 'shared', partitions: 2 }]);
    const p = owner.producer({ clientId: 'p' });
    await p.send([{ topic: 'shared', partition: 0, key: null, value: buf('first') }]);
    const reader = await openBackend(dir, { access: 'auto' });
    assert.equal(reader.readOnly, true);
    assert.throws(() => reader.producer({ clientId: 'x' }), /read-only/);
    const c = reader.consumer('console', { clientId: 'c', properties: { 'enable.auto.commit': 'true' } });
    await c.subscribe(/shared|later/);
    assert.deepEqual((await pollCount(c, 1)).map((r) => r.value!.toString()), ['first']);
    setTimeout(() => void p.send([{ topic: 'shared', partition: 1, key: null, value: buf('second') }]), 50);
    assert.deepEqual((await pollCount(c, 1)).map((r) => r.value!.toString()), ['second']);
    await owner.createTopics([{ name: 'later' }]);
    await p.send([{ topic: 'later', key: null, value: buf('third') }]);
    const third = await pollCount(c, 1);
    assert.equal(third[0]!.topic, 'later');
    assert.deepEqual(
      c.assignment().map((tp) => `${tp.topic}-${tp.partition}`).sort(),
      ['later-0', 'shared-0', 'shared-1'],
    );
    await c.close();
    // Auto-commit on revoke and close kept the positions.
    const committed = await owner.groupOffsets('console');
    assert.equal(committed.get(topicPartition('shared', 0)), 1);
    assert.equal(committed.get(topicPartition('shared', 1)), 1);
    assert.equal(committed.get(topicPartition('later', 0)), 1);
    await reader.close();
    await owner.close();
  });
});
