/**
 * TopicBackend on a real Kafka cluster through kafkajs 2.2.4. Selected when the worker configuration has
 * `bootstrap.servers`. One admin client serves the topic and group operations; every producer and
 * consumer gets its own kafkajs client (its own `client.id` and properties).
 *
 * Property precedence is the caller's business: `producer(options)` / `consumer(options)` receive the
 * final client properties (worker `producer.*` / `consumer.*` then connector overrides). Properties given
 * to the constructor are the worker-level defaults, applied underneath.
 */
import { Kafka, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { topicPartition } from '../../api/connector.js';
import { ConnectException } from '../../errors.js';
import type {
  ClientOptions,
  PartitionOffsets,
  TopicBackend,
  TopicConsumer,
  TopicDescription,
  TopicPartition,
  TopicProducer,
  TopicSpec,
} from '../types.js';
import { kafkaConfig, parseBootstrap, type Props } from './client-config.js';
import { INTERNAL_TOPICS, KafkaTopicConsumer } from './consumer.js';
import { kafkaErrorType, toConnectError } from './errors.js';
import { KafkaTopicProducer } from './producer.js';

export interface KafkaBackendOptions {
  bootstrapServers: string;
  /** Worker-level properties every client inherits (security.protocol, sasl.*, ssl.*, ...). */
  common?: Props;
  /** Worker `producer.*` properties, prefix stripped. */
  producer?: Props;
  /** Worker `consumer.*` properties, prefix stripped. */
  consumer?: Props;
  /** Worker `admin.*` properties, prefix stripped. */
  admin?: Props;
  log?: Logger;
}

/** Keys of a worker config that all Kafka clients share (Connect passes them to every client). */
const COMMON_PREFIXES = ['security.protocol', 'sasl.', 'ssl.', 'client.dns.lookup', 'request.timeout.ms', 'retry.backoff.'];

function stripPrefix(props: Props, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix) && v !== undefined) out[k.slice(prefix.length)] = v;
  return out;
}

export class KafkaTopicBackend implements TopicBackend {
  readonly kind = 'kafka' as const;
  readonly bootstrapServers: string;
  private readonly common: Props;
  private readonly producerProps: Props;
  private readonly consumerProps: Props;
  private readonly admin: Admin;
  private readonly lookupAdmin: Admin;
  private started: Promise<void> | null = null;
  private readonly clients = new Set<{ close(): Promise<void> }>();

  /** From a whole worker configuration: `bootstrap.servers`, shared security keys, `producer.*`, `consumer.*`, `admin.*`. */
  static fromWorkerConfig(worker: Props, log?: Logger): KafkaTopicBackend {
    const bootstrapServers = worker['bootstrap.servers'];
    if (!bootstrapServers) throw new ConnectException('bootstrap.servers is required for the Kafka topic backend');
    const common: Record<string, string> = {};
    for (const [k, v] of Object.entries(worker)) {
      if (v !== undefined && COMMON_PREFIXES.some((p) => k === p || (p.endsWith('.') && k.startsWith(p)))) common[k] = v;
    }
    return new KafkaTopicBackend({
      bootstrapServers,
      common,
      producer: stripPrefix(worker, 'producer.'),
      consumer: stripPrefix(worker, 'consumer.'),
      admin: stripPrefix(worker, 'admin.'),
      log,
    });
  }

  constructor(private readonly options: KafkaBackendOptions) {
    parseBootstrap(options.bootstrapServers);
    this.bootstrapServers = options.bootstrapServers;
    this.common = options.common ?? {};
    this.producerProps = options.producer ?? {};
    this.consumerProps = options.consumer ?? {};
    const adminProps = { ...this.common, ...options.admin };
    this.admin = new Kafka(kafkaConfig(this.bootstrapServers, 'tsconnect-admin', adminProps)).admin();
    // Lookups that may name topics that do not exist (REST, the console, topic creation checks) get an admin
    // of their own: kafkajs refreshes the metadata of every topic an admin targets in every call, so a lookup of
    // a missing topic would make topic creation on a shared admin fail with UNKNOWN_TOPIC_OR_PARTITION.
    this.lookupAdmin = new Kafka(kafkaConfig(this.bootstrapServers, 'tsconnect-admin-lookup', adminProps)).admin();
  }

