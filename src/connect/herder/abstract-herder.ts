/**
 * What every herder does the same way (Kafka's `AbstractHerder`): answers from the config and status stores
 * (connector info, configs, statuses, task configs, active topics), the KIP-875 offsets operations, config
 * validation and plugin listings. StandaloneHerder and DistributedHerder add how connectors and tasks get
 * to run, and where writes go.
 */
import type { Logger } from 'pino';
import { SinkConnector, type TopicPartition } from '../api/connector.js';
import type { SourceMap } from '../data/records.js';
import { ConnectException, NotFoundException } from '../errors.js';
import type { PluginRegistry } from '../runtime/plugins.js';
import type { Worker } from '../runtime/worker.js';
import type { ConfigBackingStore, ConnectorEntry } from '../storage/config-store.js';
import { parseJsonText, toJsonText } from '../storage/json-text.js';
import { type OffsetBackingStore, offsetKey, parseOffsetKey } from '../storage/offset-store.js';
import type { StatusBackingStore } from '../storage/status-store.js';
import type { TopicBackend } from '../topics/types.js';
import { checkOffsetsRequest, offsetsMessage, parseSinkOffsets } from './offsets-request.js';
import { listPlugins } from './plugin-listing.js';
import {
  BadRequestError,
  type ConfigInfos,
  type ConfigKeyInfo,
  type ConnectorInfo,
  type ConnectorOffsets,
  type ConnectorStateInfo,
  type ConnectorTaskId,
  type PluginInfo,
  RestError,
  type ServerInfo,
  type State,
  type TaskInfo,
  type TaskState,
  type WorkerStatus,
} from './types.js';

/** Connector config validation (ConfigInfos) and plugin key listings, provided by config-validation.ts. */
export interface ConfigValidation {
  validate(config: Record<string, string | null>): Promise<ConfigInfos>;
  invalidConfigMessage(infos: ConfigInfos): string;
  configKeyInfos(plugin: string): ConfigKeyInfo[];
}

export interface HerderDeps {
  worker: Worker;
  registry: PluginRegistry;
  configStore: ConfigBackingStore;
  statusStore: StatusBackingStore;
  offsetStore: OffsetBackingStore;
  backend: TopicBackend;
  validation: ConfigValidation;
  logger: Logger;
  version: string;
  commit: string;
  topicTrackingEnabled: boolean;
  topicTrackingAllowReset: boolean;
}

export abstract class AbstractHerder {
  private queue: Promise<unknown> = Promise.resolve();
  /** Set once `start` has finished (and cleared by `stop`): until then `/health` answers 503. */
  protected ready = false;

  constructor(protected readonly deps: HerderDeps) {}

