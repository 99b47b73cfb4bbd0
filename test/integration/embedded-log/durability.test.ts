import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buf, openBackend, pollCount, tempDir } from './helpers.js';
import { crashRecordValue } from './crash-child.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function segmentFile(dir: string, topic: string, partition = 0): string {
  const pdir = path.join(dir, 'topics', topic, String(partition));
  const logs = fs.readdirSync(pdir).filter((f) => f.endsWith('.log')).sort();
  return path.join(pdir, logs[logs.length - 1]!);
}

async function readAll(dir: string, topic: string, expected: number) {
  const b = await openBackend(dir);
  const offsets = await b.offsets(topic);
  const c = b.consumer('check', { clientId: 'check' });
  await c.subscribe([topic]);
  const got = expected > 0 ? await pollCount(c, expected) : [];
  assert.deepEqual(await c.poll(100), [], 'nothing beyond the expected records');
  await c.close();
  return { b, offsets, got };
}

describe('embedded log: torn tails', () => {
  test('a partial batch plus garbage at the tail is cut on open and never served', async () => {
    const dir = tempDir();
    let b = await openBackend(dir);
    await b.createTopics([{ name: 'torn' }]);
    const p = b.producer({ clientId: 'p' });
    for (let i = 0; i < 5; i++) await p.send([{ topic: 'torn', key: null, value: buf(`good-${i}`) }]);
    await p.send([{ topic: 'torn', key: null, value: Buffer.alloc(2000, 'x') }]);
    await b.close();

    // Cut the last batch in half and append garbage, as a crash mid-write could leave it.
    const file = segmentFile(dir, 'torn');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 1000);
    fs.appendFileSync(file, Buffer.from('garbage after a crash \x00\x01\x02'));

    const r = await readAll(dir, 'torn', 5);
    assert.deepEqual(r.offsets, [{ partition: 0, start: 0, end: 5 }]);
    assert.deepEqual(r.got.map((x) => x.value!.toString()), ['good-0', 'good-1', 'good-2', 'good-3', 'good-4']);
    b = r.b;
    const md = await b.producer({ clientId: 'p' }).send([{ topic: 'torn', key: null, value: buf('after') }]);
    assert.equal(md[0]!.offset, 5);
    await b.close();
    const again = await readAll(dir, 'torn', 6);
    assert.equal(again.got[5]!.value!.toString(), 'after');
    await again.b.close();
  });

  test('a complete last batch with a bad CRC is cut', async () => {
    const dir = tempDir();
    const b = await openBackend(dir);
    await b.producer({ clientId: 'p' }).send([{ topic: 'crc', key: null, value: buf('one') }]);
    await b.producer({ clientId: 'p' }).send([{ topic: 'crc', key: null, value: buf('two') }]);
    await b.close();
    const file = segmentFile(dir, 'crc');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 2]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const r = await readAll(dir, 'crc', 1);
    assert.deepEqual(r.got.map((x) => x.value!.toString()), ['one']);
    assert.equal(fs.statSync(file).size < bytes.length, true);
    await r.b.close();
  });
});

function startWriter(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, lines, exited };
}

describe('embedded log: another process', () => {
  test('a read-only view follows a live writer process across segment rolls', async () => {
    const dir = tempDir();
    const { child, lines, exited } = startWriter(dir);
    try {
      // Wait until the writer owns the directory and has acknowledged something.
      await new Promise<void>((resolve) => lines.once('line', () => resolve()));
      const reader = await openBackend(dir, { access: 'auto' });
      assert.equal(reader.readOnly, true);
      const c = reader.consumer('console', { clientId: 'c', properties: { 'max.poll.records': '100' } });
      await c.subscribe(['crash']);
      const got = await pollCount(c, 1500, 30_000);
      got.slice(0, 1500).forEach((r, i) => {
        assert.equal(r.offset, i);
        assert.deepEqual(r.value, crashRecordValue(i));
      });
      await c.close();
      await reader.close();
    } finally {
      child.kill('SIGKILL');
      await exited;
      lines.close();
    }
  });
});

describe('embedded log: crash (kill -9) of a producing process', () => {
  test('every acknowledged record survives with its exact bytes; nothing invalid is served', async () => {
    const dir = tempDir();
    const { child, lines, exited } = startWriter(dir);
    const acked: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${acked.length} acks`)), 60_000);
      lines.on('line', (line) => {
        const [, offset] = line.split(' ');
        acked.push(Number(offset));
        if (acked.length === 300) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await exited;
    lines.close();

    // Acks are in offset order (one send at a time per partition in the child), so the last ack is the highest.
    const maxAcked = Math.max(...acked);
    const b = await openBackend(dir);
    const [offsets] = await b.offsets('crash');
    assert.ok(offsets!.end > maxAcked, `end ${offsets!.end} must be beyond acknowledged ${maxAcked}`);
    const c = b.consumer('verify', { clientId: 'v', properties: { 'max.poll.records': '100000' } });
    await c.subscribe(['crash']);
    const got = await pollCount(c, offsets!.end);
    assert.equal(got.length, offsets!.end, 'no record beyond the valid end');
    for (const r of got) {
      assert.deepEqual(r.value, crashRecordValue(r.offset), `bytes of offset ${r.offset}`);
      assert.deepEqual(r.key, buf(`key-${r.offset}`));
    }
    assert.deepEqual(got.map((r) => r.offset), Array.from({ length: got.length }, (_, i) => i));
    for (const off of acked) assert.ok(off < got.length);
    await c.close();
    await b.close();
  });
});
