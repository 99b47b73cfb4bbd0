/**
 * Connector configs, task configs and target states in `config.storage.topic` (Kafka's
 * `KafkaConfigBackingStore`, spec §5.2). One partition, so every worker applies the records in the same
 * order. Record keys are plain strings, values the schemaless JSON of JsonConverter:
 *
 *   connector-<c>          {"properties":{...}}                      tombstone = deleted
 *   task-<c>-<n>           {"properties":{...}}                      held back until the commit record
 *   commit-<c>             {"tasks":N}                               applies task-<c>-0..N-1 at once
 *   target-state-<c>       {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}
 *   restart-connector-<c>  {"include-tasks":bool,"only-failed":bool}
 *   session-key, logger-cluster-<ns>, tasks-fencing-<c>: read and kept, not acted upon here
 *
 * Writes go to the topic and resolve once they have been read back, so the state seen by the writer is
 * the state every other worker sees (nothing is applied locally first).
 */
import type { Logger } from 'pino';
import type { RestartRequest, TargetState } from '../../herder/types.js';
import type { ConfigBackingStore, ConnectorEntry } from '../config-store.js';
import { parseJsonText, toJsonText } from '../json-text.js';
import { KafkaBasedLog, type LogRecord } from './kafka-based-log.js';
import type { KafkaStoreOptions } from './kafka-offset-store.js';

/** What changed, for the distributed herder (Kafka's `ConfigBackingStore.UpdateListener`). */
export interface ConfigUpdateListener {
  onConnectorConfigUpdate(connector: string): void;
  onConnectorConfigRemove(connector: string): void;
  onTaskConfigUpdate(connector: string): void;
  onTargetStateChange(connector: string): void;
  onRestartRequest(connector: string, request: RestartRequest): void;
}

const TARGET_STATES = new Set<TargetState>(['STARTED', 'PAUSED', 'STOPPED']);

export class KafkaConfigStore implements ConfigBackingStore {
  readonly log: KafkaBasedLog;
  private readonly configs = new Map<string, Record<string, string>>();
  private readonly targetStates = new Map<string, TargetState>();
  private readonly taskConfigs = new Map<string, Record<string, string>[]>();
  /** Task records waiting for their commit record. */
  private readonly deferred = new Map<string, Map<number, Record<string, string>>>();
  /** Other records (session-key, logger-cluster-*, ...): latest value by key, kept for completeness. */
  readonly otherRecords = new Map<string, unknown>();
  private lastOffset = -1;
  private readonly logger?: Logger;
  listener: ConfigUpdateListener | null = null;

  constructor(options: KafkaStoreOptions) {
    this.logger = options.log;
    this.log = new KafkaBasedLog({ ...options, topicKey: 'config.storage.topic', singlePartition: true, onRecord: (r) => this.apply(r) });
  }

  /** Offset after the last record applied (-1 before any): the `config-offset` of the group protocol. */
  get offset(): number {
    return this.lastOffset;
  }

  start(): Promise<void> {
    return this.log.start();
  }
  stop(): Promise<void> {
    return this.log.stop();
  }
  readToEnd(): Promise<void> {
    return this.log.readToEnd();
  }

  connectors(): string[] {
    return [...this.configs.keys()].sort();
  }

  get(name: string): ConnectorEntry | undefined {
    const config = this.configs.get(name);
    if (!config) return undefined;
    return { config, targetState: this.targetStates.get(name) ?? 'STARTED', taskConfigs: this.taskConfigs.get(name) ?? null };
  }

  async putConnectorConfig(name: string, config: Record<string, string>, targetState?: TargetState): Promise<void> {
    const records = [];
    if (targetState) records.push(targetStateRecord(name, targetState));
    records.push(record(`connector-${name}`, { properties: config }));
    await this.write(records);
  }

  async removeConnector(name: string): Promise<void> {
    await this.write([record(`connector-${name}`, null), record(`target-state-${name}`, null)]);
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.write([targetStateRecord(name, state)]);
  }

  async putTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void> {
    const records = configs.map((properties, n) => record(`task-${name}-${n}`, { properties }));
    records.push(record(`commit-${name}`, { tasks: configs.length }));
    await this.write(records);
  }

  async putRestartRequest(name: string, request: RestartRequest): Promise<void> {
    await this.write([record(`restart-connector-${name}`, { 'include-tasks': request.includeTasks, 'only-failed': request.onlyFailed })]);
  }

