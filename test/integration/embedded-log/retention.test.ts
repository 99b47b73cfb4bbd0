import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buf, openBackend, pollCount, tempDir } from './helpers.js';

const segments = (dir: string, topic: string) =>
  fs.readdirSync(path.join(dir, 'topics', topic, '0')).filter((f) => f.endsWith('.log')).sort();

describe('embedded log: segments and retention', () => {
  test('segments roll at segment.bytes; retention.bytes deletes whole old segments; consumers start at the new start', async () => {
    const dir = tempDir();
    const b = await openBackend(dir, { fsync: 'never' });
    await b.createTopics([{ name: 'small', configs: { 'segment.bytes': '10000', 'retention.bytes': '30000' } }]);
    const p = b.producer({ clientId: 'p' });
    for (let i = 0; i < 100; i++) await p.send([{ topic: 'small', key: null, value: Buffer.alloc(1000, i) }]);
    const before = segments(dir, 'small');
    assert.ok(before.length >= 10, `${before.length} segments`);
    assert.equal(before[0], '00000000000000000000.log');
    const deleted = await b.enforceRetention();
    assert.ok(deleted > 0);
    const after = segments(dir, 'small');
    assert.equal(after.length, before.length - deleted);
    const total = after.reduce((n, f) => n + fs.statSync(path.join(dir, 'topics', 'small', '0', f)).size, 0);
    assert.ok(total <= 30000 + 10000, `kept ${total} bytes`);
    const [offsets] = await b.offsets('small');
    assert.equal(offsets!.start, Number(after[0]!.slice(0, 20)));
    assert.equal(offsets!.end, 100);

    const c = b.consumer('late', { clientId: 'c' });
    await c.subscribe(['small']);
    const got = await pollCount(c, 100 - offsets!.start);
    assert.equal(got[0]!.offset, offsets!.start);
    assert.equal(got[0]!.value![0], offsets!.start);
    await c.close();
    await b.close();

    // Reopening keeps the start.
    const again = await openBackend(dir);
    assert.deepEqual(await again.offsets('small'), [offsets]);
    await again.close();
  });

  test('retention.ms deletes segments whose newest record is older; compact-only topics keep everything', async () => {
    const dir = tempDir();
    const b = await openBackend(dir, { fsync: 'never' });
    await b.createTopics([
      { name: 'timed', configs: { 'segment.bytes': '2000', 'retention.ms': '60000' } },
      { name: 'compacted', configs: { 'segment.bytes': '2000', 'retention.ms': '1', 'cleanup.policy': 'compact' } },
    ]);
    const p = b.producer({ clientId: 'p' });
    const now = Date.now();
    for (let i = 0; i < 10; i++) {
      await p.send([
        { topic: 'timed', key: null, value: Buffer.alloc(900), timestamp: now - 3_600_000 },
        { topic: 'compacted', key: buf('k'), value: Buffer.alloc(900), timestamp: now - 3_600_000 },
      ]);
    }
    for (let i = 0; i < 4; i++) await p.send([{ topic: 'timed', key: null, value: Buffer.alloc(900), timestamp: now }]);
    const compactedBefore = segments(dir, 'compacted').length;
    await b.enforceRetention(now);
    const [timed] = await b.offsets('timed');
    assert.equal(timed!.start, 10, 'all old records gone, the recent ones kept');
    assert.equal(segments(dir, 'compacted').length, compactedBefore);
    assert.equal((await b.offsets('compacted'))[0]!.start, 0);
    await b.close();
  });
});
