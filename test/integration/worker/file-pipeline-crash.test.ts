/**
 * Issue 2's "done when": a FileStreamSource -> embedded topic -> FileStreamSink pipeline created over REST copies
 * a file; after kill -9 of the worker mid-copy and a restart, the sink file holds every line, and duplicates are
 * only a re-run of lines after the last committed offset.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WorkerProcess, freePort, waitFor } from '../../helpers/worker-process.js';

const LINES = 400_000;

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function lines(path: string): Promise<string[]> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').slice(0, -1); // a line is complete only with its newline
  } catch {
    return [];
  }
}

test('kill -9 mid-copy, restart: every line arrives, duplicates only re-run a suffix', { timeout: 240_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsconnect-file-crash-'));
  dirs.push(dir);
  const input = join(dir, 'input.txt');
  const output = join(dir, 'output.txt');
  const expected = Array.from({ length: LINES }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
  await writeFile(input, expected.join('\n') + '\n');

  const worker = new WorkerProcess(dir, await freePort(), {
    'offset.storage.file.filename': join(dir, 'connect.offsets'),
    'offset.flush.interval.ms': '200',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  });
  await worker.start();
  try {
    const src = await worker.request('POST', '/connectors', {
      name: 'local-file-source',
      config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic: 'connect-test' },
    });
    assert.equal(src.status, 201, JSON.stringify(src.body));
    const sink = await worker.request('POST', '/connectors', {
      name: 'local-file-sink',
      config: { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: output, topics: 'connect-test' },
    });
    assert.equal(sink.status, 201, JSON.stringify(sink.body));

    // Crash once a fair part is copied, so that some offsets were committed before it.
    await waitFor('the sink to have written some lines', async () => ((await stat(output).catch(() => null))?.size ?? 0) > 1_000_000, 60_000);
    const beforeCrash = (await lines(output)).length;
    await worker.kill9();
    assert.ok(beforeCrash < LINES, `the crash should happen mid-copy (copied ${beforeCrash} of ${LINES}); make the input larger`);

    await worker.start(); // connectors created over REST come back by themselves
    const status = await waitFor('both connectors RUNNING after restart', async () => {
      const r = await worker.request('GET', '/connectors?expand=status');
      const s = r.body as Record<string, { status: { connector: { state: string } } }>;
      return Object.keys(s).length === 2 && Object.values(s).every((c) => c.status.connector.state === 'RUNNING') ? s : undefined;
    });
    assert.deepEqual(Object.keys(status).sort(), ['local-file-sink', 'local-file-source']);

    const got = await waitFor('every line in the sink file', async () => {
      const l = await lines(output);
      return new Set(l).size >= LINES ? l : undefined;
    }, 180_000);

    // At-least-once: nothing lost, nothing reordered, and duplicates only as re-runs from a committed offset:
    // the output is at most three ascending runs (written before the crash; the sink re-reading from its
    // committed offset; the source re-reading the file from its committed offset).
    const index = got.map((l) => Number(l.split(' ')[1]));
    const runs: [number, number][] = [[index[0]!, index[0]!]];
    for (let i = 1; i < index.length; i++) {
      if (index[i] === index[i - 1]! + 1) runs.at(-1)![1] = index[i]!;
      else runs.push([index[i]!, index[i]!]);
    }
    t.diagnostic(`crashed after ${beforeCrash} lines; output ${got.length} lines in runs ${JSON.stringify(runs)}`);
    assert.ok(runs.length <= 3, `output is ${runs.length} ascending runs: ${JSON.stringify(runs.slice(0, 6))}`);
    for (let r = 1; r < runs.length; r++) assert.ok(runs[r]![0] <= runs[r - 1]![1] + 1, `run ${r} starts at a line already written or next: ${JSON.stringify(runs)}`);
    assert.equal(runs.at(-1)![1], LINES - 1, 'the last run reaches the end of the file');
    const firstSeen = [...new Set(got)];
    assert.equal(firstSeen.length, LINES);
    assert.ok(firstSeen.every((l, i) => l === expected[i]), 'without duplicates the output is the input in order');
    assert.ok(got.length - LINES < beforeCrash + 2 * LINES, 'duplicates are bounded');
  } finally {
    await worker.stop();
  }
});
