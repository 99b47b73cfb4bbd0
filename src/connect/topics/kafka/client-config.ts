/**
 * Java Kafka client properties (as a worker's `producer.*`, `consumer.*`, `admin.*` keys give them) mapped
 * onto kafkajs options. Keys kafkajs has no equivalent for are ignored (listed in `UNSUPPORTED_NOTE`);
 * keys whose value kafkajs cannot honour (e.g. `compression.type=zstd`) fail with a ConfigException.
 *
 * Security: `security.protocol` PLAINTEXT / SSL / SASL_PLAINTEXT / SASL_SSL; `sasl.mechanism` PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512 with the credentials of `sasl.jaas.config` (GSSAPI and OAUTHBEARER need Java
 * callback classes: refused with a message). Key and trust stores: PEM (files or the inline
 * `ssl.*.certificates`/`ssl.keystore.key` values) and PKCS12; JKS/JCEKS files are refused with the keytool
 * command that converts them. The file's content decides its type, since Java reads a PKCS12 file under
 * `ssl.truststore.type=JKS` too. Passwords never appear in messages.
 */
import { CompressionTypes, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { ConfigException } from '../../errors.js';
import { normalizePem, pemBlocks, protocolIndexes, readStoreFile, storeKind, TLS_VERSIONS, type StoreKind } from '../../security/key-stores.js';
import { pkcs12Certificates } from '../../security/pkcs12.js';
import { type LoginModuleEntry, parseJaasModule } from '../../security/jaas.js';

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

const HIDDEN = '[hidden]';

/**
 * The options of `sasl.jaas.config` (`<LoginModule> required username="alice" password="secret";`). A malformed
 * text is refused without quoting it: it holds the password.
 */
export function jaasOptions(jaas: string): Map<string, string> {
  let module: LoginModuleEntry;
  try {
    module = parseJaasModule(jaas, 'sasl.jaas.config');
  } catch {
    throw new ConfigException('sasl.jaas.config', HIDDEN, 'Not a JAAS login module entry: <LoginModule class> required name="value" ...;');
  }
  return new Map(Object.entries(module.options));
}


const SASL_MECHANISMS: Record<string, 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

function sasl(props: Props): SASLOptions {
  const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').trim().toUpperCase();
  const kafkajsName = SASL_MECHANISMS[mechanism];
  if (!kafkajsName) {
    const why = mechanism === 'GSSAPI'
      ? 'GSSAPI (Kerberos, the Java default when sasl.mechanism is unset) is not available with kafkajs'
      : `${mechanism} is not available here`;
    throw new ConfigException('sasl.mechanism', mechanism, `${why}; supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`);
  }
  const jaas = props['sasl.jaas.config'];
  // Never echo the JAAS text: it holds the password.
  if (!jaas) throw new ConfigException('sasl.jaas.config', null, `Required with sasl.mechanism=${mechanism}, e.g. org.apache.kafka.common.security.${mechanism === 'PLAIN' ? 'plain.PlainLoginModule' : 'scram.ScramLoginModule'} required username="..." password="...";`);
  const options = jaasOptions(jaas);
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) {
    throw new ConfigException('sasl.jaas.config', HIDDEN, 'The JAAS configuration must give username="..." and password="..."');
  }
  return { mechanism: kafkajsName, username, password };
}

function javaOnly(key: string, file: string, kind: StoreKind): ConfigException {
  return new ConfigException(
    key,
    file,
    `${kind} keystores are Java-only and cannot be read here. Convert it to PKCS12 (keytool -importkeystore -srckeystore ${file} -srcstoretype ${kind} -destkeystore ${file.replace(/\.[^./]*$/, '')}.p12 -deststoretype PKCS12) or to PEM, and point ${key} at the new file`,
  );
}

/** PEM blocks of one kind (`CERTIFICATE`, `PRIVATE KEY` incl. `ENCRYPTED`/`RSA`/`EC` variants), line breaks restored. */
function pemBlocksOf(text: string, keys: boolean): string {
  return pemBlocks(text).filter((b) => b.label.endsWith('PRIVATE KEY') === keys).map((b) => b.block).join('\n');
}

