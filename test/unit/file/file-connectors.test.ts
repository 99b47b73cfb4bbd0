import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceTaskContext } from '../../../src/connect/api/index.js';
import { Schema, SchemaBuilder, SinkRecord, Struct, type SourceMap, type SourceRecord } from '../../../src/connect/data/index.js';
import {
  FileStreamSinkConnector,
  FileStreamSinkTask,
  FileStreamSourceConnector,
  FileStreamSourceTask,
  fileConnectorPlugins,
} from '../../../src/connectors/file/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsconnect-file-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sourceContext(committed: SourceMap | null = null): SourceTaskContext & { asked: SourceMap[] } {
  const asked: SourceMap[] = [];
  return {
    taskId: { connector: 'file-source', task: 0 },
    configs: {},
    asked,
    offsetStorageReader: {
      async offset(partition) {
        asked.push(partition);
        return committed;
      },
      async offsets() {
        return new Map();
      },
    },
  };
}

async function startSource(props: Record<string, string>, committed: SourceMap | null = null) {
  const task = new FileStreamSourceTask();
  const context = sourceContext(committed);
  task.initialize(context);
  await task.start(props);
  return { task, context };
}

const summary = (records: SourceRecord[] | null) =>
  (records ?? []).map((r) => [r.value, r.sourceOffset?.position] as const);

describe('FileStreamSourceTask', () => {
  test('lines become STRING records with the byte position after each line', async () => {
    const file = join(dir, 'in1.txt');
    await writeFile(file, 'héllo\nsecond\r\nthird\rfourth\npartial');
    const { task, context } = await startSource({ file, topic: 'lines' });
    const records = await task.poll();
    assert.deepEqual(summary(records), [
      ['héllo', 7],
      ['second', 15],
      ['third', 21],
      ['fourth', 28],
    ]);
    const r = records![0]!;
    assert.equal(r.topic, 'lines');
    assert.equal(r.key, null);
    assert.equal(r.keySchema, null);
    assert.equal(r.valueSchema, Schema.STRING_SCHEMA);
    assert.equal(r.kafkaPartition, null);
    assert.deepEqual(r.sourcePartition, { filename: file });
    assert.deepEqual(context.asked, [{ filename: file }]);

    // The unterminated line comes once its end is written.
    await appendFile(file, ' line\n');
    assert.deepEqual(summary(await task.poll()), [['partial line', 41]]);
    await task.stop();
  });

  test('batch.size bounds each poll', async () => {
    const file = join(dir, 'in2.txt');
    await writeFile(file, 'a\nb\nc\nd\ne\n');
    const { task } = await startSource({ file, topic: 't', 'batch.size': '2' });
    assert.deepEqual(summary(await task.poll()), [['a', 2], ['b', 4]]);
    assert.deepEqual(summary(await task.poll()), [['c', 6], ['d', 8]]);
    assert.deepEqual(summary(await task.poll()), [['e', 10]]);
    await task.stop();
  });

  test('resumes after the committed offset', async () => {
    const file = join(dir, 'in3.txt');
    await writeFile(file, 'one\ntwo\nthree\n');
    const { task } = await startSource({ file, topic: 't' }, { position: 4 });
    assert.deepEqual(summary(await task.poll()), [['two', 8], ['three', 14]]);
    await task.stop();
  });

  test('a committed offset that is not a long is rejected', async () => {
    const file = join(dir, 'in4.txt');
    await writeFile(file, 'x\n');
    const { task } = await startSource({ file, topic: 't' }, { position: 'abc' });
    await assert.rejects(task.poll(), { name: 'ConnectException', message: 'Offset position is the incorrect type' });
    await task.stop();
  });

  test('at the end of the file poll waits, and wakes up when the file grows', async () => {
    const file = join(dir, 'in5.txt');
    await writeFile(file, 'first\n');
    const { task } = await startSource({ file, topic: 't' });
    assert.equal((await task.poll())!.length, 1);
    setTimeout(() => void appendFile(file, 'second\n'), 150);
    const started = Date.now();
    const idle = await task.poll();
    const waited = Date.now() - started;
    assert.equal(idle, null);
    assert.ok(waited >= 100 && waited < 900, `waited ${waited} ms`);
    assert.deepEqual(summary(await task.poll()), [['second', 13]]);
    await task.stop();
  });

  test('a missing file is waited for; stop() ends the wait', async () => {
    const file = join(dir, 'does-not-exist-yet.txt');
    const { task } = await startSource({ file, topic: 't' });
    const started = Date.now();
    const polled = task.poll();
    setTimeout(() => void task.stop(), 50);
    assert.equal(await polled, null);
    assert.ok(Date.now() - started < 900);
  });
});

