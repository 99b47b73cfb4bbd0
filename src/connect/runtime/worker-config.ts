/**
 * Worker configuration: Kafka Connect's worker keys (spec §4.1) plus tsconnect's own for the embedded log and
 * standalone persistence. Unknown keys are allowed (Kafka only logs them); `producer.*`, `consumer.*`,
 * `admin.*` pass through to the task clients.
 */
import { dirname, join } from 'node:path';
import { ConfigDef, type ParsedConfig, Validators } from '../api/config-def.js';

export const WorkerConfigKeys = {
  BOOTSTRAP_SERVERS: 'bootstrap.servers',
  KEY_CONVERTER: 'key.converter',
  VALUE_CONVERTER: 'value.converter',
  HEADER_CONVERTER: 'header.converter',
  LISTENERS: 'listeners',
  OFFSET_FILE: 'offset.storage.file.filename',
  OFFSET_FLUSH_INTERVAL_MS: 'offset.flush.interval.ms',
  OFFSET_FLUSH_TIMEOUT_MS: 'offset.flush.timeout.ms',
  TASK_SHUTDOWN_TIMEOUT_MS: 'task.shutdown.graceful.timeout.ms',
  PLUGIN_PATH: 'plugin.path',
  TOPIC_CREATION_ENABLE: 'topic.creation.enable',
  TOPIC_TRACKING_ENABLE: 'topic.tracking.enable',
  TOPIC_TRACKING_ALLOW_RESET: 'topic.tracking.allow.reset',
  ADVERTISED_HOST: 'rest.advertised.host.name',
  ADVERTISED_PORT: 'rest.advertised.port',
  CONFIG_FILE: 'config.storage.file.filename',
  EMBEDDED_LOG_DIR: 'embedded.log.dir',
  EMBEDDED_LOG_FSYNC: 'embedded.log.fsync',
  UI_ENABLE: 'ui.enable',
  LOG_LEVEL: 'log.level',
  ADVERTISED_LISTENER: 'rest.advertised.listener',
  ADMIN_LISTENERS: 'admin.listeners',
  REST_EXTENSION_CLASSES: 'rest.extension.classes',
  JAAS_CONFIG_FILE: 'rest.basic.auth.jaas.config.file',
  CONFIG_PROVIDERS: 'config.providers',
  METRICS_SAMPLE_WINDOW_MS: 'metrics.sample.window.ms',
  METRICS_NUM_SAMPLES: 'metrics.num.samples',
  // distributed mode
  GROUP_ID: 'group.id',
  CONFIG_TOPIC: 'config.storage.topic',
  OFFSET_TOPIC: 'offset.storage.topic',
  STATUS_TOPIC: 'status.storage.topic',
  SESSION_TIMEOUT_MS: 'session.timeout.ms',
  HEARTBEAT_INTERVAL_MS: 'heartbeat.interval.ms',
  REBALANCE_TIMEOUT_MS: 'rebalance.timeout.ms',
  SCHEDULED_REBALANCE_MAX_DELAY_MS: 'scheduled.rebalance.max.delay.ms',
  CONNECT_PROTOCOL: 'connect.protocol',
} as const;

const K = WorkerConfigKeys;

export type WorkerMode = 'standalone' | 'distributed';

