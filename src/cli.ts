/**
 * The `tsconnect` command: `standalone` (like connect-standalone.sh), `distributed` (like connect-distributed.sh), `consume` (like kafka-console-consumer),
 * and `demo` (the blog demos, self-contained).
 */
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { topicPartition } from './connect/api/connector.js';
import { startDistributed } from './connect/connect-distributed.js';
import { startStandalone } from './connect/connect-standalone.js';
import { configureLogging } from './connect/logging.js';
import { readConnectorFile, readPropertiesFile } from './connect/properties.js';
import { WorkerConfig } from './connect/runtime/worker-config.js';
import { createTopicBackend } from './connect/topics/backend.js';
import { applyWorkerHeapPolicy } from './connect/heap-policy.js';
import { formatConsumedRecord } from './connect/topics/console-format.js';
import { runDemo } from './demo/index.js';
import { VERSION } from './version.js';

const program = new Command('tsconnect').version(VERSION).description('Kafka Connect-compatible worker with Debezium-compatible PostgreSQL CDC, in TypeScript');

program
  .command('standalone')
  .description('Run a standalone worker (like connect-standalone.sh)')
  .argument('<worker.properties>', 'worker configuration')
  .argument('[connectors...]', 'connector configurations (.properties or .json)')
  .action(async (workerFile: string, connectorFiles: string[]) => {
    const props = await readPropertiesFile(workerFile);
    applyWorkerHeapPolicy(props);
    const connectors = await Promise.all(connectorFiles.map(readConnectorFile));
    const worker = await startStandalone(props, connectors, configureLogging({ level: props['log.level'] }));
    process.stderr.write(`tsconnect ${VERSION} standalone worker listening on ${worker.url}\n`);
    stopOnSignals(() => worker.stop());
  });

program
  .command('distributed')
  .description('Run a distributed worker (like connect-distributed.sh): joins the Connect cluster named by group.id')
  .argument('<worker.properties>', 'worker configuration (bootstrap.servers, group.id, config/offset/status.storage.topic, ...)')
  .action(async (workerFile: string) => {
    const props = await readPropertiesFile(workerFile);
    applyWorkerHeapPolicy(props);
    const worker = await startDistributed(props, configureLogging({ level: props['log.level'] }));
    process.stderr.write(`tsconnect ${VERSION} distributed worker ${worker.workerId} listening on ${worker.url}\n`);
    stopOnSignals(() => worker.stop());
  });

program
  .command('consume')
  .description('Print the records of a topic (like kafka-console-consumer)')
  .argument('<topic>')
  .option('--from-beginning', 'start with the earliest record instead of new ones')
  .option('--group <group>', 'consumer group (offsets are committed)')
  .option('--bootstrap-server <servers>', 'Kafka brokers (default: the embedded log)')
  .option('--log-dir <dir>', 'embedded log directory', './tsconnect-data/log')
  .option('--worker-config <file>', 'take the log directory or brokers from a worker.properties')
  .option('--property <key=value...>', 'print.key, print.headers, print.timestamp, print.partition, print.offset, key.separator')
  .option('--max-messages <n>', 'exit after n records')
  .option('--timeout-ms <ms>', 'exit when no record arrives for this long')
  .action(async (topic: string, opts: ConsumeOptions) => {
    await consume(topic, opts);
  });

program
  .command('demo')
  .description('Run a blog demo on this machine: Postgres started for you, embedded log, no Kafka needed')
  .argument('[name]', 'iris | mnist', 'iris')
  .option('--mode <mode>', 'iris: flink (the Flink ML OnlineKMeans job) or spark (Spark StreamingKMeans)', 'flink')
  .option('--epochs <n>', 'mnist: training epochs', '5')
  .option('--train-limit <n>', 'mnist: training images loaded into mnist_train (at most 60000)', '60000')
  .option('--test-limit <n>', 'mnist: test images loaded into mnist_test (at most 10000)', '10000')
  .option('--show <n>', 'mnist: test digits drawn with their prediction', '4')
  .option('--db <url>', 'use this PostgreSQL (postgres://user:password@host:port/db, wal_level=logical) instead of a throwaway one')
  .option('--bootstrap-servers <servers>', 'run the worker on this Kafka cluster instead of the embedded log')
  .option('--data-dir <dir>', 'where the demo keeps its worker data', './tsconnect-data/demo')
  .option('--port <port>', 'REST port', '8083')
  .option('--keep-running', 'keep the worker (and Postgres) running after the demo finished')
  .action(async (name: string, opts: DemoCliOptions) => {
    applyWorkerHeapPolicy({ 'bootstrap.servers': opts.bootstrapServers });
    await runDemo(name, {
      dataDir: opts.dataDir,
      port: positiveInt('--port', opts.port, 0),
      keepRunning: Boolean(opts.keepRunning),
      mode: opts.mode,
      db: opts.db,
      bootstrapServers: opts.bootstrapServers,
      epochs: positiveInt('--epochs', opts.epochs),
      trainLimit: Math.min(60_000, positiveInt('--train-limit', opts.trainLimit)),
      testLimit: Math.min(10_000, positiveInt('--test-limit', opts.testLimit)),
      show: positiveInt('--show', opts.show, 0),
    });
    // Done: exit once the output is written, without waiting for stray timers of stopped components.
    await new Promise<void>((r) => process.stdout.write('', () => r()));
    process.exit(0);
  });

