/**
 * The embedded log: durable topics in a directory on this machine, the backend of a worker without
 * `bootstrap.servers`.
 *
 *   <dir>/meta.json                          {"version":1,"clusterId":"..."}
 *   <dir>/.lock                              pid of the owner process
 *   <dir>/topics/<topic>/topic.json          {"name","partitions","configs"}
 *   <dir>/topics/<topic>/<p>/<base>.log      record batches (record-batch.ts)
 *   <dir>/topics/<topic>/<p>/<base>.index    sparse offset index (sparse-index.ts)
 *   <dir>/groups/<hash>.json                 committed offsets of one consumer group
 *
 * One process owns a directory (it writes, repairs torn tails, applies retention); others may open it
 * read-only (`access: 'read-only'`, or `'auto'`: read-only when another live process owns it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { ConnectException, NotFoundException } from '../../errors.js';
import type { TopicPartition } from '../../api/connector.js';
import type {
  ClientOptions,
  PartitionOffsets,
  TopicBackend,
  TopicConsumer,
  TopicDescription,
  TopicProducer,
  TopicSpec,
} from '../types.js';
import { EmbeddedConsumer, type ConsumerHost } from './consumer.js';
import { acquireLock, fsyncDir, readJsonIfExists, releaseLock, writeFileAtomic } from './files.js';
import { GroupCoordinator } from './group-coordinator.js';
import { GroupStore } from './group-store.js';
import { parseLogConfig, type FsyncPolicy } from './log-config.js';
import { PartitionLog } from './partition-log.js';
import { EmbeddedProducer } from './producer.js';

export interface EmbeddedTopicBackendOptions {
  dir: string;
  /** `always` (default): fsync before send() resolves; `interval`: every fsyncIntervalMs; `never`: leave it to the OS. */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** Partitions of topics created without a count (and auto-created ones). Default 1. */
  defaultPartitions?: number;
  /** Create a topic on first produce, like a broker with auto.create.topics.enable. Default true. */
  autoCreateTopics?: boolean;
  /** `read-write` (default) fails when another live process owns the directory. */
  access?: 'read-write' | 'read-only' | 'auto';
  /** How often retention runs (Kafka's log.retention.check.interval.ms). Default 5 minutes. */
  retentionCheckIntervalMs?: number;
  /** A member that does not poll within this long during a rebalance leaves the group (max.poll.interval.ms). */
  rebalanceTimeoutMs?: number;
  logger?: Logger;
}

interface TopicState {
  name: string;
  partitions: number;
  configs: Record<string, string>;
  logs: PartitionLog[];
  /** inode and mtime of topic.json when loaded (a read-only view notices a topic deleted and created again). */
  loadedStamp: string;
}

interface TopicFile {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const DELETED_PREFIX = '~deleted-';

export class EmbeddedTopicBackend implements TopicBackend, ConsumerHost {
  readonly kind = 'embedded' as const;
  readonly dir: string;
  readonly groups: GroupStore;
  private readonly fsync: FsyncPolicy;
  private readonly logger: Logger;
  private readonly topics = new Map<string, TopicState>();
  private readonly creating = new Map<string, Promise<TopicState>>();
  private readonly coordinators = new Map<string, GroupCoordinator>();
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly timers: NodeJS.Timeout[] = [];
  private owner = false;
  private started = false;
  private cluster = '';
  private refreshing: Promise<void> | null = null;

  constructor(private readonly options: EmbeddedTopicBackendOptions) {
    this.dir = path.resolve(options.dir);
    this.fsync = options.fsync ?? 'always';
    if (!['always', 'interval', 'never'].includes(this.fsync)) throw new ConnectException(`Unknown fsync policy ${this.fsync}`);
    this.logger = options.logger ?? pino({ level: process.env.TSCONNECT_LOG_LEVEL ?? 'warn' });
    this.groups = new GroupStore(path.join(this.dir, 'groups'), this.fsync !== 'never');
  }

  get readOnly(): boolean {
    return !this.owner;
  }

  private get topicsDir(): string {
    return path.join(this.dir, 'topics');
  }

