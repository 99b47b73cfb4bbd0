import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { topicPartition, type TopicPartition } from '../../../src/connect/api/connector.js';
import type { RebalanceListener } from '../../../src/connect/topics/types.js';
import { buf, openBackend, pollCount, tempDir } from './helpers.js';

function recorder(): RebalanceListener & { events: string[] } {
  const fmt = (tps: TopicPartition[]) => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort().join(',');
  const events: string[] = [];
  return {
    events,
    onPartitionsAssigned: (tps) => void events.push(`assigned ${fmt(tps)}`),
    onPartitionsRevoked: (tps) => void events.push(`revoked ${fmt(tps)}`),
  };
}

describe('embedded log: consumer groups', () => {
  test('a group resumes from its committed offsets after a restart', async () => {
    const dir = tempDir();
    let b = await openBackend(dir);
    await b.createTopics([{ name: 'res', partitions: 2 }]);
    const p = b.producer({ clientId: 'p' });
    await p.send(Array.from({ length: 10 }, (_, i) => ({ topic: 'res', partition: i % 2, key: null, value: buf(`r${i}`) })));
    let c = b.consumer('sink', { clientId: 'c' });
    await c.subscribe(['res']);
    await pollCount(c, 10);
    await c.commit(new Map([[topicPartition('res', 0), 3], [topicPartition('res', 1), 5]]));
    assert.deepEqual(
      [...(await c.committed([topicPartition('res', 0), topicPartition('res', 1)]))].map(([tp, o]) => [tp.partition, o]),
      [[0, 3], [1, 5]],
    );
    await c.close();
    await b.close();

    b = await openBackend(dir);
    assert.equal(await b.groupHasMembers('sink'), false);
    c = b.consumer('sink', { clientId: 'c' });
    await c.subscribe(['res']);
    const got = await pollCount(c, 2);
    assert.deepEqual(got.map((r) => `${r.partition}:${r.offset}`).sort(), ['0:3', '0:4']);
    assert.equal(await b.groupHasMembers('sink'), true);
    await assert.rejects(b.alterGroupOffsets('sink', new Map([[topicPartition('res', 0), 0]])), /active members/);
    await c.close();

    // Admin operations on the persisted offsets.
    assert.deepEqual([...(await b.groupOffsets('sink'))].map(([tp, o]) => [tp.partition, o]).sort(), [[0, 3], [1, 5]]);
    await b.alterGroupOffsets('sink', new Map([[topicPartition('res', 0), 1], [topicPartition('res', 1), null]]));
    assert.deepEqual([...(await b.groupOffsets('sink'))].map(([tp, o]) => [tp.partition, o]), [[0, 1]]);
    await b.deleteGroup('sink');
    assert.equal((await b.groupOffsets('sink')).size, 0);
    await b.close();
  });

  test('two consumers of one group split the partitions (range) and rebalance when one leaves', async () => {
    const b = await openBackend(tempDir());
    await b.createTopics([{ name: 'split', partitions: 4 }]);
    const p = b.producer({ clientId: 'p' });
    await p.send(Array.from({ length: 40 }, (_, i) => ({ topic: 'split', partition: i % 4, key: null, value: buf(`s${i}`) })));
    const la = recorder();
    const lb = recorder();
    const a = b.consumer('grp', { clientId: 'a' });
    const c = b.consumer('grp', { clientId: 'b' });
    await a.subscribe(['split'], la);
    await c.subscribe(['split'], lb);
    // Both poll concurrently: the first to join waits for the other.
    const [ra, rb] = await Promise.all([pollCount(a, 20), pollCount(c, 20)]);
    const pa = new Set(ra.map((r) => r.partition));
    const pb = new Set(rb.map((r) => r.partition));
    assert.equal(pa.size, 2);
    assert.equal(pb.size, 2);
    assert.deepEqual([...pa, ...pb].sort(), [0, 1, 2, 3]);
    assert.deepEqual(a.assignment().length + c.assignment().length, 4);
    assert.ok(la.events.some((e) => /^assigned split-\d,split-\d$/.test(e)));
    assert.ok(lb.events.some((e) => /^assigned split-\d,split-\d$/.test(e)));

    await a.commit(new Map(a.assignment().map((tp) => [tp, 10])));
    await c.close();
    assert.ok(lb.events.at(-1)!.startsWith('revoked'));
    // The survivor takes all four; the partitions b had start from the beginning (nothing committed).
    const rest = await pollCount(a, 20);
    assert.deepEqual(a.assignment().map((tp) => tp.partition).sort(), [0, 1, 2, 3]);
    assert.deepEqual([...new Set(rest.map((r) => r.partition))].sort(), [...pb].sort());
    assert.equal(la.events.at(-1), 'assigned split-0,split-1,split-2,split-3');
    await a.close();
    await b.close();
  });

  test('a regex subscription (full match) picks up a topic created later', async () => {
    const b = await openBackend(tempDir());
    await b.createTopics([{ name: 'db.public.a' }, { name: 'other' }, { name: 'xdb.public.z' }]);
    const l = recorder();
    const c = b.consumer('re', { clientId: 'c' });
    await c.subscribe(/db\.public\..*/, l);
    assert.deepEqual(await c.poll(50), []);
    assert.deepEqual(c.assignment().map((tp) => tp.topic), ['db.public.a']);
    await b.producer({ clientId: 'p' }).send([{ topic: 'db.public.b', key: null, value: buf('new table') }]);
    const got = await pollCount(c, 1);
    assert.equal(got[0]!.topic, 'db.public.b');
    assert.deepEqual(c.assignment().map((tp) => tp.topic).sort(), ['db.public.a', 'db.public.b']);
    assert.deepEqual(l.events, ['assigned db.public.a-0', 'revoked db.public.a-0', 'assigned db.public.a-0,db.public.b-0']);
    await c.close();
    await b.close();
  });

  test('seek, pause and resume; latest reset', async () => {
    const b = await openBackend(tempDir());
    await b.createTopics([{ name: 'sp', partitions: 2 }]);
    const p = b.producer({ clientId: 'p' });
    await p.send(Array.from({ length: 6 }, (_, i) => ({ topic: 'sp', partition: i % 2, key: null, value: buf(`v${i}`) })));
    const c = b.consumer('g', { clientId: 'c' });
    await c.subscribe(['sp']);
    await pollCount(c, 6);
    const p0 = topicPartition('sp', 0);
    const p1 = topicPartition('sp', 1);
    c.seek(p0, 1);
    c.pause([p1]);
    c.seek(p1, 0);
    const again = await pollCount(c, 2);
    assert.deepEqual(again.map((r) => `${r.partition}:${r.offset}`), ['0:1', '0:2']);
    assert.deepEqual(await c.poll(50), []);
    c.resume([p1]);
    assert.equal((await pollCount(c, 3)).every((r) => r.partition === 1), true);
    assert.throws(() => c.seek(topicPartition('nope', 0), 0), /No current assignment/);
    await c.close();

    const latest = b.consumer('new', { clientId: 'l', properties: { 'auto.offset.reset': 'latest' } });
    await latest.subscribe(['sp']);
    assert.deepEqual(await latest.poll(50), []);
    await p.send([{ topic: 'sp', partition: 0, key: null, value: buf('fresh') }]);
    assert.deepEqual((await pollCount(latest, 1)).map((r) => r.value!.toString()), ['fresh']);
    await latest.close();
    await b.close();
  });
});
