/**
 * The Worker runs connector and task instances on this process (Kafka's `Worker`): it builds each task's
 * converters, transformation chain, error handling and topic clients from the connector config and the worker
 * config, starts and stops them, and passes target-state changes on. Which connectors and tasks run here is
 * the herder's decision.
 */
import type { Logger } from 'pino';
import { type Connector, SinkConnector, type SinkTask, SourceConnector, type SourceTask } from '../api/connector.js';
import type { Converter, HeaderConverter } from '../api/converter.js';
import type { PluginInstance, PluginType } from '../api/plugin.js';
import { ConnectException } from '../errors.js';
import { ConfigTransformer } from '../config-providers/config-transformer.js';
import { maskConfig, passwordKeys } from '../config-providers/masking.js';
import type { ConnectorTaskId, ConnectorType, TargetState } from '../herder/types.js';
import type { ConnectMetrics } from '../metrics/connect-metrics.js';
import { type TaskInstruments, WorkerInstruments, countedReporter } from '../metrics/worker-instruments.js';
import type { OffsetBackingStore } from '../storage/offset-store.js';
import type { TopicBackend } from '../topics/types.js';
import { DeadLetterQueueReporter, LogReporter } from './errors/reporters.js';
import { type ErrorReporter, RetryWithToleranceOperator } from './errors/retry-with-tolerance.js';
import type { PluginRegistry } from './plugins.js';
import type { ConverterSet } from './record-conversion.js';
import { TopicCreator } from './topic-creation.js';
import { transformationStages } from './connector-config.js';
import { TransformationChain } from './transformation-chain.js';
import type { WorkerConfig } from './worker-config.js';
import { type ConnectorStatusListener, WorkerConnector } from './worker-connector.js';
import { WorkerSinkTask } from './worker-sink-task.js';
import { WorkerSourceTask } from './worker-source-task.js';
import type { TaskStatusListener, WorkerTask } from './worker-task.js';

export interface WorkerDeps {
  workerId: string;
  config: WorkerConfig;
  registry: PluginRegistry;
  backend: TopicBackend;
  offsetStore: OffsetBackingStore;
  logger: Logger;
  /** Topic tracking (`GET /connectors/{c}/topics`). */
  onTopicUsed(connector: string, topic: string): void;
  /** This worker's metrics registry (`GET /metrics`); one is made when absent. */
  metrics?: ConnectMetrics;
  /** Config providers: connector and task configs are resolved when they start (absent: none configured). */
  configTransformer?: ConfigTransformer | null;
}

export function taskKey(id: ConnectorTaskId): string {
  return `${id.connector}-${id.task}`;
}

export class Worker {
  private readonly connectors = new Map<string, WorkerConnector>();
  private readonly tasks = new Map<string, WorkerTask>();
  private readonly instruments: WorkerInstruments;

  constructor(readonly deps: WorkerDeps) {
    this.instruments = new WorkerInstruments(deps.metrics, deps.config.originals, () => this.connectors.size, (key) => this.tasks.has(key));
  }

  /** This worker's metrics registry (`GET /metrics`). */
  get metrics(): ConnectMetrics {
    return this.instruments.metrics;
  }

  get workerId(): string {
    return this.deps.workerId;
  }

  /** A throwaway instance of the connector class (type lookups, validation). */
  newConnector(config: Record<string, string>): Connector {
    const cls = config['connector.class'];
    if (!cls) throw new ConnectException('Connector config contains no connector type');
    return this.deps.registry.create<Connector>(cls, 'source', 'sink');
  }

  /** source, sink or unknown; known from the plugin's descriptor, without creating an instance. */
  connectorType(config: Record<string, string>): ConnectorType {
    const d = this.deps.registry.findOfType(config['connector.class'] ?? '', 'source', 'sink');
    return d?.type === 'sink' ? 'sink' : d?.type === 'source' ? 'source' : 'unknown';
  }

  isRunning(name: string): boolean {
    return this.connectors.has(name);
  }

