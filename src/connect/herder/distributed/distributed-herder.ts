/**
 * The distributed herder (Kafka's `DistributedHerder`, eager protocol): workers with the same `group.id`
 * form one cluster through Kafka's group coordinator. Split in modules:
 *   group-member.ts      JoinGroup / SyncGroup / heartbeats (membership)
 *   eager-assignor.ts    the leader's round-robin assignment
 *   connect-protocol.ts  the member metadata and assignment bytes
 *   rest-forwarding.ts   REST writes forwarded to the leader (or the owner of a connector/task)
 *   config-updates.ts    what a config-topic change means for this worker (rebalance, restart, state)
 * This class keeps the single loop: every state change (rebalance, config update, REST write) runs one at
 * a time through `serialized`, like the herder thread's tick().
 *
 * A rebalance (eager): stop every connector and task here (statuses UNASSIGNED), read the config topic to
 * its end, join; the leader assigns connectors and tasks round robin; then start what was assigned. Config
 * changes are written to the config topic by the leader only; every worker reads them back, and new or
 * removed connectors and new task configs make every worker rejoin.
 */
import { ConnectException, NotFoundException, AlreadyExistsException } from '../../errors.js';
import type { KafkaConfigStore } from '../../storage/kafka/kafka-config-store.js';
import type { KafkaStatusStore } from '../../storage/kafka/kafka-status-store.js';
import type { InternalCluster } from '../../storage/kafka/kafkajs-internals.js';
import { AbstractHerder, type HerderDeps, mergePatch } from '../abstract-herder.js';
import { StatusWriter } from '../status-writer.js';
import {
  type ConnectorInfo,
  type ConnectorOffsets,
  type ConnectorStateInfo,
  type ConnectorTaskId,
  type Herder,
  type RestartRequest,
  RestError,
  type TargetState,
  type TaskInfo,
} from '../types.js';
import { type ConnectAssignment, CONFIG_MISMATCH, type WorkerState } from './connect-protocol.js';
import { ConfigUpdates } from './config-updates.js';
import { eagerAssignment } from './eager-assignor.js';
import { GroupMember } from './group-member.js';
import type { ForwardingHerder, ForwardOp } from './rest-forwarding.js';
import { RestClient } from '../../rest/rest-client.js';

export interface DistributedHerderDeps extends HerderDeps {
  configStore: KafkaConfigStore;
  statusStore: KafkaStatusStore;
  /** This worker's advertised REST URL, e.g. `http://10.0.0.5:8083/`. */
  url: string;
  /** Reaches the leader's REST API (https with the worker's TLS settings); default: plain fetch-like client. */
  restClient?: RestClient;
  cluster: InternalCluster;
  groupId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

export const NO_LEADER_MESSAGE = 'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.';
export const STALE_CONFIG_MESSAGE = 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)';
const REBALANCE_EXPECTED_MESSAGE = 'Request cannot be completed because a rebalance is expected';

export class DistributedHerder extends AbstractHerder implements Herder, ForwardingHerder {
  private readonly member: GroupMember;
  private readonly statuses: StatusWriter;
  private readonly updates: ConfigUpdates;
  private generation = -1;
  private assignment: ConnectAssignment | null = null;
  private leader = false;
  /** Leader: every member's URL and assignment of the current generation. */
  private memberUrls = new Map<string, string>();
  private memberAssignments = new Map<string, ConnectAssignment>();
  private rebalanceQueued = false;
  private stopping = false;

  constructor(protected override readonly deps: DistributedHerderDeps) {
    super(deps);
    const self = this;
    this.statuses = new (class extends StatusWriter {
      // A connector deleted meanwhile keeps no status (no UNASSIGNED over the tombstone).
      override onShutdown(nameOrId: string | ConnectorTaskId): void {
        const connector = typeof nameOrId === 'string' ? nameOrId : nameOrId.connector;
        if (self.deps.configStore.get(connector)) super.onShutdown(nameOrId);
      }
    })(deps.statusStore, deps.worker.workerId, () => this.generation);
    this.updates = new ConfigUpdates(this);
    this.member = new GroupMember({
      cluster: deps.cluster,
      groupId: deps.groupId,
      sessionTimeoutMs: deps.sessionTimeoutMs,
      rebalanceTimeoutMs: deps.rebalanceTimeoutMs,
      heartbeatIntervalMs: deps.heartbeatIntervalMs,
      metadata: (): WorkerState => ({ url: deps.url, configOffset: deps.configStore.offset }),
      assign: (leaderId, members) => this.assign(leaderId, members),
      onRebalanceNeeded: () => this.scheduleRebalance(),
      log: deps.logger,
    });
  }

