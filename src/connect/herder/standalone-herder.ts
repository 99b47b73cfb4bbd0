/**
 * The standalone herder (Kafka's `StandaloneHerder`): one worker, connector configs in a local store (kept
 * across restarts, unlike the JVM's standalone mode), statuses in memory. Requests that change state run one
 * at a time through a queue, so REST calls never interleave half-way.
 */
import { AlreadyExistsException, ConnectException, NotFoundException } from '../errors.js';
import { AbstractHerder, type ConfigValidation, type HerderDeps, mergePatch } from './abstract-herder.js';
import { StatusWriter } from './status-writer.js';
import type {
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  ConnectorTaskId,
  Herder,
  RestartRequest,
  TargetState,
} from './types.js';

export type { ConfigValidation };
export type StandaloneHerderDeps = HerderDeps;

export class StandaloneHerder extends AbstractHerder implements Herder {
  private readonly statuses: StatusWriter;

  constructor(deps: StandaloneHerderDeps) {
    super(deps);
    this.statuses = new StatusWriter(deps.statusStore, deps.worker.workerId);
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

  putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.serialized(async () => {
      const full = await this.validateForPut(name, config);
      const exists = this.deps.configStore.get(name) !== undefined;
      if (exists && !options.allowReplace) throw new AlreadyExistsException(`Connector ${name} already exists`);
      if (exists) await this.stopConnectorAndTasks(name);
      await this.deps.configStore.putConnectorConfig(name, full, options.initialState);
      const started = await this.startConnectorAndTasks(name);
      if (!started) {
        const trace = this.deps.statusStore.connector(name)?.trace;
        throw new ConnectException(`Failed to start connector: ${name}${trace ? `\n${trace.split('\n')[0]}` : ''}`);
      }
      return { created: !exists, info: await this.connectorInfo(name) };
    });
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const merged = mergePatch(this.entry(name).config, patch);
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

  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    return this.serialized(async () => {
      const e = this.entry(name);
      if (!request.includeTasks && !request.onlyFailed) {
        await this.deps.worker.stopConnector(name);
        if (!(await this.startConnector(name, e.config, e.targetState))) throw new ConnectException(`Failed to start connector: ${name}`);
        return null;
      }
      const { plan, connector: restartConnector, tasks: restartTasks } = this.restartPlan(name, request);
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

  alterConnectorOffsets(name: string, request: ConnectorOffsets): Promise<{ message: string }> {
    return this.serialized(() => this.doAlterConnectorOffsets(name, request));
  }

  resetConnectorOffsets(name: string): Promise<{ message: string }> {
    return this.serialized(() => this.doResetConnectorOffsets(name));
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
