/**
 * The standalone herder (Kafka's `StandaloneHerder`): one worker, connector configs in a local store (kept
 * across restarts, unlike the JVM's standalone mode), statuses in memory. Requests that change state run one
 * at a time through a queue, so REST calls never interleave half-way.
 */
import type { Logger } from 'pino';
import { SinkConnector, type TopicPartition } from '../api/connector.js';
import type { SourceMap } from '../data/records.js';
import { AlreadyExistsException, ConnectException, NotFoundException } from '../errors.js';
import type { PluginRegistry } from '../runtime/plugins.js';
import type { Worker } from '../runtime/worker.js';
import type { ConfigBackingStore } from '../storage/config-store.js';
import { parseJsonText, toJsonText } from '../storage/json-text.js';
import { type OffsetBackingStore, offsetKey, parseOffsetKey } from '../storage/offset-store.js';
import type { StatusBackingStore } from '../storage/status-store.js';
import type { TopicBackend } from '../topics/types.js';
import { checkOffsetsRequest, offsetsMessage, parseSinkOffsets } from './offsets-request.js';
import { listPlugins } from './plugin-listing.js';
import { StatusWriter } from './status-writer.js';
import {
  BadRequestError,
  type ConfigInfos,
  type ConfigKeyInfo,
  type ConnectorInfo,
  type ConnectorOffsets,
  type ConnectorStateInfo,
  type ConnectorTaskId,
  type Herder,
  type PluginInfo,
  type RestartRequest,
  RestError,
  type ServerInfo,
  type State,
  type TargetState,
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

export interface StandaloneHerderDeps {
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

export class StandaloneHerder implements Herder {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly statuses: StatusWriter;
  private ready = false;

  constructor(private readonly deps: StandaloneHerderDeps) {
    this.statuses = new StatusWriter(deps.statusStore, deps.worker.workerId);
  }

  get workerId(): string {
    return this.deps.worker.workerId;
  }

  /** Runs `fn` after every earlier state-changing request has finished. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async start(): Promise<void> {
    await this.serialized(async () => {
      for (const name of this.deps.configStore.connectors()) await this.startConnectorAndTasks(name);
    });
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.serialized(() => this.deps.worker.stop());
  }

  async serverInfo(): Promise<ServerInfo> {
    return { version: this.deps.version, commit: this.deps.commit, kafka_cluster_id: await this.deps.backend.clusterId() };
  }

  async health(): Promise<{ httpStatus: number; body: WorkerStatus }> {
    if (!this.ready) return { httpStatus: 503, body: { status: 'starting', message: 'Worker is still starting up.' } };
    const probe = this.serialized(async () => true);
    const timeout = new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref());
    if (await Promise.race([probe, timeout])) {
      return { httpStatus: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } };
    }
    return { httpStatus: 500, body: { status: 'unhealthy', message: 'Worker was unable to handle this request and may be unable to handle other requests.' } };
  }

  connectors(): string[] {
    return this.deps.configStore.connectors();
  }

  private entry(name: string) {
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

  putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.serialized(async () => {
      const configName = config['name'];
      if (configName !== undefined && configName !== null && configName !== name) {
        throw new BadRequestError(`Connector name configuration (${configName}) doesn't match connector name in the URL (${name})`);
      }
      const full: Record<string, string | null> = { ...config, name };
      const infos = await this.deps.validation.validate(full);
      if (infos.error_count > 0) throw new BadRequestError(this.deps.validation.invalidConfigMessage(infos));
      const exists = this.deps.configStore.get(name) !== undefined;
      if (exists && !options.allowReplace) throw new AlreadyExistsException(`Connector ${name} already exists`);
      if (exists) await this.stopConnectorAndTasks(name);
      await this.deps.configStore.putConnectorConfig(name, full as Record<string, string>, options.initialState);
      const started = await this.startConnectorAndTasks(name);
      if (!started) {
        const trace = this.deps.statusStore.connector(name)?.trace;
        throw new ConnectException(`Failed to start connector: ${name}${trace ? `\n${trace.split('\n')[0]}` : ''}`);
      }
      return { created: !exists, info: await this.connectorInfo(name) };
    });
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const current = this.entry(name).config;
    const merged: Record<string, string> = { ...current };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    const { info } = await this.putConnectorConfig(name, merged, { allowReplace: true });
    return info;
  }

  deleteConnector(name: string): Promise<void> {
    return this.serialized(async () => {
      this.entry(name);
      await this.stopConnectorAndTasks(name);
      await this.deps.configStore.removeConnector(name);
      this.deps.statusStore.removeConnector(name);
    });
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

  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    return this.serialized(async () => {
      const e = this.entry(name);
      if (!request.includeTasks && !request.onlyFailed) {
        await this.deps.worker.stopConnector(name);
        if (!(await this.startConnector(name, e.config, e.targetState))) throw new ConnectException(`Failed to start connector: ${name}`);
        return null;
      }
      const status = this.connectorStatus(name);
      const restartConnector = !request.onlyFailed || status.connector.state === 'FAILED';
      const restartTasks = status.tasks.filter((t) => request.includeTasks && (!request.onlyFailed || t.state === 'FAILED')).map((t) => t.id);
      const plan: ConnectorStateInfo = {
        ...status,
        connector: restartConnector ? { state: 'RESTARTING', worker_id: this.workerId } : status.connector,
        tasks: status.tasks.map((t) => (restartTasks.includes(t.id) ? { id: t.id, state: 'RESTARTING' as State, worker_id: this.workerId } : t)),
      };
      if (restartConnector) this.statuses.connector(name, 'RESTARTING');
      for (const t of restartTasks) this.statuses.task({ connector: name, task: t }, 'RESTARTING');
      // The restart itself happens after the answer, like Kafka's asynchronous restart (KIP-745).
      void this.serialized(async () => {
        if (!this.deps.configStore.get(name)) return;
        if (restartConnector) {
          await this.deps.worker.stopConnector(name);
          await this.startConnector(name, e.config, e.targetState);
        }
        const ids = restartTasks.map((task) => ({ connector: name, task }));
        await this.deps.worker.stopTasks(ids);
        this.startTasks(name, ids.map((i) => i.task));
      }).catch((err) => this.deps.logger.error({ err, connector: name }, 'Restart failed'));
      return plan;
    });
  }

  restartTask(id: ConnectorTaskId): Promise<void> {
    return this.serialized(async () => {
      const e = this.entry(id.connector);
      if (!e.taskConfigs || id.task < 0 || id.task >= e.taskConfigs.length) throw new NotFoundException(`Task ${id.connector}-${id.task} not found`);
      await this.deps.worker.stopTasks([id]);
      if (!this.startTasks(id.connector, [id.task])) throw new ConnectException(`Failed to start task: ${id.connector}-${id.task}`);
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'PAUSED');
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STARTED');
  }

  private setTargetState(name: string, state: TargetState): Promise<void> {
    return this.serialized(async () => {
      const e = this.deps.configStore.get(name);
      if (!e) throw new NotFoundException(`Unknown connector ${name}`);
      const previous = e.targetState;
      await this.deps.configStore.putTargetState(name, state);
      if (previous === 'STOPPED' || !this.deps.worker.isRunning(name)) {
        // A stopped connector has no tasks: start it again and generate them.
        await this.deps.worker.stopConnector(name);
        await this.startConnectorAndTasks(name);
        return;
      }
      await this.deps.worker.setConnectorTargetState(name, state);
      if (state === 'STARTED' && (e.taskConfigs === null || e.taskConfigs.length === 0)) await this.updateConnectorTasks(name);
    });
  }

  stopConnector(name: string): Promise<void> {
    return this.serialized(async () => {
      const e = this.deps.configStore.get(name);
      if (!e) throw new ConnectException(`No connector \`${name}\` configured`);
      await this.deps.worker.stopTasks(this.deps.worker.taskIds(name));
      for (const task of this.deps.statusStore.tasks(name).keys()) this.deps.statusStore.removeTask(name, task);
      await this.deps.configStore.putTaskConfigs(name, []);
      await this.deps.configStore.putTargetState(name, 'STOPPED');
      if (this.deps.worker.isRunning(name)) await this.deps.worker.setConnectorTargetState(name, 'STOPPED');
      else this.statuses.connector(name, 'STOPPED');
    });
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

  alterConnectorOffsets(name: string, request: ConnectorOffsets): Promise<{ message: string }> {
    return this.serialized(async () => {
      const e = this.entry(name);
      if (!Array.isArray(request?.offsets) || request.offsets.length === 0) {
        throw new BadRequestError('Partitions / offsets need to be provided for an alter offsets request');
      }
      checkOffsetsRequest(name, e);
      const connector = this.deps.worker.newConnector(e.config);
      if (connector instanceof SinkConnector) {
        const offsets = parseSinkOffsets(request.offsets);
        await this.alterSinkOffsets(name, e.config, offsets);
        return offsetsMessage('altered', await connector.alterOffsets(e.config, offsets));
      }
      const entries = new Map<string, string | null>();
      const hookArg = new Map<SourceMap, SourceMap | null>();
      for (const { partition, offset } of request.offsets) {
        validateSourceMap(partition);
        if (offset !== null) validateSourceMap(offset);
        entries.set(offsetKey(name, partition), offset === null ? null : toJsonText(offset));
        hookArg.set(partition, offset);
      }
      const managed = await (connector as unknown as { alterOffsets(c: Record<string, string>, o: Map<SourceMap, SourceMap | null>): boolean | Promise<boolean> }).alterOffsets(e.config, hookArg);
      await this.deps.offsetStore.set(entries);
      return offsetsMessage('altered', managed);
    });
  }

  resetConnectorOffsets(name: string): Promise<{ message: string }> {
    return this.serialized(async () => {
      const e = this.entry(name);
      checkOffsetsRequest(name, e);
      const connector = this.deps.worker.newConnector(e.config);
      if (connector instanceof SinkConnector) {
        const group = sinkGroup(name, e.config);
        const current = await this.deps.backend.groupOffsets(group);
        const managed = await connector.alterOffsets(e.config, new Map([...current.keys()].map((tp) => [tp, null])));
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
      const managed = await (connector as unknown as { alterOffsets(c: Record<string, string>, o: Map<SourceMap, SourceMap | null>): boolean | Promise<boolean> }).alterOffsets(e.config, hookArg);
      await this.deps.offsetStore.set(entries);
      return offsetsMessage('reset', managed);
    });
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

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return listPlugins(this.deps.registry, connectorsOnly);
  }

  pluginConfig(plugin: string): ConfigKeyInfo[] {
    return this.deps.validation.configKeyInfos(plugin);
  }

  // ---- connector and task lifecycle (called inside `serialized`) ----

  private startConnector(name: string, config: Record<string, string>, state: TargetState): Promise<boolean> {
    return this.deps.worker.startConnector(name, config, state, this.statuses, () => {
      void this.serialized(() => this.updateConnectorTasks(name)).catch((err) =>
        this.deps.logger.error({ err, connector: name }, 'Task reconfiguration failed'),
      );
    });
  }

  /** Starts a stored connector and, when its target state is STARTED, its tasks. */
  private async startConnectorAndTasks(name: string): Promise<boolean> {
    const e = this.deps.configStore.get(name);
    if (!e) return false;
    if (e.targetState === 'STOPPED') {
      this.statuses.connector(name, 'STOPPED');
      return true;
    }
    if (!(await this.startConnector(name, e.config, e.targetState))) return false;
    if (e.targetState === 'STARTED') await this.updateConnectorTasks(name);
    else if (e.taskConfigs && e.taskConfigs.length > 0) this.startTasks(name, e.taskConfigs.map((_, i) => i));
    return true;
  }

  /** Asks the connector for task configs; restarts the tasks when they changed (or are not running). */
  private async updateConnectorTasks(name: string): Promise<void> {
    const e = this.deps.configStore.get(name);
    if (!e || e.targetState !== 'STARTED' || !this.deps.worker.isRunning(name)) return;
    let configs: Record<string, string>[];
    try {
      configs = await this.deps.worker.connectorTaskConfigs(name, e.config);
    } catch (err) {
      this.statuses.connector(name, 'FAILED', err);
      return;
    }
    const running = this.deps.worker.taskIds(name);
    const changed = JSON.stringify(configs) !== JSON.stringify(e.taskConfigs);
    if (!changed && running.length === configs.length) return;
    await this.deps.worker.stopTasks(running);
    for (const task of this.deps.statusStore.tasks(name).keys()) if (task >= configs.length) this.deps.statusStore.removeTask(name, task);
    await this.deps.configStore.putTaskConfigs(name, configs);
    this.startTasks(name, configs.map((_, i) => i));
  }

  private startTasks(name: string, tasks: number[]): boolean {
    const e = this.deps.configStore.get(name);
    if (!e?.taskConfigs) return false;
    let ok = true;
    for (const task of tasks) {
      const taskConfig = e.taskConfigs[task];
      if (!taskConfig) continue;
      ok = this.deps.worker.startTask({ connector: name, task }, e.config, taskConfig, e.targetState, this.statuses) && ok;
    }
    return ok;
  }

  private async stopConnectorAndTasks(name: string): Promise<void> {
    await this.deps.worker.stopTasks(this.deps.worker.taskIds(name));
    await this.deps.worker.stopConnector(name);
  }
}

function taskState(id: number, s: { state: State; workerId: string; trace: string | null }): TaskState {
  return { id, state: s.state, worker_id: s.workerId, ...(s.trace ? { trace: s.trace } : {}) };
}

function sinkGroup(name: string, config: Record<string, string>): string {
  return config['consumer.override.group.id'] ?? `connect-${name}`;
}

function validateSourceMap(map: unknown): void {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new ConnectException('Offsets may only use String keys');
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (v !== null && !['string', 'number', 'boolean', 'bigint'].includes(typeof v)) {
      throw new ConnectException(`Offsets may only contain primitive types as values, but field ${k} contains ${Array.isArray(v) ? 'java.util.ArrayList' : 'java.util.LinkedHashMap'}`);
    }
  }
}

