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

const LINES = 200_000;

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

test('kill -9 mid-copy, restart: every line arrives, duplicates only re-run a suffix', { timeout: 240_000 }, async () => {
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

    await waitFor('the sink to have written some lines', async () => ((await stat(output).catch(() => null))?.size ?? 0) > 0, 60_000);
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

    // The output is input[0..a) followed by input[b..) with b <= a: a re-run of a suffix, nothing lost, no reordering.
    let a = 0;
    while (a < got.length && got[a] === expected[a]) a++;
    const rest = got.slice(a);
    const b = rest.length === 0 ? LINES : expected.indexOf(rest[0]!);
    assert.ok(b >= 0 && b <= a, `the re-run starts at line ${b}, at or before the last line written before the crash (${a})`);
    assert.deepEqual(rest, expected.slice(b), 'after the crash point the lines continue in order to the end');
  } finally {
    await worker.stop();
  }
});
