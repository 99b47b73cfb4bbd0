/**
 * Shared pieces of the Kafka integration tests: one real broker per test file (version from
 * TSCONNECT_KAFKA_VERSION, default the pinned 3.9.x), random topic names, polling until a count.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import type { ConsumedRecord, TopicConsumer } from '../../../src/connect/topics/types.js';
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars, startKafka, type KafkaCluster } from '../../../src/testing/kafka-cluster.js';

export const KAFKA_VERSION = process.env.TSCONNECT_KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;

export function startBroker(version: string = KAFKA_VERSION): Promise<KafkaCluster> {
  return startKafka({ version });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Consumer settings that make group joins quick in tests. */
export const FAST_GROUP = {
  'session.timeout.ms': '10000',
  'heartbeat.interval.ms': '300',
  'fetch.max.wait.ms': '100',
};

export function backendFor(cluster: KafkaCluster, worker: Record<string, string> = {}): KafkaTopicBackend {
  return KafkaTopicBackend.fromWorkerConfig({ 'bootstrap.servers': cluster.bootstrapServers, ...worker });
}

export interface BrokerWithBackend {
  cluster: KafkaCluster;
  backend: KafkaTopicBackend;
}

/** A test file's broker and a started backend on it (for `before`; `stopBrokerWithBackend` in `after`). */
export async function startBrokerWithBackend(): Promise<BrokerWithBackend> {
  const cluster = await startBroker();
  const backend = backendFor(cluster);
  try {
    await backend.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return { cluster, backend };
}

/** Undoes `startBrokerWithBackend` (either may be unset when `before` failed). */
export async function stopBrokerWithBackend(env: Partial<BrokerWithBackend>): Promise<void> {
  await env.backend?.close();
  await env.cluster?.stop();
}

/** Polls until `count` records arrived (or throws after `timeoutMs`). */
export async function pollUntil(consumer: TopicConsumer, count: number, timeoutMs = 20_000): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${out.length} of ${count} records within ${timeoutMs} ms`);
    out.push(...(await consumer.poll(200)));
  }
  return out;
}

/** Polls until `check()` holds, keeping the consumer's group membership alive. */
export async function pollWhile(consumers: TopicConsumer[], done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Promise.all(consumers.map((c) => c.poll(100)));
  }
}

/**
 * The partitions the Java producer picks for `keys` on a topic of `partitions` partitions: runs Kafka's own
 * BuiltInPartitioner.partitionForKey from the broker's kafka-clients jar (java source launcher).
 */
export function javaPartitions(keys: string[], partitions: number, version: string = KAFKA_VERSION): number[] {
  const libs = ensureKafkaJars(version);
  const dir = mkdtempSync(join(tmpdir(), 'tsconnect-partitioner-'));
  try {
    const src = join(dir, 'JavaPartitions.java');
    writeFileSync(
      src,
      `import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import java.nio.charset.StandardCharsets;
public class JavaPartitions {
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < args.length; i++) {
      sb.append(BuiltInPartitioner.partitionForKey(args[i].getBytes(StandardCharsets.UTF_8), n)).append('\\n');
    }
    System.out.print(sb);
  }
}
`,
    );
    const r = spawnSync('java', ['-cp', join(libs, '*'), src, String(partitions), ...keys], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`java partitioner failed: ${r.stderr}`);
    return r.stdout.trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