export function workerConfigDef(mode: WorkerMode = 'standalone'): ConfigDef {
  const def = baseDef(mode);
  if (mode === 'standalone') return def;
  const replication = (kind: string) => ({
    name: `${kind}.storage.replication.factor`,
    type: 'SHORT' as const,
    defaultValue: 3,
    importance: 'LOW' as const,
    documentation: `Replication factor of the ${kind} storage topic (-1: the broker's default).`,
  });
  return def
    .define({ name: K.GROUP_ID, type: 'STRING', importance: 'HIGH', documentation: 'The Connect cluster this worker belongs to.' })
    .define({ name: K.CONFIG_TOPIC, type: 'STRING', importance: 'HIGH', documentation: 'Topic of connector and task configurations.' })
    .define({ name: K.OFFSET_TOPIC, type: 'STRING', importance: 'HIGH', documentation: 'Topic of source connector offsets.' })
    .define({ name: K.STATUS_TOPIC, type: 'STRING', importance: 'HIGH', documentation: 'Topic of connector and task statuses.' })
    .define(replication('config'))
    .define(replication('offset'))
    .define(replication('status'))
    .define({ name: 'offset.storage.partitions', type: 'INT', defaultValue: 25, importance: 'LOW', documentation: 'Partitions of the offset storage topic.' })
    .define({ name: 'status.storage.partitions', type: 'INT', defaultValue: 5, importance: 'LOW', documentation: 'Partitions of the status storage topic.' })
    .define({ name: K.SESSION_TIMEOUT_MS, type: 'INT', defaultValue: 10000, importance: 'HIGH', documentation: 'Time after which a silent worker leaves the group.' })
    .define({ name: K.HEARTBEAT_INTERVAL_MS, type: 'INT', defaultValue: 3000, importance: 'HIGH', documentation: 'Time between heartbeats to the group coordinator.' })
    .define({ name: K.REBALANCE_TIMEOUT_MS, type: 'INT', defaultValue: 60000, importance: 'HIGH', documentation: 'Time every worker has to rejoin once a rebalance started.' })
    .define({ name: K.SCHEDULED_REBALANCE_MAX_DELAY_MS, type: 'INT', defaultValue: 300000, importance: 'LOW', documentation: 'Incremental cooperative protocol only (not implemented: the eager protocol is used).' })
    .define({
      name: K.CONNECT_PROTOCOL,
      type: 'STRING',
      defaultValue: 'sessioned',
      validator: Validators.in('eager', 'compatible', 'sessioned'),
      importance: 'LOW',
      documentation: 'Accepted for compatibility; this worker speaks the eager protocol, which a mixed group then uses.',
    });
}

