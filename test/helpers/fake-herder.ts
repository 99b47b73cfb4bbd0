/**
 * An in-memory Herder for REST tests: a stand-in for the standalone herder, faithful to the Herder contract and
 * to Kafka's standalone messages, without tasks that run. Validation is the real one (config-validation.ts).
 */
import type { Connector } from '../../src/connect/api/connector.js';
import type { PluginType } from '../../src/connect/api/plugin.js';
import { AlreadyExistsException, ConnectException, NotFoundException } from '../../src/connect/errors.js';
import { configKeyInfos, throwIfInvalid, validateConnectorConfig, type WorkerValidationContext } from '../../src/connect/herder/config-validation.js';
import {
  BadRequestError,
  type ConfigInfos,
  type ConfigKeyInfo,
  type ConnectorInfo,
  type ConnectorOffsets,
  type ConnectorStateInfo,
  type ConnectorTaskId,
  type ConnectorType,
  type Herder,
  type PluginInfo,
  type RestartRequest,
  type ServerInfo,
  type State,
  type TargetState,
  type TaskInfo,
  type TaskState,
  type WorkerStatus,
} from '../../src/connect/herder/types.js';
import type { PluginRegistry } from '../../src/connect/runtime/plugins.js';

interface Entry {
  config: Record<string, string>;
  type: ConnectorType;
  target: TargetState;
  state: State;
  tasks: { config: Record<string, string>; state: State }[];
  offsets: ConnectorOffsets;
}

const PLUGIN_ORDER: PluginType[] = ['sink', 'source', 'transformation', 'predicate', 'converter', 'header_converter'];

