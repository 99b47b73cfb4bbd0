/**
 * Java Kafka client properties (as a worker's `producer.*`, `consumer.*`, `admin.*` keys give them) mapped
 * onto kafkajs options. Keys kafkajs has no equivalent for are ignored (listed in `UNSUPPORTED_NOTE`);
 * keys whose value kafkajs cannot honour (e.g. `compression.type=zstd`) fail with a ConfigException.
 */
import { readFileSync } from 'node:fs';
import { CompressionTypes, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigException } from '../../errors.js';

export type Props = Readonly<Record<string, string>>;

function int(props: Props, key: string): number | undefined {
  const v = props[key];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.trim());
  if (!Number.isFinite(n)) throw new ConfigException(key, v, 'Not a number');
  return n;
}

/** Caps Java's "forever" values (Integer/Long.MAX) to something a JS timer accepts. */
function ms(n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  return Math.min(n, 2_147_483_647);
}

/** `a:1,b:2` → `['a:1','b:2']`. */
export function parseBootstrap(servers: string): string[] {
  const list = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new ConfigException('bootstrap.servers', servers, 'No bootstrap servers given');
  for (const s of list) {
    if (!/^.+:\d+$/.test(s)) throw new ConfigException('bootstrap.servers', servers, `Invalid url in bootstrap.servers: ${s}`);
  }
  return list;
}

function jaasOption(jaas: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

function sasl(props: Props): SASLOptions | undefined {
  const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').toUpperCase();
  const jaas = props['sasl.jaas.config'] ?? '';
  const username = jaasOption(jaas, 'username') ?? '';
  const password = jaasOption(jaas, 'password') ?? '';
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw new ConfigException('sasl.mechanism', mechanism, 'kafkajs supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 here');
  }
}

function pemOrFile(props: Props, inline: string, location: string): string | undefined {
  if (props[inline]) return props[inline];
  const file = props[location];
  if (file && /\.(pem|crt|key)$/i.test(file)) return readFileSync(file, 'utf8');
  if (file) throw new ConfigException(location, file, 'only PEM files are supported (set ssl.*.type=PEM)');
  return undefined;
}

function ssl(props: Props): ConnectionOptions | true {
  const ca = pemOrFile(props, 'ssl.truststore.certificates', 'ssl.truststore.location');
  const cert = pemOrFile(props, 'ssl.keystore.certificate.chain', 'ssl.keystore.location');
  const key = props['ssl.keystore.key'];
  const verifyHost = (props['ssl.endpoint.identification.algorithm'] ?? 'https') !== '';
  if (!ca && !cert && verifyHost) return true;
  const opts: ConnectionOptions = {};
  if (ca) opts.ca = ca;
  if (cert) opts.cert = cert;
  if (key) opts.key = key;
  if (props['ssl.key.password']) opts.passphrase = props['ssl.key.password'];
  if (!verifyHost) opts.checkServerIdentity = () => undefined;
  return opts;
}

/**
 * The kafkajs `Kafka` constructor options of one client. `defaultRetries`: how many times kafkajs retries
 * a retriable failure (backoff up to `retry.backoff.max.ms`) when `retries` is not set.
 */
export function kafkaConfig(bootstrapServers: string, clientId: string, props: Props, defaultRetries = 5): KafkaConfig {
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  const config: KafkaConfig = {
    brokers: parseBootstrap(bootstrapServers),
    clientId: props['client.id'] ?? clientId,
    logLevel: kafkajsLogLevel(),
    connectionTimeout: int(props, 'socket.connection.setup.timeout.ms') ?? 10_000,
    requestTimeout: ms(int(props, 'request.timeout.ms')) ?? 30_000,
    retry: {
      retries: Math.min(int(props, 'retries') ?? defaultRetries, 100),
      initialRetryTime: int(props, 'retry.backoff.ms') ?? 100,
      maxRetryTime: int(props, 'retry.backoff.max.ms') ?? 1000,
    },
  };
  switch (protocol) {
    case 'PLAINTEXT':
      break;
    case 'SSL':
      config.ssl = ssl(props);
      break;
    case 'SASL_PLAINTEXT':
      config.sasl = sasl(props);
      break;
    case 'SASL_SSL':
      config.ssl = ssl(props);
      config.sasl = sasl(props);
      break;
    default:
      throw new ConfigException('security.protocol', protocol, 'Expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL');
  }
  return config;
}

function kafkajsLogLevel(): logLevel {
  switch ((process.env.TSCONNECT_KAFKAJS_LOG_LEVEL ?? 'nothing').toLowerCase()) {
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    case 'debug':
      return logLevel.DEBUG;
    default:
      return logLevel.NOTHING;
  }
}

