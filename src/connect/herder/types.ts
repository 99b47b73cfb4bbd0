/**
 * The Herder: everything the REST API and the CLI can ask of a worker (cluster management), with the entity
 * shapes of Kafka Connect's REST API. REST resources are thin wrappers over this interface. Errors are
 * thrown as the classes of ../errors.ts (NotFoundException -> 404, AlreadyExistsException -> 409,
 * BadRequestError -> 400, anything else -> 500); see ../rest for the mapping.
 */
import type { PluginType } from '../api/plugin.js';
import { ConnectException } from '../errors.js';

export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';
export type ConnectorType = 'source' | 'sink' | 'unknown';

export interface ConnectorTaskId {
  connector: string;
  task: number;
}
export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: ConnectorTaskId[];
  type: ConnectorType;
}
export interface ConnectorState {
  state: State;
  worker_id: string;
  trace?: string;
}
export interface TaskState {
  id: number;
  state: State;
  worker_id: string;
  trace?: string;
}
export interface ConnectorStateInfo {
  name: string;
  connector: ConnectorState;
  tasks: TaskState[];
  type: ConnectorType;
}
export interface TaskInfo {
  id: ConnectorTaskId;
  config: Record<string, string>;
}
export interface ServerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string;
}
export interface WorkerStatus {
  status: 'healthy' | 'starting' | 'unhealthy';
  message: string;
}
export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}
export interface ConnectorOffsets {
  offsets: ConnectorOffset[];
}
export interface PluginInfo {
  class: string;
  type: PluginType;
  version?: string;
}
export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string | null;
  group: string | null;
  width: string;
  display_name: string | null;
  dependents: string[];
  order: number;
}
export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}
export interface ConfigInfo {
  definition: ConfigKeyInfo | null;
  value: ConfigValueInfo | null;
}
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: ConfigInfo[];
}
export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}
export interface RestartRequest {
  includeTasks: boolean;
  onlyFailed: boolean;
}

/** A 400 with Kafka Connect's message (`BadRequestException`). */
export class BadRequestError extends ConnectException {
  override javaClass = 'org.apache.kafka.connect.runtime.rest.errors.BadRequestException';
  readonly status = 400;
}

/** Any REST error with an explicit status (`ConnectRestException`). */
export class RestError extends ConnectException {
  override javaClass = 'org.apache.kafka.connect.runtime.rest.errors.ConnectRestException';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Herder {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** `<advertised host>:<port>`. */
  readonly workerId: string;
  serverInfo(): Promise<ServerInfo>;
  health(): Promise<{ httpStatus: number; body: WorkerStatus }>;

  connectors(): string[];
  connectorInfo(name: string): Promise<ConnectorInfo>;
  connectorConfig(name: string): Promise<Record<string, string>>;
  /** Create or replace. `allowReplace=false` (POST) makes an existing name a 409. */
  putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;

  connectorStatus(name: string): ConnectorStateInfo;
  taskStatus(id: ConnectorTaskId): TaskState;
  taskConfigs(name: string): Promise<TaskInfo[]>;

  /** Legacy restart (both flags false) resolves null; otherwise the plan (KIP-745). */
  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null>;
  restartTask(id: ConnectorTaskId): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;

  connectorActiveTopics(name: string): string[];
  resetConnectorActiveTopics(name: string): Promise<void>;

  connectorOffsets(name: string): Promise<ConnectorOffsets>;
  alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<{ message: string }>;
  resetConnectorOffsets(name: string): Promise<{ message: string }>;

  validateConnectorConfig(config: Record<string, string | null>): Promise<ConfigInfos>;
  plugins(connectorsOnly: boolean): PluginInfo[];
  pluginConfig(plugin: string): ConfigKeyInfo[];
}