/** The CA certificates (PEM) from `ssl.truststore.certificates` or `ssl.truststore.location` (PEM or PKCS12). */
function trustedCertificates(props: Props): string | undefined {
  if (props['ssl.truststore.certificates']) return normalizePem(props['ssl.truststore.certificates']);
  const file = props['ssl.truststore.location'];
  if (!file) return undefined;
  const bytes = readStoreFile('ssl.truststore.location', file);
  const kind = storeKind(bytes);
  if (kind === 'PEM') return bytes.toString('utf8');
  if (kind === 'JKS' || kind === 'JCEKS') throw javaOnly('ssl.truststore.location', file, kind);
  if (kind !== 'PKCS12') throw new ConfigException('ssl.truststore.location', file, 'Not a PEM or PKCS12 truststore');
  try {
    return pkcs12Certificates(bytes, props['ssl.truststore.password'] ?? '').join('');
  } catch (e) {
    const message = (e as Error).message;
    const reason = !/MAC|password/i.test(message)
      ? message
      : props['ssl.truststore.password']
        ? 'wrong ssl.truststore.password, or a corrupted store'
        : 'the store is password-protected: set ssl.truststore.password';
    throw new ConfigException('ssl.truststore.location', file, `Could not read the PKCS12 truststore: ${reason}`);
  }
}

/** The client identity: PEM cert/key (inline or a PEM keystore file) or a PKCS12 keystore (Node's `pfx`). */
function clientIdentity(props: Props, opts: ConnectionOptions): void {
  const keyPassword = props['ssl.key.password'];
  if (props['ssl.keystore.certificate.chain'] || props['ssl.keystore.key']) {
    const chain = props['ssl.keystore.certificate.chain'];
    const key = props['ssl.keystore.key'];
    if (chain !== undefined) opts.cert = normalizePem(chain);
    if (key !== undefined) opts.key = normalizePem(key);
    if (keyPassword) opts.passphrase = keyPassword;
    return;
  }
  const file = props['ssl.keystore.location'];
  if (!file) return;
  const bytes = readStoreFile('ssl.keystore.location', file);
  const kind = storeKind(bytes);
  if (kind === 'PEM') {
    const text = bytes.toString('utf8');
    opts.cert = pemBlocksOf(text, false);
    opts.key = pemBlocksOf(text, true);
    if (!opts.cert || !opts.key) throw new ConfigException('ssl.keystore.location', file, 'A PEM keystore must hold the private key and its certificate chain');
    if (keyPassword) opts.passphrase = keyPassword;
  } else if (kind === 'PKCS12') {
    opts.pfx = bytes;
    // Node has one passphrase for the file and its key; keytool and openssl use the store password for both.
    const pw = props['ssl.keystore.password'] ?? keyPassword;
    if (pw !== undefined) opts.passphrase = pw;
  } else if (kind === 'JKS' || kind === 'JCEKS') {
    throw javaOnly('ssl.keystore.location', file, kind);
  } else {
    throw new ConfigException('ssl.keystore.location', file, 'Not a PEM or PKCS12 keystore');
  }
}

/**
 * kafkajs `ssl` options from Java's `ssl.*` keys. Host names are checked unless
 * `ssl.endpoint.identification.algorithm` is empty (Java's default is `https`). `ssl.cipher.suites` is not
 * mapped (Java and OpenSSL name TLS 1.2 suites differently).
 */
export function tlsOptions(props: Props): ConnectionOptions {
  const opts: ConnectionOptions = {};
  const ca = trustedCertificates(props);
  if (ca) opts.ca = ca;
  clientIdentity(props, opts);
  if ((props['ssl.endpoint.identification.algorithm'] ?? 'https').trim() === '') opts.checkServerIdentity = () => undefined;
  const idx = protocolIndexes(props['ssl.enabled.protocols'] ?? '');
  if (idx.length > 0) {
    if (idx.some((i) => i < 0)) throw new ConfigException('ssl.enabled.protocols', props['ssl.enabled.protocols']!, `Supported: ${TLS_VERSIONS.join(', ')}`);
    opts.minVersion = TLS_VERSIONS[Math.min(...idx)];
    opts.maxVersion = TLS_VERSIONS[Math.max(...idx)];
  }
  // Fail now, naming the setting, rather than on every connection attempt inside kafkajs.
  try {
    createSecureContext(opts);
  } catch (e) {
    const msg = (e as Error).message;
    const where = opts.pfx ? 'ssl.keystore.location' : opts.key ? 'ssl.keystore.key' : 'ssl.truststore.location';
    const hint = /mac verify|bad decrypt|passphrase|decrypt/i.test(msg)
      ? ` (wrong ${opts.pfx ? 'ssl.keystore.password' : 'ssl.key.password'}?)`
      : /unsupported/i.test(msg) ? ' (a legacy PKCS12 encryption? re-create the file with a current keytool or openssl 3)' : '';
    throw new ConfigException(where, props[where] ? (where === 'ssl.keystore.key' ? HIDDEN : props[where]) : null, `Cannot use it for TLS: ${msg}${hint}`);
  }
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
      config.ssl = tlsOptions(props);
      break;
    case 'SASL_PLAINTEXT':
      config.sasl = sasl(props);
      break;
    case 'SASL_SSL':
      config.ssl = tlsOptions(props);
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