  async startConnector(
    name: string,
    config: Record<string, string>,
    targetState: TargetState,
    listener: ConnectorStatusListener,
    requestTaskReconfiguration: () => void,
  ): Promise<boolean> {
    if (this.connectors.has(name)) throw new ConnectException(`Connector with name ${name} already exists`);
    let connector: Connector;
    let resolved: Record<string, string>;
    try {
      connector = this.newConnector(config);
      this.deps.logger.info({ connector: name, config: maskConfig(config, passwordKeys(connector.config())) }, 'Creating connector');
      resolved = this.resolveConfig(config);
    } catch (e) {
      this.instruments.connectorStartup(false);
      listener.onFailure(name, e);
      return false;
    }
    this.instruments.connectorCreated(name, { type: this.connectorType(config), className: this.deps.registry.find(config['connector.class'] ?? '')?.className ?? '', version: safeVersion(connector) });
    const wc = new WorkerConnector(
      name,
      connector,
      resolved,
      { requestTaskReconfiguration, raiseError: () => undefined },
      targetState,
      this.instruments.connectorListener(listener),
      this.deps.logger.child({ connector: name }),
    );
    this.connectors.set(name, wc);
    const started = await wc.start();
    this.instruments.connectorStartup(started);
    return started;
  }

  /**
   * A connector or task config with its `${provider:path:key}` variables resolved (throws when one is missing):
   * what connectors and tasks start with, and what worker-side helpers that connect with a connector's
   * settings use (the console's and the metrics' slot probes). Never shown over REST.
   */
  resolveConfig(config: Record<string, string>): Record<string, string> {
    return this.deps.configTransformer ? this.deps.configTransformer.transform(config, true) : config;
  }

  /** Task configs from the running connector, with `task.class` and (sinks) `topics`/`topics.regex` added. */
  async connectorTaskConfigs(name: string, config: Record<string, string>): Promise<Record<string, string>[]> {
    const wc = this.connectors.get(name);
    if (!wc) throw new ConnectException(`Connector ${name} is not running on this worker`);
    const maxTasks = Number(config['tasks.max'] ?? '1');
    const configs = await wc.taskConfigs(maxTasks);
    const TaskClass = wc.connector.taskClass();
    const taskClass = TaskClass.className ?? TaskClass.name;
    // Values the connector copied from provider-resolved keys go back to their variables before storage.
    return ConfigTransformer.reverseTransform(config, configs).map((c) => {
      const out: Record<string, string> = { ...c, 'task.class': taskClass };
      if (wc.connector instanceof SinkConnector) {
        if (config['topics'] !== undefined) out['topics'] = config['topics'];
        if (config['topics.regex'] !== undefined) out['topics.regex'] = config['topics.regex'];
      }
      return out;
    });
  }

  async setConnectorTargetState(name: string, state: TargetState): Promise<void> {
    await this.connectors.get(name)?.transitionTo(state);
    for (const [key, task] of this.tasks) if (key.startsWith(`${name}-`) && task.id.connector === name) task.transitionTo(state);
  }

