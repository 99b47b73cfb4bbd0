/**
 * The composition root of a standalone worker (like Kafka's `ConnectStandalone`): worker config -> plugins,
 * topic backend (the embedded log, or Kafka with `bootstrap.servers`), stores, worker, herder and REST server.
 */
import { builtinPlugins } from '../plugins.js';
import { mlRestExtension } from '../../ml-sinks/rest.js';
import { consoleRestExtension } from '../console/rest.js';
import { metricsRestExtension } from '../monitoring/rest.js';
import { StandaloneHerder } from './herder/standalone-herder.js';
import type { Herder, TargetState } from './herder/types.js';
import { createConfigValidation } from './herder/config-validation.js';
import { type Logging, configureLogging } from './logging.js';
import type { ConnectorFile } from './properties.js';
import { createRestServer } from './rest/server.js';
import { planWorkerRest } from './rest/worker-rest.js';
import { resolveWorkerConfig, validationTransform } from './config-providers/worker-providers.js';
import { PluginRegistry } from './runtime/plugins.js';
import { Worker } from './runtime/worker.js';
import { WorkerConfig, WorkerConfigKeys } from './runtime/worker-config.js';
import { FileConfigStore } from './storage/config-store.js';
import { FileOffsetStore } from './storage/offset-store.js';
import { MemoryStatusStore } from './storage/status-store.js';
import { createTopicBackend } from './topics/backend.js';
import type { TopicBackend } from './topics/types.js';
import { VERSION, COMMIT } from '../version.js';

export interface StandaloneWorker {
  herder: Herder;
  /** Where this worker's topics live (the embedded log or Kafka). */
  backend: TopicBackend;
  registry: PluginRegistry;
  /** Base URL of the REST API, e.g. `http://127.0.0.1:8083`. */
  url: string;
  stop(): Promise<void>;
}

export async function startStandalone(
  rawProps: Record<string, string>,
  connectors: ConnectorFile[] = [],
  logging: Logging = configureLogging({ level: rawProps['log.level'] }),
): Promise<StandaloneWorker> {
  const logger = logging.getLogger('org.apache.kafka.connect.runtime');
  // Config providers (`${file:...}`) resolve the worker config now, connector configs when they start.
  const { props, transformer } = resolveWorkerConfig(rawProps);
  const config = WorkerConfig.parse(props);
  const registry = new PluginRegistry().register(...builtinPlugins());
  const loaded = await registry.loadPluginPath(config.parsed.getList('plugin.path'));
  if (loaded.length > 0) logger.info({ plugins: loaded }, 'Loaded plugins from plugin.path');

  const restPlan = await planWorkerRest(props, logging.getLogger('org.apache.kafka.connect.rest.basic.auth.extension'));
  const workerId = restPlan.workerId;

  const backend = createTopicBackend(config, logger);
  await backend.start();
  const offsetStore = new FileOffsetStore(config.offsetFile);
  await offsetStore.start();
  const configStore = new FileConfigStore(config.configFile);
  await configStore.start();
  const statusStore = new MemoryStatusStore();

  const worker = new Worker({
    workerId,
    config,
    registry,
    backend,
    offsetStore,
    logger,
    onTopicUsed: (connector, topic) => statusStore.addActiveTopic(connector, topic),
    configTransformer: transformer,
  });
  const herder = new StandaloneHerder({
    worker,
    registry,
    configStore,
    statusStore,
    offsetStore,
    backend,
    validation: createConfigValidation(registry, {
      workerProps: props,
      distributed: false,
      transformConfig: transformer ? validationTransform(transformer) : undefined,
    }),
    logger,
    version: VERSION,
    commit: COMMIT,
    topicTrackingEnabled: config.parsed.getBoolean('topic.tracking.enable'),
    topicTrackingAllowReset: config.parsed.getBoolean('topic.tracking.allow.reset'),
  });

  const rest = createRestServer({
    herder,
    logging,
    ...restPlan.serverOptions,
    extensions: [
      mlRestExtension,
      metricsRestExtension(worker),
      ...(config.parsed.getBoolean(WorkerConfigKeys.UI_ENABLE) ? [consoleRestExtension({ backend, metrics: worker.metrics, resolveConfig: (c) => worker.resolveConfig(c) })] : []),
    ],
  });
  const { url } = await rest.start();
  await herder.start();
  for (const c of connectors) {
    const initialState: TargetState | undefined =
      c.initialState === 'RUNNING' ? 'STARTED' : c.initialState === 'PAUSED' ? 'PAUSED' : c.initialState === 'STOPPED' ? 'STOPPED' : undefined;
    await herder.putConnectorConfig(c.name, c.config, { allowReplace: true, initialState });
  }
  logger.info({ url, workerId, backend: backend.kind }, 'Kafka Connect started');

  return {
    herder,
    backend,
    registry,
    url,
    async stop() {
      await rest.stop();
      await herder.stop();
      await offsetStore.stop();
      await configStore.stop();
      await backend.close();
    },
  };
}
