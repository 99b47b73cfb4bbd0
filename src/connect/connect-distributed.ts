/**
 * The composition root of a distributed worker (like Kafka's `ConnectDistributed`): worker config -> plugins,
 * the Kafka topic backend, the three Kafka-backed stores, the worker, the distributed herder, and the REST
 * server with request forwarding.
 */
import { builtinPlugins } from '../plugins.js';
import { mlRestExtension } from '../../ml-sinks/rest.js';
import { defaultHost, resolveListener } from './connect-standalone.js';
import { createConfigValidation } from './herder/config-validation.js';
import { DistributedHerder } from './herder/distributed/distributed-herder.js';
import { forwardingExtension } from './herder/distributed/rest-forwarding.js';
import type { Herder } from './herder/types.js';
import { type Logging, configureLogging } from './logging.js';
import { createRestServer } from './rest/server.js';
import { PluginRegistry } from './runtime/plugins.js';
import { Worker } from './runtime/worker.js';
import { WorkerConfig, WorkerConfigKeys as K } from './runtime/worker-config.js';
import { ConfigException } from './errors.js';
import { clusterOf } from './storage/kafka/kafkajs-internals.js';
import { createKafkaStores, kafkaClientFor } from './storage/kafka/kafka-stores.js';
import { KafkaTopicBackend } from './topics/kafka/backend.js';
import { VERSION, COMMIT } from '../version.js';

export interface DistributedWorker {
  herder: Herder;
  backend: KafkaTopicBackend;
  registry: PluginRegistry;
  /** Base URL of the REST API, e.g. `http://127.0.0.1:8083`. */
  url: string;
  workerId: string;
  stop(): Promise<void>;
}

export async function startDistributed(props: Record<string, string>, logging: Logging = configureLogging({ level: props['log.level'] })): Promise<DistributedWorker> {
  const logger = logging.getLogger('org.apache.kafka.connect.runtime.distributed');
  const config = WorkerConfig.parse(props, 'distributed');
  if (config.bootstrapServers.length === 0) {
    throw new ConfigException('bootstrap.servers', '', 'Distributed mode needs a Kafka cluster (bootstrap.servers)');
  }
  const registry = new PluginRegistry().register(...builtinPlugins());
  await registry.loadPluginPath(config.parsed.getList('plugin.path'));

  const listener = await resolveListener(config.parsed.getList('listeners')[0] ?? 'http://:8083');
  const advertisedHost = config.parsed.getString(K.ADVERTISED_HOST) ?? (listener.host || defaultHost());
  const advertisedPort = config.parsed.getInt(K.ADVERTISED_PORT) ?? listener.port;
  const workerId = `${advertisedHost}:${advertisedPort}`;
  const url = `http://${advertisedHost}:${advertisedPort}/`;

  const backend = new KafkaTopicBackend({
    bootstrapServers: config.bootstrapServers.join(','),
    common: config.originals,
    producer: config.clientProperties('producer.'),
    consumer: config.clientProperties('consumer.'),
    admin: config.clientProperties('admin.'),
    log: logger,
  });
  await backend.start();
  const stores = createKafkaStores(props, backend, logger);
  await Promise.all([stores.configs.start(), stores.offsets.start(), stores.statuses.start()]);

  const worker = new Worker({
    workerId,
    config,
    registry,
    backend,
    offsetStore: stores.offsets,
    logger,
    onTopicUsed: (connector, topic) => stores.statuses.addActiveTopic(connector, topic),
  });
  const groupId = config.parsed.getString(K.GROUP_ID)!;
  const herder = new DistributedHerder({
    worker,
    registry,
    configStore: stores.configs,
    statusStore: stores.statuses,
    offsetStore: stores.offsets,
    backend,
    validation: createConfigValidation(registry, { workerProps: props, distributed: true }),
    logger,
    version: VERSION,
    commit: COMMIT,
    topicTrackingEnabled: config.parsed.getBoolean(K.TOPIC_TRACKING_ENABLE),
    topicTrackingAllowReset: config.parsed.getBoolean(K.TOPIC_TRACKING_ALLOW_RESET),
    url,
    cluster: clusterOf(kafkaClientFor(props, `${groupId}-member`)),
    groupId,
    sessionTimeoutMs: config.parsed.getInt(K.SESSION_TIMEOUT_MS)!,
    heartbeatIntervalMs: config.parsed.getInt(K.HEARTBEAT_INTERVAL_MS)!,
    rebalanceTimeoutMs: config.parsed.getInt(K.REBALANCE_TIMEOUT_MS)!,
  });
  if (config.parsed.getString(K.CONNECT_PROTOCOL) !== 'eager') {
    logger.info('connect.protocol: this worker speaks the eager protocol ("default"); the group uses it');
  }

  const rest = createRestServer({
    herder,
    logging,
    listeners: `http://${listener.host}:${listener.port}`,
    'rest.advertised.host.name': advertisedHost,
    'rest.advertised.port': advertisedPort,
    extensions: [forwardingExtension(herder), mlRestExtension],
  });
  const bound = await rest.start();
  await herder.start();
  logger.info({ url: bound.url, workerId, groupId }, 'Kafka Connect distributed worker started');

  return {
    herder,
    backend,
    registry,
    url: bound.url,
    workerId,
    async stop() {
      await rest.stop();
      await herder.stop();
      await Promise.all([stores.configs.stop(), stores.offsets.stop(), stores.statuses.stop()]);
      await backend.close();
    },
  };
}