  async stopConnector(name: string): Promise<void> {
    const wc = this.connectors.get(name);
    if (!wc) return;
    this.connectors.delete(name);
    try {
      await wc.shutdown();
    } finally {
      this.instruments.connectorRemoved(name);
    }
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()];
  }

  taskIds(connector?: string): ConnectorTaskId[] {
    return [...this.tasks.values()].map((t) => t.id).filter((id) => connector === undefined || id.connector === connector);
  }

  /** Builds and starts a task; resolves false (after reporting FAILED) when it cannot be built. */
  startTask(
    id: ConnectorTaskId,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    targetState: TargetState,
    listener: TaskStatusListener,
  ): boolean {
    const key = taskKey(id);
    if (this.tasks.has(key)) throw new ConnectException(`Task already exists in this worker: ${key}`);
    let task: WorkerTask;
    const instruments = this.instruments.taskStarting(id);
    try {
      const connector = this.newConnector(connectorConfig);
      this.deps.logger.info({ task: key, config: maskConfig(taskConfig, passwordKeys(connector.config())) }, 'Creating task');
      task = this.buildTask(id, connector, this.resolveConfig(connectorConfig), this.resolveConfig(taskConfig), targetState, instruments.listener(listener), instruments);
    } catch (e) {
      this.deps.logger.error({ err: e, task: key }, 'Failed to start task');
      this.instruments.taskStartup(id, false);
      listener.onFailure(id, e);
      return false;
    }
    this.tasks.set(key, task);
    this.instruments.taskStartup(id, true);
    task.start();
    return true;
  }

  private buildTask(
    id: ConnectorTaskId,
    connector: Connector,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    targetState: TargetState,
    listener: TaskStatusListener,
    instruments: TaskInstruments,
  ): WorkerTask {
    const { registry, backend, config } = this.deps;
    const logger = this.deps.logger.child({ connector: id.connector, task: id.task });
    const converters = this.converters(connectorConfig);
    const errors = this.errorOperator(id, connectorConfig, connector instanceof SinkConnector, logger, instruments);
    const chain = new TransformationChain(transformationStages(registry, connectorConfig), errors);
    const topicCreator = new TopicCreator(backend, config.parsed.getBoolean('topic.creation.enable'), connectorConfig);
    const onTopicUsed = (topic: string) => this.deps.onTopicUsed(id.connector, topic);
    const TaskClass = connector.taskClass();
    if (connector instanceof SourceConnector) {
      return new WorkerSourceTask({
        id,
        task: new TaskClass() as SourceTask,
        taskConfig,
        initialState: targetState,
        converters,
        chain,
        errors,
        producer: backend.producer({ clientId: `connector-producer-${id.connector}-${id.task}`, properties: this.clientProperties('producer', connectorConfig) }),
        topicCreator,
        offsetStore: this.deps.offsetStore,
        offsetFlushIntervalMs: config.offsetFlushIntervalMs,
        offsetFlushTimeoutMs: config.offsetFlushTimeoutMs,
        onTopicUsed,
        listener,
        logger,
        taskMetrics: instruments.task,
        sourceMetrics: instruments.source(),
        pluginMetrics: instruments.plugin,
      });
    }
    const groupId = connectorConfig['consumer.override.group.id'] ?? `connect-${id.connector}`;
    const regex = connectorConfig['topics.regex']?.trim();
    const subscription = regex ? new RegExp(`^(?:${regex})$`) : (connectorConfig['topics'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return new WorkerSinkTask({
      id,
      task: new TaskClass() as SinkTask,
      taskConfig,
      initialState: targetState,
      converters,
      outputConverters: this.converters(connectorConfig, 'output.'),
      chain,
      errors,
      consumer: backend.consumer(groupId, { clientId: `connector-consumer-${id.connector}-${id.task}`, properties: this.clientProperties('consumer', connectorConfig) }),
      subscription,
      producer: () => backend.producer({ clientId: `connector-producer-${id.connector}-${id.task}`, properties: this.clientProperties('producer', connectorConfig) }),
      topicCreator,
      onTopicUsed,
      offsetFlushIntervalMs: config.offsetFlushIntervalMs,
      listener,
      logger,
      taskMetrics: instruments.task,
      sinkMetrics: instruments.sink(),
      pluginMetrics: instruments.plugin,
    });
  }

  /** Worker `<client>.*` keys overridden by the connector's `<client>.override.*`. */
  private clientProperties(client: 'producer' | 'consumer' | 'admin', connectorConfig: Record<string, string>): Record<string, string> {
    const out = this.deps.config.clientProperties(`${client}.`);
    const prefix = `${client}.override.`;
    for (const [k, v] of Object.entries(connectorConfig)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }

  /**
   * Key, value and header converters: the connector's if it names a class, else the worker's (each with the
   * `<which>.converter.*` keys of the config the class came from). With `prefix` (sinks' `output.`), a
   * `<prefix><which>.converter` in the connector config wins, else the plain one applies.
   */
  converters(connectorConfig: Record<string, string>, prefix = ''): ConverterSet {
    const registry = this.deps.registry;
    const make = <T>(which: 'key' | 'value' | 'header', types: PluginType[], configure: (c: T, props: Record<string, string>) => void) => {
      let classKey = `${prefix}${which}.converter`;
      if (connectorConfig[classKey] === undefined) classKey = `${which}.converter`;
      const fromConnector = connectorConfig[classKey] !== undefined;
      const source: Record<string, string | undefined> = fromConnector ? connectorConfig : this.deps.config.originals;
      const cls = (source[classKey] ?? (which === 'header' ? 'org.apache.kafka.connect.storage.SimpleHeaderConverter' : undefined))?.trim();
      if (!cls) throw new ConnectException(`Missing required configuration "${classKey}" which has no default value.`);
      const props: Record<string, string> = { 'converter.type': which };
      for (const [k, v] of Object.entries(source)) if (v !== undefined && k.startsWith(`${classKey}.`)) props[k.slice(classKey.length + 1)] = v;
      const instance = registry.create<T & PluginInstance>(cls, ...types);
      configure(instance, props);
      return { instance, className: registry.find(cls)!.className };
    };
    const key = make<Converter>('key', ['converter'], (c, p) => c.configure(p, true));
    const value = make<Converter>('value', ['converter'], (c, p) => c.configure(p, false));
    const header = make<HeaderConverter>('header', ['header_converter', 'converter'], (c, p) => c.configure(p));
    return {
      key: key.instance,
      keyClass: key.className,
      value: value.instance,
      valueClass: value.className,
      header: header.instance,
      headerClass: header.className,
    };
  }

  private errorOperator(id: ConnectorTaskId, config: Record<string, string>, sink: boolean, logger: Logger, instruments: TaskInstruments): RetryWithToleranceOperator {
    const bool = (k: string) => (config[k] ?? 'false').trim().toLowerCase() === 'true';
    const reporters: ErrorReporter[] = [];
    const counts = instruments.errors;
    if (bool('errors.log.enable')) {
      reporters.push(countedReporter(new LogReporter(logger, taskKey(id), bool('errors.log.include.messages')), () => counts.errorsLogged++, () => undefined));
    }
    const dlq = config['errors.deadletterqueue.topic.name']?.trim();
    if (sink && dlq) {
      reporters.push(
        countedReporter(new DeadLetterQueueReporter(this.deps.backend, this.deps.backend.producer({ clientId: `connector-dlq-producer-${taskKey(id)}`, properties: this.clientProperties('producer', config) }), {
          topic: dlq,
          replicationFactor: Number(config['errors.deadletterqueue.topic.replication.factor'] ?? '3'),
          contextHeadersEnable: bool('errors.deadletterqueue.context.headers.enable'),
          connector: id.connector,
          task: id.task,
        }), (ctx) => {
          if (ctx.consumerRecord) counts.dlqProduceRequests++;
        }, () => counts.dlqProduceFailures++),
      );
    }
    const operator = new RetryWithToleranceOperator(
      {
        retryTimeoutMs: Number(config['errors.retry.timeout'] ?? '0'),
        retryDelayMaxMs: Number(config['errors.retry.delay.max.ms'] ?? '60000'),
        tolerance: (config['errors.tolerance'] ?? 'none').trim().toLowerCase() === 'all' ? 'all' : 'none',
      },
      reporters,
    );
    operator.metrics = counts;
    return operator;
  }

  /** Stops tasks in parallel, waiting up to `task.shutdown.graceful.timeout.ms` for them. */
  async stopTasks(ids: ConnectorTaskId[]): Promise<void> {
    const stopping = ids.map((id) => this.tasks.get(taskKey(id))).filter((t): t is WorkerTask => t !== undefined);
    for (const t of stopping) t.stop();
    await Promise.all(
      stopping.map(async (t) => {
        const ok = await t.awaitStop(this.deps.config.taskShutdownTimeoutMs);
        if (!ok) this.deps.logger.error({ task: taskKey(t.id) }, 'Graceful stop of task failed: it did not stop in time');
        this.tasks.delete(taskKey(t.id));
        this.instruments.taskRemoved(t.id);
      }),
    );
  }

  async stop(): Promise<void> {
    await this.stopTasks(this.taskIds());
    for (const name of this.connectorNames()) await this.stopConnector(name);
    this.instruments.close();
  }
}

function safeVersion(connector: Connector): string {
  try {
    return connector.version();
  } catch {
    return 'unknown';
  }
}