  // ---- the loop ----

  async start(): Promise<void> {
    this.deps.configStore.listener = this.updates;
    this.rebalanceQueued = true;
    await this.serialized(() => this.rebalance());
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.deps.configStore.listener = null;
    await this.serialized(async () => {
      await this.deps.worker.stop();
      await this.member.stop();
      await this.deps.statusStore.flush();
    });
  }

  /** Heartbeat saw a rebalance, or the config changed in a way that needs one. */
  requestRejoin(): void {
    this.member.requestRejoin();
  }

  private scheduleRebalance(): void {
    if (this.rebalanceQueued || this.stopping) return;
    this.rebalanceQueued = true;
    void this.serialized(() => this.rebalance()).catch((err) => this.deps.logger.error({ err }, 'Rebalance failed'));
  }

  private async rebalance(): Promise<void> {
    this.rebalanceQueued = false;
    if (this.stopping) return;
    this.assignment = null;
    this.leader = false;
    // Eager protocol: everything this worker runs is revoked before rejoining.
    await this.deps.worker.stop();
    for (;;) {
      await this.deps.configStore.readToEnd();
      const result = await this.member.join();
      if (result.assignment.error === CONFIG_MISMATCH) {
        this.deps.logger.info('Config offsets mismatch in the assignment; reading the config topic and rejoining');
        continue;
      }
      if (result.assignment.configOffset > this.deps.configStore.offset) await this.deps.configStore.readToEnd();
      this.generation = result.generation;
      this.assignment = result.assignment;
      this.leader = result.isLeader;
      this.memberUrls = new Map([...result.members].map(([id, m]) => [id, m.url]));
      break;
    }
    this.rebalanceQueued = false;
    this.updates.rebalanced(this.deps.configStore.connectors());
    const a = this.assignment;
    this.deps.logger.info({ generation: this.generation, leader: this.leader, connectors: a.connectors, tasks: a.tasks }, 'Starting assigned work');
    for (const name of a.connectors) await this.startConnector(name);
    for (const id of a.tasks) this.startTask(id);
  }

  private async assign(leaderId: string, members: Map<string, WorkerState>): Promise<Map<string, ConnectAssignment>> {
    const maxOffset = Math.max(...[...members.values()].map((m) => m.configOffset));
    if (this.deps.configStore.offset < maxOffset) await this.deps.configStore.readToEnd();
    const store = this.deps.configStore;
    const out = eagerAssignment(leaderId, members, {
      offset: store.offset,
      connectors: store.connectors(),
      taskCount: (c) => store.get(c)?.taskConfigs?.length ?? 0,
    });
    this.memberAssignments = out;
    return out;
  }

  // ---- what runs here ----

  owns(connector: string): boolean {
    return this.assignment?.connectors.includes(connector) ?? false;
  }

  ownsTask(id: ConnectorTaskId): boolean {
    return this.assignment?.tasks.some((t) => t.connector === id.connector && t.task === id.task) ?? false;
  }

  /** Starts an assigned connector; when STARTED it then (re)generates its task configs. */
  async startConnector(name: string): Promise<void> {
    const e = this.deps.configStore.get(name);
    if (!e) return;
    if (e.targetState === 'STOPPED') {
      this.statuses.connector(name, 'STOPPED');
      return;
    }
    const ok = await this.deps.worker.startConnector(name, e.config, e.targetState, this.statuses, () => {
      void this.serialized(() => this.reconfigureTasks(name)).catch((err) => this.deps.logger.error({ err, connector: name }, 'Task reconfiguration failed'));
    });
    if (ok && e.targetState === 'STARTED') await this.reconfigureTasks(name);
  }