  start(): Promise<void> {
    if (!this.started) {
      this.started = Promise.all([this.admin.connect(), this.lookupAdmin.connect()]).then(() => undefined, (e: unknown) => {
        this.started = null;
        throw toConnectError(e, `Connecting to Kafka at ${this.bootstrapServers}`);
      });
    }
    return this.started;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients].map((c) => c.close().catch(() => undefined)));
    this.clients.clear();
    if (this.started) await Promise.all([this.admin.disconnect(), this.lookupAdmin.disconnect()]).catch(() => undefined);
    this.started = null;
  }

  private async call<T>(what: string, fn: (admin: Admin) => Promise<T>, admin: Admin = this.admin): Promise<T> {
    await this.start();
    try {
      return await fn(admin);
    } catch (e) {
      throw toConnectError(e, what);
    }
  }

  async clusterId(): Promise<string> {
    return this.call('Describing the Kafka cluster', async (a) => (await a.describeCluster()).clusterId);
  }

  async createTopics(specs: TopicSpec[]): Promise<string[]> {
    if (specs.length === 0) return [];
    const existing = new Set(await this.listTopics());
    const wanted = specs.filter((s) => !existing.has(s.name));
    if (wanted.length === 0) return [];
    // One request per topic: kafkajs answers `false` for "already exists" only per call, and a concurrent
    // creator (another worker) may win some of them.
    const created = await this.call(`Creating topics ${wanted.map((s) => s.name).join(', ')}`, async (a) => {
      const results = await Promise.all(
        wanted.map((s) =>
          createTopicRetryingStaleMetadata(a, {
            // kafkajs' own wait gives up after a few quick retries on a busy broker; see waitForLeaders().
            waitForLeaders: false,
            topics: [
              {
                topic: s.name,
                numPartitions: s.partitions ?? -1,
                replicationFactor: s.replicationFactor ?? -1,
                configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
              },
            ],
          }),
        ),
      );
      return wanted.filter((_, i) => results[i]).map((s) => s.name);
    });
    await this.waitForLeaders(wanted.map((s) => s.name));
    return created;
  }

  /**
   * Waits until every partition of `topics` has a leader that serves it (ListOffsets answers), so the
   * first produce does not fail: kafkajs retries a failed produce request whole, which would duplicate
   * the records of partitions that were written (no idempotence, as Connect's source producers).
   */
  private async waitForLeaders(topics: string[], timeoutMs = 30_000): Promise<void> {
    if (topics.length === 0) return;
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < deadline) {
      try {
        const md = await this.admin.fetchTopicMetadata({ topics });
        if (md.topics.length === topics.length && md.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          for (const t of topics) await this.admin.fetchTopicOffsets(t);
          return;
        }
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw toConnectError(last ?? new Error('no leader elected in time'), `Waiting for leaders of ${topics.join(', ')}`);
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    return this.call(`Describing topic ${name}`, async (a) => {
      let partitions: number;
      try {
        const md = await a.fetchTopicMetadata({ topics: [name] });
        partitions = md.topics[0]?.partitions.length ?? 0;
      } catch (e) {
        if (kafkaErrorType(e) === 'UNKNOWN_TOPIC_OR_PARTITION') return null;
        throw e;
      }
      let res: Awaited<ReturnType<typeof a.describeConfigs>>;
      try {
        res = await a.describeConfigs({
          // ConfigResourceTypes.TOPIC (kafkajs does not export the enum to ESM).
          resources: [{ type: 2, name }],
          includeSynonyms: false,
        });
      } catch (e) {
        // A principal may write a topic without DESCRIBE_CONFIGS on it; like Kafka's TopicAdmin, the
        // configs are then unknown rather than an error (they only serve checks such as compaction).
        const type = kafkaErrorType(e);
        if (type === 'TOPIC_AUTHORIZATION_FAILED' || type === 'CLUSTER_AUTHORIZATION_FAILED') return { name, partitions, configs: {} };
        throw e;
      }
      const configs: Record<string, string> = {};
      for (const r of res.resources) {
        for (const c of r.configEntries) if (c.configValue !== null && c.configValue !== undefined) configs[c.configName] = c.configValue;
      }
      return { name, partitions, configs };
    }, this.lookupAdmin);
  }

  async listTopics(): Promise<string[]> {
    return this.call('Listing topics', async (a) => (await a.listTopics()).filter((t) => !INTERNAL_TOPICS.has(t)).sort());
  }

  async deleteTopic(name: string): Promise<void> {
    await this.call(`Deleting topic ${name}`, async (a) => {
      // kafkajs retries UNKNOWN_TOPIC_OR_PARTITION for seconds; a missing topic is simply done.
      if (!(await a.listTopics()).includes(name)) return;
      try {
        await a.deleteTopics({ topics: [name] });
      } catch (e) {
        if (!containsType(e, 'UNKNOWN_TOPIC_OR_PARTITION')) throw e;
      }
    });
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    return this.call(`Reading offsets of topic ${topic}`, async (a) =>
      (await a.fetchTopicOffsets(topic))
        .map((p) => ({ partition: p.partition, start: Number(p.low), end: Number(p.high) }))
        .sort((x, y) => x.partition - y.partition),
      this.lookupAdmin,
    );
  }

  producer(options: ClientOptions): TopicProducer {
    const props = { ...this.common, ...this.producerProps, ...options.properties };
    const p = new KafkaTopicProducer(this.bootstrapServers, { clientId: options.clientId, properties: props }, this.options.log);
    return this.track(p);
  }

  consumer(groupId: string, options: ClientOptions): TopicConsumer {
    const props = { ...this.common, ...this.consumerProps, ...options.properties };
    const c = new KafkaTopicConsumer(this.bootstrapServers, groupId, { clientId: options.clientId, properties: props }, this.lookupAdmin, this.options.log);
    return this.track(c);
  }

  private track<T extends { close(): Promise<void> }>(client: T): T {
    const close = client.close.bind(client);
    client.close = async () => {
      this.clients.delete(client);
      await close();
    };
    this.clients.add(client);
    return client;
  }

  async groupOffsets(groupId: string): Promise<Map<TopicPartition, number>> {
    return this.call(`Reading offsets of group ${groupId}`, async (a) => {
      // kafkajs sends an empty topic list (not null) when none are given, so ask for every topic.
      const topics = (await a.listTopics()).filter((t) => !INTERNAL_TOPICS.has(t));
      const out = new Map<TopicPartition, number>();
      if (topics.length === 0) return out;
      const res = await a.fetchOffsets({ groupId, topics });
      for (const t of res) {
        for (const p of t.partitions) {
          const o = Number(p.offset);
          if (o >= 0) out.set(topicPartition(t.topic, p.partition), o);
        }
      }
      return out;
    });
  }

  /**
   * kafkajs has no OffsetDelete (KIP-496). Deleting some partitions' offsets is done as: read the
   * group's offsets, delete the group, commit back the ones that stay. The group has no members (that
   * is required anyway), so the end state equals Kafka's deleteConsumerGroupOffsets; it is not atomic.
   */
  async alterGroupOffsets(groupId: string, offsets: Map<TopicPartition, number | null>): Promise<void> {
    if (offsets.size === 0) return;
    if (await this.groupHasMembers(groupId)) {
      throw new ConnectException(`Consumer group ${groupId} has active members; stop its consumers before altering offsets`);
    }
    const deletes = [...offsets].filter(([, o]) => o === null).map(([tp]) => topicPartition(tp.topic, tp.partition));
    const sets = new Map<TopicPartition, number>();
    for (const [tp, o] of offsets) if (o !== null) sets.set(topicPartition(tp.topic, tp.partition), o);
    if (deletes.length > 0) {
      const current = await this.groupOffsets(groupId);
      const doomed = new Set(deletes);
      for (const [tp, o] of current) if (!doomed.has(tp) && !sets.has(tp)) sets.set(tp, o);
      await this.deleteGroup(groupId);
    }
    if (sets.size > 0) await this.commitAsSoleMember(groupId, sets);
  }

  /**
   * Commits offsets for a group that has no members. Java's admin sends an OffsetCommit with generation
   * -1; kafkajs offers no such call (its admin.setOffsets joins the group and waits for a fetch, ~5 s
   * and one topic at a time), so this joins as the only member, commits everything, and leaves.
   */
  private async commitAsSoleMember(groupId: string, offsets: Map<TopicPartition, number>): Promise<void> {
    const props = { ...this.common, ...this.options.admin };
    const consumer = new Kafka(kafkaConfig(this.bootstrapServers, 'tsconnect-admin-offsets', props)).consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    const topics = [...new Set([...offsets.keys()].map((tp) => tp.topic))];
    const what = `Altering offsets of group ${groupId}`;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      const joined = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.GROUP_JOIN, () => {
          consumer.pause(topics.map((topic) => ({ topic })));
          resolve();
        });
        consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out joining the group')), 30_000);
      });
      try {
        await Promise.race([joined, timeout]);
      } finally {
        clearTimeout(timer);
      }
      await consumer.commitOffsets([...offsets].map(([tp, o]) => ({ topic: tp.topic, partition: tp.partition, offset: String(o) })));
    } catch (e) {
      throw toConnectError(e, what);
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.call(`Deleting group ${groupId}`, async (a) => {
      try {
        await a.deleteGroups([groupId]);
      } catch (e) {
        if (!containsType(e, 'GROUP_ID_NOT_FOUND')) throw e;
      }
    });
  }

  async groupHasMembers(groupId: string): Promise<boolean> {
    return this.call(`Describing group ${groupId}`, async (a) => {
      const { groups } = await a.describeGroups([groupId]);
      const g = groups.find((x) => x.groupId === groupId);
      return g !== undefined && g.members.length > 0;
    });
  }
}