describe('FileStreamSinkTask', () => {
  test('appends one line per record value and keeps what the file held', async () => {
    const file = join(dir, 'out1.txt');
    await writeFile(file, 'existing\n');
    const task = new FileStreamSinkTask();
    await task.start({ file, topics: 't' });
    const s = SchemaBuilder.struct().field('a', Schema.INT32_SCHEMA).build();
    const rec = (valueSchema: Schema | null, value: unknown, offset: number) =>
      new SinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema, value, timestamp: null });
    await task.put([rec(Schema.STRING_SCHEMA, 'hello', 0), rec(Schema.FLOAT64_SCHEMA, 1, 1), rec(null, null, 2), rec(s, new Struct(s).put('a', 5), 3)]);
    await task.put([]);
    await task.flush(new Map());
    assert.equal(await readFile(file, 'utf8'), 'existing\nhello\n1.0\nnull\nStruct{a=5}\n');
    await task.stop();
  });

  test('an unwritable path fails start with Kafka\'s message', async () => {
    const task = new FileStreamSinkTask();
    const file = join(dir, 'no-such-dir', 'out.txt');
    await assert.rejects(task.start({ file }), { name: 'ConnectException', message: `Couldn't find or create file '${file}' for FileStreamSinkTask` });
  });
});

describe('file connectors', () => {
  test('source config keys and defaults', () => {
    const keys = new FileStreamSourceConnector().config().configKeys();
    assert.deepEqual(keys.map((k) => [k.name, k.type]), [['file', 'STRING'], ['topic', 'STRING'], ['batch.size', 'INT']]);
    const parsed = new FileStreamSourceConnector().config().parse({ topic: 't' });
    assert.equal(parsed.get('file'), null);
    assert.equal(parsed.get('batch.size'), 2000);
    const errors = new FileStreamSourceConnector().config().validateAll({});
    assert.deepEqual(errors.get('topic')!.errorMessages, ['Missing required configuration "topic" which has no default value.']);
  });

  test('sink config has only file; tasks copy the connector config', async () => {
    const sink = new FileStreamSinkConnector();
    assert.deepEqual(sink.config().configKeys().map((k) => k.name), ['file']);
    sink.start({ file: '/tmp/x', topics: 't' });
    assert.equal((await sink.taskConfigs(3)).length, 3);
    const source = new FileStreamSourceConnector();
    source.start({ file: '/tmp/x', topic: 't' });
    assert.deepEqual(await source.taskConfigs(5), [{ file: '/tmp/x', topic: 't' }]);
    assert.equal(source.taskClass(), FileStreamSourceTask);
    assert.equal(sink.taskClass(), FileStreamSinkTask);
  });

  test('alterOffsets validation (KIP-875)', () => {
    const c = new FileStreamSourceConnector();
    const config = { file: '/tmp/x', topic: 't' };
    assert.equal(c.alterOffsets(config, new Map([[{ filename: '/tmp/x' }, { position: 5 }]])), true);
    assert.equal(c.alterOffsets(config, new Map([[{ filename: '/tmp/x' }, null]])), true);
    assert.throws(() => c.alterOffsets(config, new Map([[{ filename: '/tmp/x' }, { position: -1 }]])), {
      message: "The value for the 'position' key in the offset should be a non-negative value",
    });
    assert.throws(() => c.alterOffsets(config, new Map([[{ filename: '/tmp/x' }, { position: 'x' }]])), {
      message: "The value for the 'position' key in the offset is expected to be a Long value",
    });
    assert.throws(() => c.alterOffsets(config, new Map([[{ file: '/tmp/x' }, { position: 1 }]])), {
      message: "Partition objects should contain the key 'filename'",
    });
    assert.throws(() => c.alterOffsets({ topic: 't' }, new Map()), /Offsets cannot be modified if the 'file' configuration is unspecified/);
  });

  test('plugin descriptors', () => {
    assert.deepEqual(fileConnectorPlugins.map((d) => [d.className, d.type]), [
      ['org.apache.kafka.connect.file.FileStreamSourceConnector', 'source'],
      ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'sink'],
    ]);
  });
});