function baseDef(mode: WorkerMode): ConfigDef {
  return new ConfigDef()
    .define({ name: K.BOOTSTRAP_SERVERS, type: 'LIST', defaultValue: '', importance: 'HIGH', documentation: 'Kafka brokers. Empty: topics live in the embedded log on this machine.' })
    .define({ name: K.KEY_CONVERTER, type: 'CLASS', importance: 'HIGH', documentation: 'Converter class for record keys.' })
    .define({ name: K.VALUE_CONVERTER, type: 'CLASS', importance: 'HIGH', documentation: 'Converter class for record values.' })
    .define({ name: K.HEADER_CONVERTER, type: 'CLASS', defaultValue: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', importance: 'LOW', documentation: 'HeaderConverter class.' })
    .define({ name: K.LISTENERS, type: 'LIST', defaultValue: 'http://:8083', importance: 'LOW', documentation: 'REST listeners.' })
    .define(
      mode === 'standalone'
        ? { name: K.OFFSET_FILE, type: 'STRING', importance: 'HIGH', documentation: 'File to store source offsets in (standalone).' }
        : { name: K.OFFSET_FILE, type: 'STRING', defaultValue: null, importance: 'LOW', documentation: 'Not used in distributed mode.' },
    )
    .define({ name: K.OFFSET_FLUSH_INTERVAL_MS, type: 'LONG', defaultValue: 60000, importance: 'LOW', documentation: 'Interval at which to try committing offsets for tasks.' })
    .define({ name: K.OFFSET_FLUSH_TIMEOUT_MS, type: 'LONG', defaultValue: 5000, importance: 'LOW', documentation: 'Maximum time to wait for offsets to be flushed.' })
    .define({ name: K.TASK_SHUTDOWN_TIMEOUT_MS, type: 'LONG', defaultValue: 5000, importance: 'LOW', documentation: 'Time to wait for tasks to shut down gracefully.' })
    .define({ name: K.PLUGIN_PATH, type: 'LIST', defaultValue: '', importance: 'LOW', documentation: 'Directories with plugin packages.' })
    .define({ name: K.TOPIC_CREATION_ENABLE, type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Whether source connectors may create topics (KIP-158).' })
    .define({ name: K.TOPIC_TRACKING_ENABLE, type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Track the topics connectors use.' })
    .define({ name: K.TOPIC_TRACKING_ALLOW_RESET, type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Allow resetting tracked topics.' })
    .define({ name: K.ADVERTISED_HOST, type: 'STRING', defaultValue: null, importance: 'LOW', documentation: 'Host name in the worker id and REST URL.' })
    .define({ name: K.ADVERTISED_PORT, type: 'INT', defaultValue: null, importance: 'LOW', documentation: 'Port in the worker id and REST URL.' })
    .define({ name: K.CONFIG_FILE, type: 'STRING', defaultValue: null, importance: 'LOW', documentation: 'File keeping connector configurations across restarts (standalone). Default: beside the offsets file.' })
    .define({ name: K.EMBEDDED_LOG_DIR, type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'Directory of the embedded log. Default: beside the offsets file.' })
    .define({ name: K.EMBEDDED_LOG_FSYNC, type: 'STRING', defaultValue: 'always', validator: Validators.in('always', 'interval', 'never'), importance: 'LOW', documentation: 'When the embedded log fsyncs: before acknowledging each write batch (always), on a timer, or never.' })
    .define({ name: K.UI_ENABLE, type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: 'Serve the web console at /ui (connectors, topics, models).' })
    .define({ name: K.LOG_LEVEL, type: 'STRING', defaultValue: 'INFO', importance: 'LOW', documentation: 'Root log level (TRACE, DEBUG, INFO, WARN, ERROR); TSCONNECT_LOG_LEVEL overrides it. Change levels at run time with PUT /admin/loggers/{logger}.' })
    .define({ name: K.ADVERTISED_LISTENER, type: 'STRING', defaultValue: null, importance: 'LOW', documentation: 'Protocol (http or https) of the advertised URL; by default http when any listener is http.' })
    .define({ name: K.ADMIN_LISTENERS, type: 'LIST', defaultValue: null, importance: 'LOW', documentation: 'Where /admin is served: unset, on the REST listeners; empty, nowhere; a list of listeners (https ones take admin.listeners.https.ssl.*), only there.' })
    .define({ name: K.REST_EXTENSION_CLASSES, type: 'LIST', defaultValue: '', importance: 'LOW', documentation: 'REST extensions; supported: org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension (HTTP basic authentication from a JAAS users file).' })
    .define({ name: K.JAAS_CONFIG_FILE, type: 'STRING', defaultValue: null, importance: 'LOW', documentation: 'The JAAS file with the KafkaConnect entry for basic authentication; default: -Djava.security.auth.login.config=... in KAFKA_OPTS, as the JVM worker reads it.' })
    .define({ name: K.CONFIG_PROVIDERS, type: 'LIST', defaultValue: '', importance: 'LOW', documentation: 'Config provider names; each needs config.providers.<name>.class (FileConfigProvider, DirectoryConfigProvider, EnvVarConfigProvider) and takes config.providers.<name>.param.*.' })
    .define({ name: K.METRICS_SAMPLE_WINDOW_MS, type: 'LONG', defaultValue: 30000, importance: 'LOW', documentation: 'Window of the rate, average and maximum metrics in /metrics.' })
    .define({ name: K.METRICS_NUM_SAMPLES, type: 'INT', defaultValue: 2, importance: 'LOW', documentation: 'Number of sample windows kept for the windowed metrics.' });
}

/** The parsed worker configuration with derived paths. */
export class WorkerConfig {
  constructor(readonly parsed: ParsedConfig) {}

  static parse(props: Record<string, string>, mode: WorkerMode = 'standalone'): WorkerConfig {
    return new WorkerConfig(workerConfigDef(mode).parse(props));
  }

  get originals(): Record<string, string> {
    return this.parsed.originalsWithPrefix('');
  }
  get bootstrapServers(): string[] {
    return this.parsed.getList(K.BOOTSTRAP_SERVERS);
  }
  get offsetFile(): string {
    return this.parsed.getString(K.OFFSET_FILE)!;
  }
  get configFile(): string {
    return this.parsed.getString(K.CONFIG_FILE) ?? join(dirname(this.offsetFile), 'connectors.json');
  }
  get embeddedLogDir(): string {
    return this.parsed.getString(K.EMBEDDED_LOG_DIR) ?? join(dirname(this.offsetFile), 'log');
  }
  get offsetFlushIntervalMs(): number {
    return this.parsed.getLong(K.OFFSET_FLUSH_INTERVAL_MS)!;
  }
  get offsetFlushTimeoutMs(): number {
    return this.parsed.getLong(K.OFFSET_FLUSH_TIMEOUT_MS)!;
  }
  get taskShutdownTimeoutMs(): number {
    return this.parsed.getLong(K.TASK_SHUTDOWN_TIMEOUT_MS)!;
  }
  /** Client properties for task clients: the worker's `<prefix>*` keys, prefix removed. */
  clientProperties(prefix: 'producer.' | 'consumer.' | 'admin.'): Record<string, string> {
    return this.parsed.originalsWithPrefix(prefix);
  }
}
