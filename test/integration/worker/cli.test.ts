/**
 * The `tsconnect` command: `standalone worker.properties connector.json connector.properties` (like
 * connect-standalone.sh), a third-party plugin loaded from `plugin.path`, and `consume` printing a topic like
 * kafka-console-consumer while the worker owns the embedded log.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { WorkerProcess, freePort, waitFor } from '../../helpers/worker-process.js';

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A plugin package as a user would put it in plugin.path: plain ESM exporting `tsconnectPlugins`. */
async function writeUppercasePlugin(pluginDir: string): Promise<void> {
  const pkg = join(pluginDir, 'uppercase-smt');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'uppercase-smt', version: '1.2.3', type: 'module', main: 'index.js' }));
  const configDef = pathToImport(join(ROOT, 'src/connect/api/config-def.ts'));
  await writeFile(
    join(pkg, 'index.js'),
    `import { ConfigDef } from ${JSON.stringify(configDef)};
class Uppercase {
  configure() {}
  apply(record) { return record.newRecord({ value: String(record.value).toUpperCase() }); }
  config() { return new ConfigDef(); }
  close() {}
}
export const tsconnectPlugins = [{ className: 'com.example.Uppercase', type: 'transformation', version: '1.2.3', create: () => new Uppercase() }];
`,
  );
}

function pathToImport(p: string): string {
  return new URL(`file://${p}`).href;
}

test('standalone with connector files, a plugin from plugin.path, and consume beside the running worker', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsconnect-cli-'));
  dirs.push(dir);
  await writeFile(join(dir, 'in.txt'), 'hello\nworld\n');
  await writeUppercasePlugin(join(dir, 'plugins'));
  await writeFile(
    join(dir, 'source.json'),
    JSON.stringify({
      name: 'json-source',
      config: {
        'connector.class': 'FileStreamSource',
        file: join(dir, 'in.txt'),
        topic: 'greetings',
        transforms: 'up',
        'transforms.up.type': 'com.example.Uppercase',
      },
    }),
  );
  await writeFile(join(dir, 'sink.properties'), `name=props-sink\nconnector.class=FileStreamSink\nfile=${join(dir, 'out.txt')}\ntopics=greetings\n`);

  const worker = new WorkerProcess(dir, await freePort(), {
    'offset.storage.file.filename': join(dir, 'connect.offsets'),
    'offset.flush.interval.ms': '200',
    'plugin.path': join(dir, 'plugins'),
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  });
  await worker.start([join(dir, 'source.json'), join(dir, 'sink.properties')]);
  try {
    await waitFor('the sink file', async () => (await readFile(join(dir, 'out.txt'), 'utf8').catch(() => '')) === 'HELLO\nWORLD\n');
    const plugins = (await worker.request('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string; version?: string }[];
    assert.deepEqual(plugins.find((p) => p.class === 'com.example.Uppercase'), { class: 'com.example.Uppercase', type: 'transformation', version: '1.2.3' });

    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'consume', 'greetings', '--from-beginning', '--log-dir', join(dir, 'log'), '--property', 'print.key=true', '--max-messages', '2', '--timeout-ms', '20000'],
      { cwd: ROOT },
    );
    assert.equal(stdout, 'null\tHELLO\nnull\tWORLD\n');
    assert.match(stderr, /Processed a total of 2 messages/);
  } finally {
    await worker.stop();
  }
});
