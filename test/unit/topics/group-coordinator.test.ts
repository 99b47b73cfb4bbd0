import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCoordinator, rangeAssign, type GroupMember } from '../../../src/connect/topics/embedded/group-coordinator.js';

function member(id: string, topics: string[]): GroupMember & { signals: number } {
  return {
    memberId: id,
    signals: 0,
    subscribes: (t) => topics.includes(t),
    signal() {
      this.signals++;
    },
  };
}

const names = (tps: { topic: string; partition: number }[] | undefined) => (tps ?? []).map((tp) => `${tp.topic}-${tp.partition}`);

describe('range assignment (Kafka RangeAssignor)', () => {
  test('contiguous ranges per topic; the first members get the remainder', () => {
    const a = rangeAssign(
      [member('c-2', ['t', 'u']), member('c-1', ['t', 'u'])],
      [
        { name: 't', partitions: 3 },
        { name: 'u', partitions: 2 },
      ],
    );
    assert.deepEqual(names(a.get('c-1')), ['t-0', 't-1', 'u-0']);
    assert.deepEqual(names(a.get('c-2')), ['t-2', 'u-1']);
  });
  test('only subscribed members share a topic', () => {
    const a = rangeAssign([member('a', ['t']), member('b', ['u'])], [{ name: 't', partitions: 2 }, { name: 'u', partitions: 1 }]);
    assert.deepEqual(names(a.get('a')), ['t-0', 't-1']);
    assert.deepEqual(names(a.get('b')), ['u-0']);
  });
});

describe('group coordinator', () => {
  test('assigns once all members joined the generation', () => {
    const topics = [{ name: 't', partitions: 4 }];
    const g = new GroupCoordinator('g', () => topics, 60_000);
    const a = member('a', ['t']);
    const b = member('b', ['t']);
    g.add(a);
    g.add(b);
    const gen = g.generation;
    g.join('a', gen);
    assert.equal(g.assignmentFor('a'), null);
    g.join('b', gen);
    assert.deepEqual(names(g.assignmentFor('a')!), ['t-0', 't-1']);
    assert.deepEqual(names(g.assignmentFor('b')!), ['t-2', 't-3']);
    // A new matching topic starts a new generation.
    topics.push({ name: 'x', partitions: 1 });
    g.topicsChanged();
    assert.equal(g.generation, gen);
    const c = member('c', ['x']);
    g.add(c);
    assert.equal(g.generation, gen + 1);
    assert.equal(g.assignmentFor('a'), null);
  });
  test('members that do not join within the rebalance timeout are evicted', () => {
    const g = new GroupCoordinator('g', () => [{ name: 't', partitions: 2 }], 0);
    g.add(member('a', ['t']));
    g.add(member('b', ['t']));
    g.join('a', g.generation);
    assert.deepEqual(names(g.assignmentFor('a')!), ['t-0', 't-1']);
    assert.equal(g.isMember('b'), false);
  });
});
