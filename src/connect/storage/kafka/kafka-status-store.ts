/**
 * Connector, task and topic statuses in `status.storage.topic` (Kafka's `KafkaStatusBackingStore`, spec §5.3):
 *
 *   status-connector-<c>              {"state":"RUNNING","trace":null,"worker_id":"host:8083","generation":3}
 *   status-task-<c>-<n>               same shape
 *   status-topic-<t>:connector-<c>    {"topic":{"name":"t","connector":"c","task":0,"discoverTimestamp":ms}}
 *   tombstone                         DESTROYED / topic reset
 *
 * Writes are asynchronous (the interface is synchronous, as Kafka's `put`); the local view is updated at
 * once and then by whatever the topic says, which is also how other workers' statuses arrive.
 * UNASSIGNED is written "safely" (Kafka's `putSafe`): only over a status this worker wrote or one of an
 * older generation, so a worker shutting a task down never hides the new owner's RUNNING.
 */
import type { Logger } from 'pino';
import type { State } from '../../herder/types.js';
import { parseJsonText, toJsonText } from '../json-text.js';
import type { StatusBackingStore, StatusEntry } from '../status-store.js';
import { KafkaBasedLog, type LogRecord } from './kafka-based-log.js';
import type { KafkaStoreOptions } from './kafka-offset-store.js';

const STATES = new Set<State>(['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING', 'STOPPED']);

export class KafkaStatusStore implements StatusBackingStore {
  readonly log: KafkaBasedLog;
  private readonly connectorStatuses = new Map<string, StatusEntry>();
  private readonly taskStatuses = new Map<string, Map<number, StatusEntry>>();
  private readonly topics = new Map<string, Set<string>>();
  private readonly logger?: Logger;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: KafkaStoreOptions) {
    this.logger = options.log;
    this.log = new KafkaBasedLog({ ...options, topicKey: 'status.storage.topic', onRecord: (r) => this.apply(r) });
  }

  start(): Promise<void> {
    return this.log.start();
  }
  async stop(): Promise<void> {
    await this.flush();
    await this.log.stop();
  }
  readToEnd(): Promise<void> {
    return this.log.readToEnd();
  }
  /** Waits for the status writes made so far. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  connector(name: string): StatusEntry | undefined {
    return this.connectorStatuses.get(name);
  }
  task(connector: string, task: number): StatusEntry | undefined {
    return this.taskStatuses.get(connector)?.get(task);
  }
  tasks(connector: string): Map<number, StatusEntry> {
    return new Map([...(this.taskStatuses.get(connector) ?? new Map<number, StatusEntry>())].sort((a, b) => a[0] - b[0]));
  }

  putConnector(name: string, status: StatusEntry): void {
    if (status.state === 'UNASSIGNED' && !canWriteSafely(this.connectorStatuses.get(name), status)) return;
    this.connectorStatuses.set(name, status);
    this.send(`status-connector-${name}`, statusValue(status));
  }
  putTask(connector: string, task: number, status: StatusEntry): void {
    if (status.state === 'UNASSIGNED' && !canWriteSafely(this.task(connector, task), status)) return;
    this.setTask(connector, task, status);
    this.send(`status-task-${connector}-${task}`, statusValue(status));
  }
  removeConnector(name: string): void {
    for (const task of this.tasks(name).keys()) this.removeTask(name, task);
    this.connectorStatuses.delete(name);
    this.send(`status-connector-${name}`, null);
  }
  removeTask(connector: string, task: number): void {
    this.taskStatuses.get(connector)?.delete(task);
    this.send(`status-task-${connector}-${task}`, null);
  }

  activeTopics(connector: string): string[] {
    return [...(this.topics.get(connector) ?? [])].sort();
  }
  addActiveTopic(connector: string, topic: string): void {
    if (this.topics.get(connector)?.has(topic)) return;
    this.addTopic(connector, topic);
    // The worker does not say which task found the topic; Kafka records it but never reads it back.
    this.send(`status-topic-${topic}:connector-${connector}`, toJsonText({ topic: { name: topic, connector, task: 0, discoverTimestamp: Date.now() } }));
  }
  resetActiveTopics(connector: string): void {
    for (const topic of this.activeTopics(connector)) this.send(`status-topic-${topic}:connector-${connector}`, null);
    this.topics.delete(connector);
  }

  private setTask(connector: string, task: number, status: StatusEntry): void {
    let m = this.taskStatuses.get(connector);
    if (!m) this.taskStatuses.set(connector, (m = new Map()));
    m.set(task, status);
  }

  private addTopic(connector: string, topic: string): void {
    let s = this.topics.get(connector);
    if (!s) this.topics.set(connector, (s = new Set()));
    s.add(topic);
  }

  private send(key: string, value: string | null): void {
    const p = this.log
      .send([{ key: Buffer.from(key, 'utf8'), value: value === null ? null : Buffer.from(value, 'utf8') }])
      .catch((err: unknown) => this.logger?.error({ err, key }, 'Failed to write a status record'))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private apply(r: LogRecord): void {
    if (r.key === null) return;
    const key = r.key.toString('utf8');
    const value = r.value === null ? null : (parseJsonText(r.value.toString('utf8')) as Record<string, unknown> | null);
    let m: RegExpExecArray | null;
    if (key.startsWith('status-connector-')) {
      const name = key.slice('status-connector-'.length);
      const s = parseStatus(value);
      if (s) this.connectorStatuses.set(name, s);
      else this.connectorStatuses.delete(name);
    } else if ((m = /^status-task-(.*)-(\d+)$/.exec(key))) {
      const s = parseStatus(value);
      if (s) this.setTask(m[1]!, Number(m[2]), s);
      else this.taskStatuses.get(m[1]!)?.delete(Number(m[2]));
    } else if ((m = /^status-topic-(.*):connector-(.*)$/.exec(key))) {
      if (value === null) this.topics.get(m[2]!)?.delete(m[1]!);
      else this.addTopic(m[2]!, m[1]!);
    } else {
      this.logger?.warn({ key }, 'Ignoring status record with an unknown key');
    }
  }
}

function statusValue(s: StatusEntry): string {
  return toJsonText({ state: s.state, trace: s.trace, worker_id: s.workerId, generation: s.generation });
}

function parseStatus(v: Record<string, unknown> | null): StatusEntry | null {
  if (v === null || typeof v !== 'object') return null;
  const state = v['state'] as State;
  if (!STATES.has(state)) return null;
  return {
    state,
    trace: typeof v['trace'] === 'string' ? v['trace'] : null,
    workerId: typeof v['worker_id'] === 'string' ? v['worker_id'] : '',
    generation: Number(v['generation'] ?? 0),
  };
}

/** Kafka's `CacheEntry.canWriteSafely`. */
function canWriteSafely(current: StatusEntry | undefined, status: StatusEntry): boolean {
  return current === undefined || current.workerId === status.workerId || current.generation <= status.generation;
}