interface DemoCliOptions {
  mode: string;
  epochs: string;
  trainLimit: string;
  testLimit: string;
  show: string;
  db?: string;
  bootstrapServers?: string;
  dataDir: string;
  port: string;
  keepRunning?: boolean;
}

function positiveInt(option: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${option} ${value}: expected an integer of at least ${min}`);
  return n;
}

interface ConsumeOptions {
  fromBeginning?: boolean;
  group?: string;
  bootstrapServer?: string;
  logDir: string;
  workerConfig?: string;
  property?: string[];
  maxMessages?: string;
  timeoutMs?: string;
}

async function consume(topic: string, opts: ConsumeOptions): Promise<void> {
  const props: Record<string, string> = opts.workerConfig
    ? await readPropertiesFile(opts.workerConfig)
    : { 'offset.storage.file.filename': 'unused', 'key.converter': 'unused', 'value.converter': 'unused', 'embedded.log.dir': opts.logDir };
  if (opts.bootstrapServer) props['bootstrap.servers'] = opts.bootstrapServer;
  props['key.converter'] ??= 'unused';
  props['value.converter'] ??= 'unused';
  const logger = configureLogging({ level: 'WARN' }).root;
  const backend = createTopicBackend(WorkerConfig.parse(props), logger, 'auto');
  await backend.start();
  const p = Object.fromEntries((opts.property ?? []).map((kv) => kv.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const flag = (k: string) => (p[k] ?? 'false').toLowerCase() === 'true';
  const format = {
    printKey: flag('print.key'),
    printHeaders: flag('print.headers'),
    printTimestamp: flag('print.timestamp'),
    printPartition: flag('print.partition'),
    printOffset: flag('print.offset'),
    keySeparator: p['key.separator'],
  };
  const consumer = backend.consumer(opts.group ?? `console-consumer-${randomUUID().slice(0, 8)}`, { clientId: 'console-consumer' });
  let seekToEnd = !opts.fromBeginning && !opts.group;
  await consumer.subscribe([topic], {
    onPartitionsAssigned: async (partitions) => {
      if (!seekToEnd) return;
      const ends = await backend.offsets(topic);
      for (const tp of partitions) consumer.seek(tp, ends.find((o) => o.partition === tp.partition)?.end ?? 0);
      seekToEnd = false;
    },
    onPartitionsRevoked: () => undefined,
  });
  const max = opts.maxMessages ? Number(opts.maxMessages) : Infinity;
  const timeoutMs = opts.timeoutMs ? Number(opts.timeoutMs) : Infinity;
  let count = 0;
  let lastRecordAt = Date.now();
  let stopped = false;
  stopOnSignals(async () => {
    stopped = true;
    consumer.wakeup();
  });
  while (!stopped && count < max && Date.now() - lastRecordAt < timeoutMs) {
    const records = await consumer.poll(Math.min(500, timeoutMs));
    if (records.length > 0) lastRecordAt = Date.now();
    const next = new Map<ReturnType<typeof topicPartition>, number>();
    for (const r of records) {
      if (count >= max) break;
      process.stdout.write(formatConsumedRecord(r, format) + '\n');
      next.set(topicPartition(r.topic, r.partition), r.offset + 1);
      count++;
    }
    if (opts.group && next.size > 0) await consumer.commit(next);
  }
  process.stderr.write(`Processed a total of ${count} messages\n`);
  await consumer.close();
  await backend.close();
}

function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    stop().then(
      () => process.exit(signal === 'SIGINT' ? 130 : 0),
      (e: unknown) => {
        process.stderr.write(`Error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