export class FakeHerder implements Herder {
  workerId = 'localhost:8083';
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly validation: WorkerValidationContext = {},
  ) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async serverInfo(): Promise<ServerInfo> {
    return { version: '3.9.0', commit: '0123456789abcdef', kafka_cluster_id: 'embedded-test-cluster' };
  }
  async health(): Promise<{ httpStatus: number; body: WorkerStatus }> {
    return { httpStatus: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } };
  }

  connectors(): string[] {
    return [...this.entries.keys()];
  }

  private entry(name: string, message = `Connector ${name} not found`): Entry {
    const e = this.entries.get(name);
    if (!e) throw new NotFoundException(message);
    return e;
  }

  private info(name: string, e: Entry): ConnectorInfo {
    return { name, config: { ...e.config }, tasks: e.tasks.map((_, task) => ({ connector: name, task })), type: e.type };
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    return this.info(name, this.entry(name));
  }
  async connectorConfig(name: string): Promise<Record<string, string>> {
    return { ...this.entry(name).config };
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    throwIfInvalid(await this.validateConnectorConfig(config));
    const existing = this.entries.get(name);
    if (existing && !options.allowReplace) throw new AlreadyExistsException(`Connector ${name} already exists`);
    const target = existing?.target ?? options.initialState ?? 'STARTED';
    const e = await this.start_(config as Record<string, string>, target, existing?.offsets ?? { offsets: [] });
    this.entries.set(name, e);
    return { created: !existing, info: this.info(name, e) };
  }

  private async start_(config: Record<string, string>, target: TargetState, offsets: ConnectorOffsets): Promise<Entry> {
    const d = this.registry.findOfType(config['connector.class']!, 'source', 'sink')!;
    const connector = d.create() as Connector;
    await connector.start(config);
    const state: State = target === 'STARTED' ? 'RUNNING' : target;
    const taskConfigs = target === 'STARTED' ? await connector.taskConfigs(Number(config['tasks.max'] ?? '1')) : [];
    const tasks = taskConfigs.map((c) => ({ config: { ...c, 'task.class': connector.taskClass().name }, state: 'RUNNING' as State }));
    return { config: { ...config }, type: d.type === 'sink' ? 'sink' : 'source', target, state, tasks, offsets };
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const e = this.entry(name);
    const merged: Record<string, string | null> = { ...e.config };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    return (await this.putConnectorConfig(name, merged, { allowReplace: true })).info;
  }

  async deleteConnector(name: string): Promise<void> {
    this.entry(name);
    this.entries.delete(name);
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const e = this.entry(name, `No status found for connector ${name}`);
    return {
      name,
      connector: { state: e.state, worker_id: this.workerId },
      tasks: e.tasks.map((t, id) => ({ id, state: t.state, worker_id: this.workerId })),
      type: e.type,
    };
  }

  taskStatus(id: ConnectorTaskId): TaskState {
    const t = this.entries.get(id.connector)?.tasks[id.task];
    if (!t) throw new NotFoundException(`No status found for task ${id.connector}-${id.task}`);
    return { id: id.task, state: t.state, worker_id: this.workerId };
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    return this.entry(name).tasks.map((t, task) => ({ id: { connector: name, task }, config: { ...t.config } }));
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    const e = this.entry(name);
    if (!request.includeTasks && !request.onlyFailed) return null;
    const status = this.connectorStatus(name);
    const restartConnector = !request.onlyFailed || e.state === 'FAILED';
    return {
      ...status,
      connector: { ...status.connector, state: restartConnector ? 'RESTARTING' : status.connector.state },
      tasks: status.tasks.map((t) => ({
        ...t,
        state: request.includeTasks && (!request.onlyFailed || t.state === 'FAILED') ? 'RESTARTING' : t.state,
      })),
    };
  }

  async restartTask(id: ConnectorTaskId): Promise<void> {
    const e = this.entry(id.connector);
    if (!e.tasks[id.task]) throw new NotFoundException(`Task ${id.connector}-${id.task} not found`);
  }

  async pauseConnector(name: string): Promise<void> {
    const e = this.entry(name, `Unknown connector ${name}`);
    e.target = 'PAUSED';
    e.state = 'PAUSED';
    for (const t of e.tasks) t.state = 'PAUSED';
  }

  async resumeConnector(name: string): Promise<void> {
    const e = this.entry(name, `Unknown connector ${name}`);
    const fresh = await this.start_(e.config, 'STARTED', e.offsets);
    this.entries.set(name, fresh);
  }

  async stopConnector(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) throw new ConnectException(`No connector \`${name}\` configured`);
    e.target = 'STOPPED';
    e.state = 'STOPPED';
    e.tasks = [];
  }

  connectorActiveTopics(_name: string): string[] {
    return [];
  }
  async resetConnectorActiveTopics(_name: string): Promise<void> {}

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    return this.entry(name).offsets;
  }

  private requireStopped(name: string): Entry {
    const e = this.entry(name);
    if (e.target !== 'STOPPED' || e.tasks.length > 0) {
      throw new BadRequestError(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
    return e;
  }

  async alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<{ message: string }> {
    const e = this.requireStopped(name);
    e.offsets = offsets;
    return {
      message:
        'The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.',
    };
  }

  async resetConnectorOffsets(name: string): Promise<{ message: string }> {
    const e = this.requireStopped(name);
    e.offsets = { offsets: [] };
    return {
      message:
        'The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.',
    };
  }

  validateConnectorConfig(config: Record<string, string | null>): Promise<ConfigInfos> {
    return validateConnectorConfig(this.registry, config, this.validation);
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return this.registry
      .all()
      .filter((d) => !connectorsOnly || d.type === 'source' || d.type === 'sink')
      .sort((a, b) => PLUGIN_ORDER.indexOf(a.type) - PLUGIN_ORDER.indexOf(b.type) || (a.className < b.className ? -1 : a.className > b.className ? 1 : 0))
      .map((d) => (d.version && d.version !== 'undefined' ? { class: d.className, type: d.type, version: d.version } : { class: d.className, type: d.type }));
  }

  pluginConfig(plugin: string): ConfigKeyInfo[] {
    return configKeyInfos(this.registry, plugin);
  }
}
