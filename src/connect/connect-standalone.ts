/**
 * The composition root of a standalone worker (like Kafka's `ConnectStandalone`): worker config -> plugins,
 * topic backend (the embedded log, or Kafka with `bootstrap.servers`), stores, worker, herder and REST server.
 */
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { builtinPlugins } from '../plugins.js';
import { mlRestExtension } from '../../ml-sinks/rest.js';
import { consoleRestExtension } from '../console/rest.js';
import { StandaloneHerder } from './herder/standalone-herder.js';
import type { Herder, TargetState } from './herder/types.js';
import { createConfigValidation } from './herder/config-validation.js';
import { type Logging, configureLogging } from './logging.js';
import type { ConnectorFile } from './properties.js';
import { createRestServer } from './rest/server.js';
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
  props: Record<string, string>,
  connectors: ConnectorFile[] = [],
  logging: Logging = configureLogging({ level: props['log.level'] }),
): Promise<StandaloneWorker> {
  const logger = logging.getLogger('org.apache.kafka.connect.runtime');
  const config = WorkerConfig.parse(props);
  const registry = new PluginRegistry().register(...builtinPlugins());
  const loaded = await registry.loadPluginPath(config.parsed.getList('plugin.path'));
  if (loaded.length > 0) logger.info({ plugins: loaded }, 'Loaded plugins from plugin.path');

  const listener = await resolveListener(config.parsed.getList('listeners')[0] ?? 'http://:8083');
  const advertisedHost = config.parsed.getString('rest.advertised.host.name') ?? (listener.host || defaultHost());
  const advertisedPort = config.parsed.getInt('rest.advertised.port') ?? listener.port;
  const workerId = `${advertisedHost}:${advertisedPort}`;

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
  });
  const herder = new StandaloneHerder({
    worker,
    registry,
    configStore,
    statusStore,
    offsetStore,
    backend,
    validation: createConfigValidation(registry, { workerProps: props, distributed: false }),
    logger,
    version: VERSION,
    commit: COMMIT,
    topicTrackingEnabled: config.parsed.getBoolean('topic.tracking.enable'),
    topicTrackingAllowReset: config.parsed.getBoolean('topic.tracking.allow.reset'),
  });

  const rest = createRestServer({
    herder,
    logging,
    listeners: `http://${listener.host}:${listener.port}`,
    'rest.advertised.host.name': advertisedHost,
    'rest.advertised.port': advertisedPort,
    extensions: [mlRestExtension, ...(config.parsed.getBoolean(WorkerConfigKeys.UI_ENABLE) ? [consoleRestExtension({ backend })] : [])],
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

/** Host and a concrete port for `http://host:port` (port 0 = a free port, chosen now so the worker id is known). */
export async function resolveListener(listener: string): Promise<{ host: string; port: number }> {
  const m = /^https?:\/\/([^:/]*|\[[^\]]*\]):(\d+)\/?$/.exec(listener.trim());
  if (!m) throw new Error(`Invalid listener ${listener}: expected http://host:port`);
  const host = m[1]!;
  let port = Number(m[2]);
  if (port === 0) port = await freePort(host || '0.0.0.0');
  return { host, port };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function defaultHost(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return 'localhost';
}