  startTask(id: ConnectorTaskId): boolean {
    const e = this.deps.configStore.get(id.connector);
    const taskConfig = e?.taskConfigs?.[id.task];
    if (!e || !taskConfig) return false;
    return this.deps.worker.startTask(id, e.config, taskConfig, e.targetState, this.statuses);
  }

  async restartConnectorHere(name: string): Promise<void> {
    await this.deps.worker.stopConnector(name);
    await this.startConnector(name);
  }

  async restartTaskHere(id: ConnectorTaskId): Promise<boolean> {
    await this.deps.worker.stopTasks([id]);
    return this.startTask(id);
  }

  /** Owner of a connector: asks it for task configs and hands changed ones to the leader. */
  async reconfigureTasks(name: string): Promise<void> {
    const e = this.deps.configStore.get(name);
    if (!e || e.targetState !== 'STARTED' || !this.deps.worker.isRunning(name) || !this.owns(name)) return;
    let configs: Record<string, string>[];
    try {
      configs = await this.deps.worker.connectorTaskConfigs(name, e.config);
    } catch (err) {
      this.statuses.connector(name, 'FAILED', err);
      return;
    }
    if (JSON.stringify(configs) === JSON.stringify(e.taskConfigs)) return;
    if (this.leader) {
      await this.deps.configStore.putTaskConfigs(name, configs);
      return;
    }
    // Not awaited inside the loop: the leader may be waiting for this worker to rejoin.
    void this.sendTaskConfigsToLeader(name, configs);
  }

