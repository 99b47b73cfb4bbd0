import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileConfigStore } from '../../../src/connect/storage/config-store.js';
import { FileOffsetStore, offsetKey, parseOffsetKey } from '../../../src/connect/storage/offset-store.js';
import { parseJsonText, toJsonText } from '../../../src/connect/storage/json-text.js';

test('offset keys use Kafka Connect\'s format and keep 64-bit integers exact', () => {
  const key = offsetKey('local-file-source', { filename: '/data/test.txt' });
  assert.equal(key, '["local-file-source",{"filename":"/data/test.txt"}]');
  assert.deepEqual(parseOffsetKey(key), { connector: 'local-file-source', partition: { filename: '/data/test.txt' } });
  assert.equal(parseOffsetKey('{"not":"an array"}'), null);
  const big = toJsonText({ lsn: 9007199254740993n, ts_usec: 1700000000000000 });
  assert.equal(big, '{"lsn":9007199254740993,"ts_usec":1700000000000000}');
  assert.deepEqual(parseJsonText(big), { lsn: 9007199254740993n, ts_usec: 1700000000000000 });
});

test('file stores survive a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsconnect-stores-'));
  try {
    const offsets = new FileOffsetStore(join(dir, 'offsets.json'));
    await offsets.start();
    await offsets.set(new Map([['["c",{"p":1}]', '{"o":5}'], ['["c",{"p":2}]', '{"o":6}']]));
    await offsets.set(new Map([['["c",{"p":2}]', null]]));
    const reopened = new FileOffsetStore(join(dir, 'offsets.json'));
    await reopened.start();
    assert.deepEqual([...(await reopened.entries())], [['["c",{"p":1}]', '{"o":5}']]);

    const configs = new FileConfigStore(join(dir, 'connectors.json'));
    await configs.start();
    await configs.putConnectorConfig('a', { name: 'a', 'connector.class': 'X' }, 'PAUSED');
    await configs.putTaskConfigs('a', [{ t: '1' }]);
    const again = new FileConfigStore(join(dir, 'connectors.json'));
    await again.start();
    assert.deepEqual(again.get('a'), { config: { name: 'a', 'connector.class': 'X' }, targetState: 'PAUSED', taskConfigs: [{ t: '1' }] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