export interface ProducerSettings {
  acks: -1 | 0 | 1;
  /** `enable.idempotence` (off by default, as Connect sets it for source producers). */
  idempotent: boolean;
  compression: CompressionTypes;
  /** Wait this long for more records before sending a request (Java `linger.ms`). */
  lingerMs: number;
  /**
   * Upper bound of one produce request: the records' estimated encoded size (keys, values, headers and
   * per-record overhead). kafkajs writes all of a partition's records of a request as ONE record batch, and
   * the broker refuses a batch above `message.max.bytes` (1 MB by default), so this never exceeds Java's
   * `max.request.size` (default 1048576, just below the broker's default).
   */
  maxRequestBytes: number;
  /** Upper bound of records in one produce request (kafkajs regroups messages in O(n²) per partition). */
  maxRequestRecords: number;
  /** Broker-side wait for acks (Java `request.timeout.ms`). */
  timeoutMs: number;
  /** How long a request is retried after retriable failures before send() rejects (Java `delivery.timeout.ms`). */
  deliveryTimeoutMs: number;
  /** Pause between those retries (Java `retry.backoff.ms` growing to `retry.backoff.max.ms`). */
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

export function producerSettings(props: Props): ProducerSettings {
  const acksRaw = (props['acks'] ?? 'all').toLowerCase();
  const acks = acksRaw === 'all' || acksRaw === '-1' ? -1 : acksRaw === '1' ? 1 : acksRaw === '0' ? 0 : null;
  if (acks === null) throw new ConfigException('acks', acksRaw, 'String must be one of: all, -1, 0, 1');
  const ct = (props['compression.type'] ?? 'none').toLowerCase();
  let compression: CompressionTypes;
  switch (ct) {
    case 'none':
      compression = CompressionTypes.None;
      break;
    case 'gzip':
      compression = CompressionTypes.GZIP;
      break;
    default:
      // kafkajs ships only gzip; snappy/lz4/zstd need codec packages that are not installed.
      throw new ConfigException('compression.type', ct, 'kafkajs supports only none and gzip');
  }
  const batchSize = int(props, 'batch.size') ?? 16_384;
  const idempotent = (props['enable.idempotence'] ?? 'false').toLowerCase() === 'true';
  if (idempotent && acks !== -1) throw new ConfigException('acks', acksRaw, 'Must be all (-1) when enable.idempotence=true');
  return {
    acks,
    idempotent,
    compression,
    lingerMs: int(props, 'linger.ms') ?? 0,
    // Java batches per partition; one kafkajs request carries all partitions, so allow a few batches,
    // but never more than max.request.size (see maxRequestBytes).
    maxRequestBytes: Math.min(Math.max(batchSize * 64, 1 << 20), int(props, 'max.request.size') ?? 1_048_576),
    maxRequestRecords: 1000,
    timeoutMs: ms(int(props, 'request.timeout.ms')) ?? 30_000,
    deliveryTimeoutMs: int(props, 'delivery.timeout.ms') ?? 120_000,
    retryBackoffMs: int(props, 'retry.backoff.ms') ?? 100,
    retryBackoffMaxMs: int(props, 'retry.backoff.max.ms') ?? 1000,
  };
}

export interface ConsumerSettings {
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  maxPollRecords: number;
  fromBeginning: boolean;
  maxBytesPerPartition: number;
  maxBytes: number;
  minBytes: number;
  maxWaitTimeInMs: number;
  readUncommitted: boolean;
  metadataMaxAge: number;
}

export function consumerSettings(props: Props): ConsumerSettings {
  const reset = (props['auto.offset.reset'] ?? 'earliest').toLowerCase();
  if (reset !== 'earliest' && reset !== 'latest') {
    // kafkajs has no "none" (fail when there is no committed offset).
    throw new ConfigException('auto.offset.reset', reset, 'Supported: earliest, latest');
  }
  const sessionTimeout = int(props, 'session.timeout.ms') ?? 45_000;
  return {
    sessionTimeout,
    rebalanceTimeout: ms(int(props, 'max.poll.interval.ms')) ?? 300_000,
    heartbeatInterval: int(props, 'heartbeat.interval.ms') ?? Math.min(3000, Math.floor(sessionTimeout / 3)),
    maxPollRecords: int(props, 'max.poll.records') ?? 500,
    fromBeginning: reset === 'earliest',
    maxBytesPerPartition: int(props, 'max.partition.fetch.bytes') ?? 1_048_576,
    maxBytes: int(props, 'fetch.max.bytes') ?? 52_428_800,
    minBytes: int(props, 'fetch.min.bytes') ?? 1,
    maxWaitTimeInMs: int(props, 'fetch.max.wait.ms') ?? 500,
    readUncommitted: (props['isolation.level'] ?? 'read_uncommitted') === 'read_uncommitted',
    metadataMaxAge: int(props, 'metadata.max.age.ms') ?? 300_000,
  };
}