  private async sendTaskConfigsToLeader(name: string, configs: Record<string, string>[]): Promise<void> {
    for (let attempt = 0; attempt < 20 && !this.stopping; attempt++) {
      const leaderUrl = this.assignment?.leaderUrl;
      if (leaderUrl) {
        try {
          const client = (this.deps.restClient ??= new RestClient());
          const res = await client.request(new URL(`connectors/${encodeURIComponent(name)}/tasks?forward=true`, leaderUrl), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(configs),
          });
          if (res.status >= 200 && res.status < 300) return;
          this.deps.logger.warn({ connector: name, status: res.status, body: res.body }, 'Leader refused task configs; retrying');
        } catch (err) {
          this.deps.logger.warn({ err, connector: name }, 'Sending task configs to the leader failed; retrying');
        }
      }
      await new Promise((r) => setTimeout(r, 250 * Math.min(attempt + 1, 8)));
    }
  }

  // ---- forwarding ----

  forwardTarget(op: ForwardOp): string | null {
    const a = this.assignment;
    if (!a) throw new RestError(409, NO_LEADER_MESSAGE);
    if (op.kind === 'leader') return this.leader ? null : a.leaderUrl;
    const here = op.kind === 'connector-owner' ? this.owns(op.connector) : this.ownsTask(op.id);
    if (here) return null;
    if (!this.leader) return a.leaderUrl;
    for (const [member, assigned] of this.memberAssignments) {
      const there = op.kind === 'connector-owner' ? assigned.connectors.includes(op.connector) : assigned.tasks.some((t) => t.connector === op.id.connector && t.task === op.id.task);
      if (there) return this.memberUrls.get(member) ?? null;
    }
    return null; // not assigned anywhere: answered here (404, or the restart fails)
  }

  private requireLeader(): void {
    if (!this.assignment) throw new RestError(409, NO_LEADER_MESSAGE);
    if (!this.leader) throw new RestError(409, STALE_CONFIG_MESSAGE);
    if (this.member.needsRejoin) throw new RestError(409, STALE_CONFIG_MESSAGE);
  }

  private requireNoRebalance(): void {
    if (this.ready && this.member.needsRejoin) throw new ConnectException(REBALANCE_EXPECTED_MESSAGE);
  }

  // ---- Herder ----

  override async connectorInfo(name: string): Promise<ConnectorInfo> {
    this.requireNoRebalance();
    return super.connectorInfo(name);
  }

  override async connectorConfig(name: string): Promise<Record<string, string>> {
    this.requireNoRebalance();
    return super.connectorConfig(name);
  }

  override async taskConfigs(name: string): Promise<TaskInfo[]> {
    this.requireNoRebalance();
    return super.taskConfigs(name);
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    const full = await this.validateForPut(name, config);
    return this.serialized(async () => {
      this.requireLeader();
      const exists = this.deps.configStore.get(name) !== undefined;
      if (exists && !options.allowReplace) throw new AlreadyExistsException(`Connector ${name} already exists`);
      await this.deps.configStore.putConnectorConfig(name, full, options.initialState);
      return { created: !exists, info: await super.connectorInfo(name) };
    });
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const { info } = await this.putConnectorConfig(name, mergePatch(this.entry(name).config, patch), { allowReplace: true });
    return info;
  }

  deleteConnector(name: string): Promise<void> {
    return this.serialized(async () => {
      this.requireLeader();
      this.entry(name);
      await this.deps.configStore.removeConnector(name);
      this.deps.statusStore.removeConnector(name);
    });
  }

  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    return this.serialized(async () => {
      this.entry(name);
      if (!request.includeTasks && !request.onlyFailed) {
        if (!this.owns(name)) throw new RestError(409, STALE_CONFIG_MESSAGE);
        await this.restartConnectorHere(name);
        return null;
      }
      this.requireLeader();
      const { plan } = this.restartPlan(name, request);
      await this.deps.configStore.putRestartRequest(name, request);
      return plan;
    });
  }

  restartTask(id: ConnectorTaskId): Promise<void> {
    return this.serialized(async () => {
      const e = this.entry(id.connector);
      if (!e.taskConfigs || id.task < 0 || id.task >= e.taskConfigs.length) throw new NotFoundException(`Task ${id.connector}-${id.task} not found`);
      if (!this.ownsTask(id)) throw new RestError(409, STALE_CONFIG_MESSAGE);
      if (!(await this.restartTaskHere(id))) throw new ConnectException(`Failed to start task: ${id.connector}-${id.task}`);
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'PAUSED');
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STARTED');
  }

  /** Any worker writes target states directly (no forwarding, as in Kafka). */
  private async setTargetState(name: string, state: TargetState): Promise<void> {
    if (!this.deps.configStore.get(name)) throw new NotFoundException(`Unknown connector ${name}`);
    await this.deps.configStore.putTargetState(name, state);
  }

  stopConnector(name: string): Promise<void> {
    return this.serialized(async () => {
      this.requireLeader();
      if (!this.deps.configStore.get(name)) throw new ConnectException(`No connector \`${name}\` configured`);
      await this.deps.configStore.putTaskConfigs(name, []);
      await this.deps.configStore.putTargetState(name, 'STOPPED');
    });
  }

  /** Leader: task configs generated on the worker running the connector (internal REST endpoint). */
  async putTaskConfigs(connector: string, configs: Record<string, string>[]): Promise<void> {
    this.requireLeader();
    if (!this.deps.configStore.get(connector)) throw new NotFoundException(`Connector ${connector} not found`);
    await this.deps.configStore.putTaskConfigs(connector, configs);
  }

  alterConnectorOffsets(name: string, request: ConnectorOffsets): Promise<{ message: string }> {
    return this.serialized(async () => {
      this.requireLeader();
      return this.doAlterConnectorOffsets(name, request);
    });
  }

  resetConnectorOffsets(name: string): Promise<{ message: string }> {
    return this.serialized(async () => {
      this.requireLeader();
      return this.doResetConnectorOffsets(name);
    });
  }

  // ---- for config-updates.ts ----

  get configs(): KafkaConfigStore {
    return this.deps.configStore;
  }
  get statusWriter(): StatusWriter {
    return this.statuses;
  }
  get workerRef() {
    return this.deps.worker;
  }
  get logger() {
    return this.deps.logger;
  }
  statusOf(name: string): ConnectorStateInfo | null {
    try {
      return this.connectorStatus(name);
    } catch {
      return null;
    }
  }
}