  private async write(records: { key: Buffer; value: Buffer | null }[]): Promise<void> {
    await this.log.send(records.map((r) => ({ ...r, partition: 0 })));
    await this.log.readToEnd();
  }

  private apply(r: LogRecord): void {
    this.lastOffset = r.offset + 1;
    if (r.key === null) return;
    const key = r.key.toString('utf8');
    let value: Record<string, unknown> | null = null;
    if (r.value !== null) {
      const parsed = parseJsonText(r.value.toString('utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        this.logger?.error({ key }, 'Ignoring config record whose value is not a JSON object');
        return;
      }
      value = parsed as Record<string, unknown>;
    }
    let m: RegExpExecArray | null;
    if (key.startsWith('connector-')) this.applyConnector(key.slice('connector-'.length), value);
    else if ((m = /^task-(.*)-(\d+)$/.exec(key))) this.applyTask(m[1]!, Number(m[2]), value);
    else if (key.startsWith('commit-')) this.applyCommit(key.slice('commit-'.length), value);
    else if (key.startsWith('target-state-')) this.applyTargetState(key.slice('target-state-'.length), value);
    else if (key.startsWith('restart-connector-')) this.applyRestart(key.slice('restart-connector-'.length), value);
    else if (value === null) this.otherRecords.delete(key);
    else this.otherRecords.set(key, value);
  }

  private applyConnector(name: string, value: Record<string, unknown> | null): void {
    if (value === null) {
      const existed = this.configs.delete(name);
      this.targetStates.delete(name);
      this.taskConfigs.delete(name);
      this.deferred.delete(name);
      if (existed) this.listener?.onConnectorConfigRemove(name);
      return;
    }
    const props = stringMap(value['properties']);
    if (!props) {
      this.logger?.error({ connector: name }, 'Ignoring connector config record without properties');
      return;
    }
    this.configs.set(name, props);
    if (!this.targetStates.has(name)) this.targetStates.set(name, 'STARTED');
    this.listener?.onConnectorConfigUpdate(name);
  }

  private applyTask(name: string, task: number, value: Record<string, unknown> | null): void {
    if (value === null) return; // task configs are never deleted one by one
    const props = stringMap(value['properties']);
    if (!props) return;
    let d = this.deferred.get(name);
    if (!d) this.deferred.set(name, (d = new Map()));
    d.set(task, props);
  }

  private applyCommit(name: string, value: Record<string, unknown> | null): void {
    if (value === null) return;
    const count = Number(value['tasks']);
    if (!Number.isInteger(count) || count < 0) return;
    const d = this.deferred.get(name) ?? new Map<number, Record<string, string>>();
    this.deferred.delete(name);
    const configs: Record<string, string>[] = [];
    for (let n = 0; n < count; n++) {
      const c = d.get(n);
      if (!c) {
        // Kafka marks the connector inconsistent and waits for a complete set; keep the previous one.
        this.logger?.error({ connector: name, tasks: count }, 'Commit record for an incomplete set of task configs; ignored');
        return;
      }
      configs.push(c);
    }
    this.taskConfigs.set(name, configs);
    this.listener?.onTaskConfigUpdate(name);
  }

  private applyTargetState(name: string, value: Record<string, unknown> | null): void {
    if (value === null) {
      this.targetStates.delete(name);
      return;
    }
    const v2 = value['state.v2'];
    const v1 = value['state'];
    const state = (typeof v2 === 'string' ? v2 : v1) as TargetState;
    if (!TARGET_STATES.has(state)) {
      this.logger?.error({ connector: name, value }, 'Ignoring target state record with an unknown state');
      return;
    }
    this.targetStates.set(name, state);
    this.listener?.onTargetStateChange(name);
  }

  private applyRestart(name: string, value: Record<string, unknown> | null): void {
    if (value === null) return;
    this.listener?.onRestartRequest(name, { includeTasks: value['include-tasks'] === true, onlyFailed: value['only-failed'] === true });
  }
}

function record(key: string, value: unknown): { key: Buffer; value: Buffer | null } {
  return { key: Buffer.from(key, 'utf8'), value: value === null ? null : Buffer.from(toJsonText(value), 'utf8') };
}

/** STOPPED is written as `state: PAUSED` for workers that predate KIP-875. */
function targetStateRecord(name: string, state: TargetState): { key: Buffer; value: Buffer | null } {
  return record(`target-state-${name}`, { state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state });
}

function stringMap(v: unknown): Record<string, string> | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null || x === undefined) continue;
    out[k] = typeof x === 'string' ? x : String(x);
  }
  return out;
}