/** kafkajs wraps per-item failures (createTopics, deleteGroups) in an error with a list. */
function containsType(e: unknown, type: string): boolean {
  if (kafkaErrorType(e) === type) return true;
  const o = e as { topicErrors?: unknown[]; groups?: { error?: unknown }[]; originalError?: unknown; cause?: unknown };
  if (o && Array.isArray(o.topicErrors) && o.topicErrors.some((x) => kafkaErrorType(x) === type)) return true;
  if (o && Array.isArray(o.groups) && o.groups.some((g) => kafkaErrorType(g.error) === type)) return true;
  if (o && o.originalError) return containsType(o.originalError, type);
  return false;
}

/**
 * `admin.createTopics`, tried again while it fails with UNKNOWN_TOPIC_OR_PARTITION. kafkajs refreshes the
 * metadata of every topic its admin currently targets before it sends CreateTopics; while a concurrent call
 * on the shared admin asks about a topic that does not exist yet (a describe, an offsets lookup from REST,
 * another task creating its own topic), that refresh fails for a moment with UNKNOWN_TOPIC_OR_PARTITION and
 * kafkajs gives up before the topic was created. Nothing was sent, so trying again is safe.
 */
async function createTopicRetryingStaleMetadata(admin: Admin, options: Parameters<Admin['createTopics']>[0], timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let backoff = 50;
  for (;;) {
    try {
      return await admin.createTopics(options);
    } catch (e) {
      if (!containsType(e, 'UNKNOWN_TOPIC_OR_PARTITION') || Date.now() + backoff > deadline) throw e;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 1000);
    }
  }
}
