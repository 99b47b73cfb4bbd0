/**
 * The composition root of a distributed worker (like Kafka's `ConnectDistributed`): worker config -> plugins,
 * the Kafka topic backend, the three Kafka-backed stores, the worker, the distributed herder, and the REST
 * server with request forwarding.
 */
import { builtinPlugins } from '../plugins.js';
import { mlRestExtension } from '../../ml-sinks/rest.js';
import { metricsRestExtension } from '../monitoring/rest.js';
import { createConfigValidation } from './herder/config-validation.js';
import { DistributedHerder } from './herder/distributed/distributed-herder.js';
import { forwardingExtension } from './herder/distributed/rest-forwarding.js';
import type { Herder } from './herder/types.js';
import { type Logging, configureLogging } from './logging.js';
import { createRestServer } from './rest/server.js';
import { planWorkerRest } from './rest/worker-rest.js';
import { resolveWorkerConfig, validationTransform } from './config-providers/worker-providers.js';
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

export async function startDistributed(rawProps: Record<string, string>, logging: Logging = configureLogging({ level: rawProps['log.level'] })): Promise<DistributedWorker> {
  const logger = logging.getLogger('org.apache.kafka.connect.runtime.distributed');
  // Config providers (`${file:...}`) resolve the worker config now, connector configs when they start.
  const { props, transformer } = resolveWorkerConfig(rawProps);
  const config = WorkerConfig.parse(props, 'distributed');
  if (config.bootstrapServers.length === 0) {
    throw new ConfigException('bootstrap.servers', '', 'Distributed mode needs a Kafka cluster (bootstrap.servers)');
  }
  const registry = new PluginRegistry().register(...builtinPlugins());
  await registry.loadPluginPath(config.parsed.getList('plugin.path'));

  const restPlan = await planWorkerRest(props, logging.getLogger('org.apache.kafka.connect.rest.basic.auth.extension'));
  const { workerId, url } = restPlan;

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
    configTransformer: transformer,
  });
  const groupId = config.parsed.getString(K.GROUP_ID)!;
  const herder = new DistributedHerder({
    worker,
    registry,
    configStore: stores.configs,
    statusStore: stores.statuses,
    offsetStore: stores.offsets,
    backend,
    validation: createConfigValidation(registry, {
      workerProps: props,
      distributed: true,
      transformConfig: transformer ? validationTransform(transformer) : undefined,
    }),
    logger,
    version: VERSION,
    commit: COMMIT,
    topicTrackingEnabled: config.parsed.getBoolean(K.TOPIC_TRACKING_ENABLE),
    topicTrackingAllowReset: config.parsed.getBoolean(K.TOPIC_TRACKING_ALLOW_RESET),
    url,
    restClient: restPlan.client,
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
    ...restPlan.serverOptions,
    extensions: [forwardingExtension(herder, restPlan.client), mlRestExtension, metricsRestExtension(worker)],
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
      restPlan.client.close();
    },
  };
}