  /**
   * Runs `fn` after every earlier state change has finished: the herder thread of Kafka Connect. Every
   * state-changing request (REST write, rebalance, config update) goes through here, one at a time.
   */
  serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `GET /health` (KIP-1017): healthy when the herder loop answers within 10 s. */
  async health(): Promise<{ httpStatus: number; body: WorkerStatus }> {
    if (!this.ready) return { httpStatus: 503, body: { status: 'starting', message: 'Worker is still starting up.' } };
    const probe = this.serialized(async () => true);
    const timeout = new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref());
    if (await Promise.race([probe, timeout])) {
      return { httpStatus: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } };
    }
    return { httpStatus: 500, body: { status: 'unhealthy', message: 'Worker was unable to handle this request and may be unable to handle other requests.' } };
  }

  get workerId(): string {
    return this.deps.worker.workerId;
  }

  async serverInfo(): Promise<ServerInfo> {
    return { version: this.deps.version, commit: this.deps.commit, kafka_cluster_id: await this.deps.backend.clusterId() };
  }

  connectors(): string[] {
    return this.deps.configStore.connectors();
  }

  protected entry(name: string): ConnectorEntry {
    const e = this.deps.configStore.get(name);
    if (!e) throw new NotFoundException(`Connector ${name} not found`);
    return e;
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    const e = this.entry(name);
    return {
      name,
      config: { ...e.config },
      tasks: (e.taskConfigs ?? []).map((_, task) => ({ connector: name, task })),
      type: this.deps.worker.connectorType(e.config),
    };
  }

  async connectorConfig(name: string): Promise<Record<string, string>> {
    return { ...this.entry(name).config };
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const status = this.deps.statusStore.connector(name);
    if (!status) throw new NotFoundException(`No status found for connector ${name}`);
    const e = this.deps.configStore.get(name);
    const tasks: TaskState[] = [...this.deps.statusStore.tasks(name)].map(([id, s]) => taskState(id, s));
    return {
      name,
      connector: { state: status.state, worker_id: status.workerId, ...(status.trace ? { trace: status.trace } : {}) },
      tasks,
      type: e ? this.deps.worker.connectorType(e.config) : 'unknown',
    };
  }

  taskStatus(id: ConnectorTaskId): TaskState {
    const s = this.deps.statusStore.task(id.connector, id.task);
    if (!s) throw new NotFoundException(`No status found for task ${id.connector}-${id.task}`);
    return taskState(id.task, s);
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    return (this.entry(name).taskConfigs ?? []).map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  /** The KIP-745 restart plan: which of the connector and its tasks restart (their status becomes RESTARTING). */
  protected restartPlan(name: string, request: { includeTasks: boolean; onlyFailed: boolean }): { plan: ConnectorStateInfo; connector: boolean; tasks: number[] } {
    const status = this.connectorStatus(name);
    const connector = !request.onlyFailed || status.connector.state === 'FAILED';
    const tasks = status.tasks.filter((t) => request.includeTasks && (!request.onlyFailed || t.state === 'FAILED')).map((t) => t.id);
    const plan: ConnectorStateInfo = {
      ...status,
      connector: connector ? { state: 'RESTARTING', worker_id: status.connector.worker_id } : status.connector,
      tasks: status.tasks.map((t) => (tasks.includes(t.id) ? { id: t.id, state: 'RESTARTING' as State, worker_id: t.worker_id } : t)),
    };
    return { plan, connector, tasks };
  }

  connectorActiveTopics(name: string): string[] {
    if (!this.deps.topicTrackingEnabled) throw new RestError(403, 'Topic tracking is disabled.');
    return this.deps.statusStore.activeTopics(name);
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    if (!this.deps.topicTrackingEnabled) throw new RestError(403, 'Topic tracking is disabled.');
    if (!this.deps.topicTrackingAllowReset) throw new RestError(403, 'Topic tracking reset is disabled.');
    this.deps.statusStore.resetActiveTopics(name);
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    const e = this.entry(name);
    if (this.deps.worker.connectorType(e.config) === 'sink') {
      const offsets = await this.deps.backend.groupOffsets(sinkGroup(name, e.config));
      return {
        offsets: [...offsets].map(([tp, off]) => ({ partition: { kafka_topic: tp.topic, kafka_partition: tp.partition }, offset: { kafka_offset: off } })),
      };
    }
    const out: ConnectorOffsets = { offsets: [] };
    for (const [key, value] of await this.deps.offsetStore.entries()) {
      const parsed = parseOffsetKey(key);
      if (!parsed || parsed.connector !== name) continue;
      out.offsets.push({ partition: parsed.partition, offset: parseJsonText(value) as Record<string, unknown> });
    }
    return out;
  }

  /** `PATCH /connectors/{c}/offsets`, once the caller has made sure this worker may write. */
  protected async doAlterConnectorOffsets(name: string, request: ConnectorOffsets): Promise<{ message: string }> {
    const e = this.entry(name);
    if (!Array.isArray(request?.offsets) || request.offsets.length === 0) {
      throw new BadRequestError('Partitions / offsets need to be provided for an alter offsets request');
    }
    checkOffsetsRequest(name, e);
    // The connector's hook sees its config with `${provider:...}` variables resolved, as in Kafka's Worker.
    const config = this.deps.worker.resolveConfig(e.config);
    const connector = this.deps.worker.newConnector(e.config);
    if (connector instanceof SinkConnector) {
      const offsets = parseSinkOffsets(request.offsets);
      await this.alterSinkOffsets(name, e.config, offsets);
      return offsetsMessage('altered', await connector.alterOffsets(config, offsets));
    }
    const entries = new Map<string, string | null>();
    const hookArg = new Map<SourceMap, SourceMap | null>();
    for (const { partition, offset } of request.offsets) {
      validateSourceMap(partition);
      if (offset !== null) validateSourceMap(offset);
      entries.set(offsetKey(name, partition), offset === null ? null : toJsonText(offset));
      hookArg.set(partition, offset);
    }
    const managed = await sourceAlterOffsets(connector, config, hookArg);
    await this.deps.offsetStore.set(entries);
    return offsetsMessage('altered', managed);
  }

  /** `DELETE /connectors/{c}/offsets`, once the caller has made sure this worker may write. */
  protected async doResetConnectorOffsets(name: string): Promise<{ message: string }> {
    const e = this.entry(name);
    checkOffsetsRequest(name, e);
    const config = this.deps.worker.resolveConfig(e.config);
    const connector = this.deps.worker.newConnector(e.config);
    if (connector instanceof SinkConnector) {
      const group = sinkGroup(name, e.config);
      const current = await this.deps.backend.groupOffsets(group);
      const managed = await connector.alterOffsets(config, new Map([...current.keys()].map((tp) => [tp, null])));
      await this.alterSinkOffsets(name, e.config, null);
      return offsetsMessage('reset', managed);
    }
    const entries = new Map<string, string | null>();
    const hookArg = new Map<SourceMap, SourceMap | null>();
    for (const key of (await this.deps.offsetStore.entries()).keys()) {
      const parsed = parseOffsetKey(key);
      if (parsed?.connector !== name) continue;
      entries.set(key, null);
      hookArg.set(parsed.partition, null);
    }
    const managed = await sourceAlterOffsets(connector, config, hookArg);
    await this.deps.offsetStore.set(entries);
    return offsetsMessage('reset', managed);
  }

  private async alterSinkOffsets(name: string, config: Record<string, string>, offsets: Map<TopicPartition, number | null> | null): Promise<void> {
    const group = sinkGroup(name, config);
    if (await this.deps.backend.groupHasMembers(group)) {
      const verb = offsets ? 'alter' : 'reset';
      throw new ConnectException(
        `Failed to ${verb} consumer group offsets for connector ${name} either because its tasks haven't stopped completely yet or the connector was resumed before the request to ${verb} its offsets could be successfully completed. If the connector is in a stopped state, this operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid of the zombie sink tasks.`,
      );
    }
    if (offsets) await this.deps.backend.alterGroupOffsets(group, offsets);
    else await this.deps.backend.deleteGroup(group);
  }

  validateConnectorConfig(config: Record<string, string | null>): Promise<ConfigInfos> {
    return this.deps.validation.validate(config);
  }

  /** Validates a create/update request; throws Kafka's 400 when the name or the config is wrong. */
  protected async validateForPut(name: string, config: Record<string, string | null>): Promise<Record<string, string>> {
    const configName = config['name'];
    if (configName !== undefined && configName !== null && configName !== name) {
      throw new BadRequestError(`Connector name configuration (${configName}) doesn't match connector name in the URL (${name})`);
    }
    const full: Record<string, string | null> = { ...config, name };
    const infos = await this.deps.validation.validate(full);
    if (infos.error_count > 0) throw new BadRequestError(this.deps.validation.invalidConfigMessage(infos));
    return full as Record<string, string>;
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return listPlugins(this.deps.registry, connectorsOnly);
  }

  pluginConfig(plugin: string): ConfigKeyInfo[] {
    return this.deps.validation.configKeyInfos(plugin);
  }
}

export function mergePatch(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

function taskState(id: number, s: { state: State; workerId: string; trace: string | null }): TaskState {
  return { id, state: s.state, worker_id: s.workerId, ...(s.trace ? { trace: s.trace } : {}) };
}

export function sinkGroup(name: string, config: Record<string, string>): string {
  return config['consumer.override.group.id'] ?? `connect-${name}`;
}

function sourceAlterOffsets(connector: unknown, config: Record<string, string>, offsets: Map<SourceMap, SourceMap | null>): Promise<boolean> {
  const c = connector as { alterOffsets(c: Record<string, string>, o: Map<SourceMap, SourceMap | null>): boolean | Promise<boolean> };
  return Promise.resolve(c.alterOffsets(config, offsets));
}

function validateSourceMap(map: unknown): void {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new ConnectException('Offsets may only use String keys');
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (v !== null && !['string', 'number', 'boolean', 'bigint'].includes(typeof v)) {
      throw new ConnectException(`Offsets may only contain primitive types as values, but field ${k} contains ${Array.isArray(v) ? 'java.util.ArrayList' : 'java.util.LinkedHashMap'}`);
    }
  }
}