  async start(): Promise<void> {
    if (this.started) return;
    const access = this.options.access ?? 'read-write';
    if (access !== 'read-only') {
      await fs.mkdir(this.topicsDir, { recursive: true });
      this.owner = await acquireLock(this.dir);
      if (!this.owner && access === 'read-write') {
        throw new ConnectException(`The embedded log ${this.dir} is in use by another process (see ${path.join(this.dir, '.lock')})`);
      }
    }
    const meta = await readJsonIfExists<{ clusterId: string }>(path.join(this.dir, 'meta.json'));
    if (meta) this.cluster = meta.clusterId;
    else if (this.owner) {
      this.cluster = randomBytes(16).toString('base64url');
      await writeFileAtomic(path.join(this.dir, 'meta.json'), JSON.stringify({ version: 1, clusterId: this.cluster }) + '\n');
    } else if (!(await fs.stat(this.dir).catch(() => null))) {
      throw new ConnectException(`No embedded log at ${this.dir}`);
    }
    await this.loadTopics();
    this.started = true;
    if (this.owner) {
      this.every(this.options.retentionCheckIntervalMs ?? 300_000, () => this.enforceRetention());
      if (this.fsync === 'interval') this.every(this.options.fsyncIntervalMs ?? 1000, () => this.syncDirty());
    }
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    let running = false;
    const t = setInterval(() => {
      if (running) return;
      running = true;
      fn()
        .catch((err: unknown) => this.logger.error({ err }, 'embedded log background task failed'))
        .finally(() => (running = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private async loadTopics(): Promise<void> {
    const names = await fs.readdir(this.topicsDir).catch(() => [] as string[]);
    for (const name of names) {
      if (this.topics.has(name)) continue;
      if (name.startsWith(DELETED_PREFIX)) {
        if (this.owner) await fs.rm(path.join(this.topicsDir, name), { recursive: true, force: true });
        continue;
      }
      const topicFile = path.join(this.topicsDir, name, 'topic.json');
      const stat = await fs.stat(topicFile).catch(() => null);
      const loadedStamp = stat ? `${stat.ino}:${stat.mtimeMs}` : '';
      const file = await readJsonIfExists<TopicFile>(topicFile).catch(() => null);
      if (!file) {
        // A creation that crashed before topic.json was written: the topic never existed.
        if (this.owner) await fs.rm(path.join(this.topicsDir, name), { recursive: true, force: true });
        continue;
      }
      const logs: PartitionLog[] = [];
      for (let p = 0; p < file.partitions; p++) logs.push(await PartitionLog.open(this.logOptions(file, p)));
      this.topics.set(name, { ...file, logs, loadedStamp });
    }
  }

  private logOptions(file: TopicFile, partition: number): Parameters<typeof PartitionLog.open>[0] {
    return {
      dir: path.join(this.topicsDir, file.name, String(partition)),
      topic: file.name,
      partition,
      config: parseLogConfig(file.configs),
      fsync: this.fsync,
      owner: this.owner,
      logger: this.logger,
    };
  }

  private ensureStarted(): void {
    if (!this.started) throw new ConnectException('The embedded log is not started');
  }

  private ensureOwner(what: string): void {
    this.ensureStarted();
    if (!this.owner) throw new ConnectException(`Cannot ${what}: the embedded log ${this.dir} is open read-only`);
  }

  async clusterId(): Promise<string> {
    this.ensureStarted();
    return this.cluster;
  }

  async createTopics(specs: TopicSpec[]): Promise<string[]> {
    this.ensureOwner('create topics');
    const created: string[] = [];
    for (const spec of specs) {
      if (this.topics.has(spec.name) || this.creating.has(spec.name)) {
        await this.creating.get(spec.name);
        continue;
      }
      await this.createTopic(spec);
      created.push(spec.name);
    }
    return created;
  }

  private createTopic(spec: TopicSpec): Promise<TopicState> {
    const { name } = spec;
    if (!LEGAL_TOPIC.test(name) || name === '.' || name === '..') {
      return Promise.reject(
        new ConnectException(`Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`),
      );
    }
    const partitions = spec.partitions === undefined || spec.partitions === -1 ? (this.options.defaultPartitions ?? 1) : spec.partitions;
    if (!Number.isInteger(partitions) || partitions < 1) {
      return Promise.reject(new ConnectException(`Number of partitions must be larger than 0 (topic ${name}: ${partitions})`));
    }
    const configs = { ...(spec.configs ?? {}) };
    const promise = (async () => {
      parseLogConfig(configs);
      const file: TopicFile = { name, partitions, configs };
      const topicDir = path.join(this.topicsDir, name);
      await fs.rm(topicDir, { recursive: true, force: true }); // leftovers of a crashed creation
      await fs.mkdir(topicDir, { recursive: true });
      const logs: PartitionLog[] = [];
      for (let p = 0; p < partitions; p++) logs.push(await PartitionLog.create(this.logOptions(file, p)));
      if (this.fsync !== 'never') {
        for (let p = 0; p < partitions; p++) await fsyncDir(path.join(topicDir, String(p)));
        await fsyncDir(this.topicsDir);
      }
      await writeFileAtomic(path.join(topicDir, 'topic.json'), JSON.stringify(file, null, 2) + '\n', this.fsync !== 'never');
      const state: TopicState = { ...file, logs, loadedStamp: '' };
      this.topics.set(name, state);
      return state;
    })();
    this.creating.set(name, promise);
    return promise
      .then((state) => {
        this.topicsChanged();
        return state;
      })
      .finally(() => this.creating.delete(name));
  }

  /** Producer host: the topic's logs, created on first use when auto-creation is on. */
  async logsFor(topic: string): Promise<PartitionLog[]> {
    const t = this.topics.get(topic);
    if (t) return t.logs;
    this.ensureOwner(`produce to ${topic}`);
    const pending = this.creating.get(topic);
    if (pending) return (await pending).logs;
    if (this.options.autoCreateTopics === false) throw new NotFoundException(`Topic ${topic} not present in metadata`);
    return (await this.createTopic({ name: topic })).logs;
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    this.ensureStarted();
    const t = this.topics.get(name);
    return t ? { name: t.name, partitions: t.partitions, configs: { ...t.configs } } : null;
  }

  async listTopics(): Promise<string[]> {
    this.ensureStarted();
    if (!this.owner) await this.refresh();
    return [...this.topics.keys()].sort();
  }

  async deleteTopic(name: string): Promise<void> {
    this.ensureOwner('delete topics');
    const t = this.topics.get(name);
    if (!t) throw new NotFoundException(`This server does not host this topic-partition: ${name}`);
    this.topics.delete(name);
    const doomed = path.join(this.topicsDir, `${DELETED_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
    await fs.rename(path.join(this.topicsDir, name), doomed);
    for (const log of t.logs) await log.close().catch(() => undefined);
    this.topicsChanged();
    await this.groups.removeTopic(name);
    await fs.rm(doomed, { recursive: true, force: true });
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    this.ensureStarted();
    if (!this.owner) await this.refresh();
    const t = this.topics.get(topic);
    if (!t) throw new NotFoundException(`Topic ${topic} does not exist`);
    return t.logs.map((log) => ({ partition: log.partition, start: log.startOffset(), end: log.endOffset() }));
  }

  producer(_options: ClientOptions): TopicProducer {
    this.ensureOwner('produce');
    return new EmbeddedProducer(this);
  }

  consumer(groupId: string, options: ClientOptions): TopicConsumer {
    this.ensureStarted();
    const c = new EmbeddedConsumer(this, groupId, options);
    this.consumers.add(c);
    return c;
  }

  consumerClosed(consumer: EmbeddedConsumer): void {
    this.consumers.delete(consumer);
  }

  coordinator(groupId: string): GroupCoordinator {
    let c = this.coordinators.get(groupId);
    if (!c) {
      c = new GroupCoordinator(
        groupId,
        () => [...this.topics.values()].map((t) => ({ name: t.name, partitions: t.partitions })),
        this.options.rebalanceTimeoutMs ?? 300_000,
      );
      this.coordinators.set(groupId, c);
    }
    return c;
  }

  log(topic: string, partition: number): PartitionLog | null {
    return this.topics.get(topic)?.logs[partition] ?? null;
  }

  private topicsChanged(force = false): void {
    for (const c of this.coordinators.values()) c.topicsChanged(force);
  }

  /** Read-only view: follows topics created/deleted and records appended by the owner process. */
  refresh(): Promise<void> {
    if (this.owner) return Promise.resolve();
    this.refreshing ??= (async () => {
      const before = [...this.topics.keys()].join('\0');
      let removed = false;
      for (const [name, t] of this.topics) {
        // Gone, or deleted and created again (a new topic.json): drop our view of it.
        const stat = await fs.stat(path.join(this.topicsDir, name, 'topic.json')).catch(() => null);
        if (!stat || `${stat.ino}:${stat.mtimeMs}` !== t.loadedStamp) {
          removed = true;
          this.topics.delete(name);
          for (const log of t.logs) await log.close().catch(() => undefined);
        }
      }
      await this.loadTopics();
      for (const t of this.topics.values()) for (const log of t.logs) await log.refresh();
      if (removed || [...this.topics.keys()].join('\0') !== before) this.topicsChanged(removed);
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async groupOffsets(groupId: string): Promise<Map<TopicPartition, number>> {
    this.ensureStarted();
    return new Map(await this.groups.get(groupId, true));
  }

  async alterGroupOffsets(groupId: string, offsets: Map<TopicPartition, number | null>): Promise<void> {
    this.ensureStarted();
    if (await this.groupHasMembers(groupId)) {
      throw new ConnectException(`Consumer group ${groupId} has active members; its offsets cannot be changed`);
    }
    await this.groups.update(groupId, offsets);
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.ensureStarted();
    if (await this.groupHasMembers(groupId)) throw new ConnectException(`Consumer group ${groupId} is not empty`);
    await this.groups.delete(groupId);
  }

  async groupHasMembers(groupId: string): Promise<boolean> {
    return (this.coordinators.get(groupId)?.size ?? 0) > 0;
  }

  /** Applies retention to every partition now (also runs on a timer). Returns the segments deleted. */
  async enforceRetention(now = Date.now()): Promise<number> {
    if (!this.owner) return 0;
    let n = 0;
    for (const t of this.topics.values()) for (const log of t.logs) n += await log.enforceRetention(now);
    return n;
  }

  private async syncDirty(): Promise<void> {
    for (const t of this.topics.values()) for (const log of t.logs) await log.syncDirty();
  }

  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    for (const c of [...this.consumers]) c.wakeup();
    await Promise.allSettled([...this.creating.values()]);
    for (const t of this.topics.values()) for (const log of t.logs) await log.close();
    this.topics.clear();
    if (this.owner) await releaseLock(this.dir);
    this.owner = false;
  }
}
