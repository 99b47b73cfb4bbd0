/**
 * A real Apache Kafka broker for tests and demos: a single-node KRaft cluster (combined broker and
 * controller) started from the broker jars on Maven Central.
 *
 *   1. `mvn dependency:copy-dependencies` of `org.apache.kafka:kafka_2.13:<version>` (plus an SLF4J
 *      binding so the broker logs somewhere) into `${XDG_CACHE_HOME:-~/.cache}/tsconnect/kafka-<version>`;
 *      a marker file makes the second run offline.
 *   2. `kafka.tools.StorageTool format` of a temp dir with a random cluster id (same class in 3.x and 4.x).
 *   3. `java -cp <jars> kafka.Kafka server.properties` on free ports (PLAINTEXT on 127.0.0.1).
 *   4. Waits until a kafkajs admin can list topics; `stop()` kills the JVM and removes the dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cacheRoot, freePort, requireJavaAndMaven, stopChild } from './process-support.js';
import { issueCert, javaTruststore, makeCa, pkcs12Keystore } from './tls-certs.js';

export const DEFAULT_KAFKA_VERSION = '3.9.2';

export interface KafkaClusterOptions {
  /** Apache Kafka version on Maven Central (default 3.9.2; 4.x works too). */
  version?: string;
  /** Extra broker properties (override the defaults below). */
  brokerProperties?: Record<string, string>;
  /** Max time to wait for the broker to serve (default 90 s; the first run also downloads the jars). */
  startTimeoutMs?: number;
  /** JVM heap (default 512m). */
  heap?: string;
  /**
   * JVM flags after the heap settings. Default: serial GC and the C1 compiler only, which start the
   * broker about a second faster; benchmarks should pass `[]` for a broker at full speed.
   */
  jvmArgs?: string[];
  /**
   * Extra listeners for security tests, next to the PLAINTEXT one (which stays the inter-broker listener and
   * `bootstrapServers`): SSL, MTLS (SSL with client certificates required), SASL_PLAINTEXT and SASL_SSL, the
   * SASL ones with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for every user. Certificates are made with
   * `openssl`/`keytool` in the broker's directory.
   */
  security?: KafkaSecurityOptions;
}

export interface KafkaSecurityOptions {
  /** SASL users (name -> password); default `{ alice: 'alice-secret' }`. */
  users?: Record<string, string>;
}

export interface KafkaSecurity {
  /** `bootstrap.servers` of each extra listener. */
  listeners: { SSL: string; MTLS: string; SASL_PLAINTEXT: string; SASL_SSL: string };
  users: Record<string, string>;
  /** The password of every keystore and truststore below. */
  storePassword: string;
  /** PEM of the CA that signed the broker's and the client's certificates. */
  caCert: string;
  /** The same CA as a Java PKCS12 truststore (made by keytool). */
  caTruststore: string;
  /** The same CA as a JKS truststore (for "cannot read JKS" cases). */
  caTruststoreJks: string;
  /** PEM of a CA that signed nothing here. */
  otherCaCert: string;
  /** A client certificate (CN=client) signed by the CA: PEM files, and a PKCS12 keystore made by openssl. */
  clientCert: string;
  clientKey: string;
  clientKeystore: string;
}

export interface KafkaCluster {
  /** `127.0.0.1:<port>` — the value for `bootstrap.servers`. */
  bootstrapServers: string;
  clusterId: string;
  version: string;
  dataDir: string;
  /** The broker's log file (log4j output), useful when a test fails. */
  logFile: string;
  /** The extra listeners and their files, when started with `security`. */
  security: KafkaSecurity | null;
  /** Kills the broker (SIGKILL when `hard`) without removing its data, so it can be started again. */
  kill(hard?: boolean): Promise<void>;
  /** Starts the broker again on the same ports and data (after `kill`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function isKafka4(version: string): boolean {
  return Number(version.split('.')[0]) >= 4;
}

function pomFor(version: string): string {
  // 3.x logs through log4j 1 (reload4j), 4.x through log4j 2; without a binding SLF4J drops all output.
  const logging = isKafka4(version)
    ? `<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>`
    : `<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tsconnect.testing</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    ${logging}
  </dependencies>
</project>
`;
}

/** Downloads (once) the broker's runtime class path; returns the directory holding the jars. */
export function ensureKafkaJars(version: string = DEFAULT_KAFKA_VERSION): string {
  const dir = join(cacheRoot(), `kafka-${version}`);
  const libs = join(dir, 'libs');
  const marker = join(dir, '.complete');
  if (existsSync(marker) && existsSync(libs)) return libs;
  requireJavaAndMaven('run a real Kafka broker in tests', 'openjdk-17-jre-headless maven');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pomFor(version));
  const r = spawnSync(
    'mvn',
    ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`],
    { cwd: dir, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 },
  );
  if (r.status !== 0) {
    throw new Error(
      `mvn could not fetch org.apache.kafka:kafka_2.13:${version} from Maven Central ` +
        `(exit ${r.status}):\n${(r.stdout ?? '').slice(-3000)}${(r.stderr ?? '').slice(-3000)}`,
    );
  }
  if (!readdirSync(libs).some((f) => f.startsWith(`kafka_2.13-${version}`))) {
    throw new Error(`mvn finished but ${libs} holds no kafka_2.13-${version}.jar`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libs;
}

function propertiesText(props: Record<string, string>): string {
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';
}

function logConfig(version: string, logFile: string): { file: string; text: string; sysProp: string } {
  if (isKafka4(version)) {
    return {
      file: 'log4j2.properties',
      sysProp: 'log4j2.configurationFile',
      text: [
        'appender.f.type=File',
        'appender.f.name=F',
        `appender.f.fileName=${logFile}`,
        'appender.f.layout.type=PatternLayout',
        'appender.f.layout.pattern=[%d] %p %m (%c)%n',
        'rootLogger.level=INFO',
        'rootLogger.appenderRef.f.ref=F',
        '',
      ].join('\n'),
    };
  }
  return {
    file: 'log4j.properties',
    sysProp: 'log4j.configuration',
    text: [
      'log4j.rootLogger=INFO, F',
      'log4j.appender.F=org.apache.log4j.FileAppender',
      `log4j.appender.F.File=${logFile}`,
      'log4j.appender.F.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.F.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  };
}

function tail(file: string, chars = 4000): string {
  try {
    const s = readFileSync(file, 'utf8');
    return s.slice(-chars);
  } catch {
    return '(no log)';
  }
}

async function waitUntilServing(bootstrap: string, deadline: number, exited: () => string | null): Promise<void> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'tsconnect-kafka-cluster-probe',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    const why = exited();
    if (why !== null) throw new Error(why);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      const cluster = await admin.describeCluster();
      if (cluster.controller !== null && cluster.controller >= 0) return;
    } catch (e) {
      lastError = e;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Kafka broker at ${bootstrap} did not serve in time: ${String(lastError)}`);
}

/**
 * Like Kafka's Uuid.randomUuid().toString(): 16 random bytes in URL-safe base64 without padding, never
 * starting with '-' (the storage tool's argument parser would take it for an option).
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Starts a single-node KRaft broker; call `stop()` when done. */
export async function startKafka(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  const libs = ensureKafkaJars(version);
  const classPath = join(libs, '*');
  const dataDir = mkdtempSync(join(tmpdir(), `tsconnect-kafka-${version}-`));
  const logFile = join(dataDir, 'broker.log');
  const [port, controllerPort] = [await freePort(), await freePort()];
  const clusterId = randomClusterId();
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dataDir, 'data'),
    'num.partitions': '1',
    'default.replication.factor': '1',
    'min.insync.replicas': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '5',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    ...options.brokerProperties,
  };
  const security = options.security ? await securitySetup(dataDir, options.security, props) : null;
  Object.assign(props, options.brokerProperties);
  const serverProps = join(dataDir, 'server.properties');
  writeFileSync(serverProps, propertiesText(props));
  const log = logConfig(version, logFile);
  writeFileSync(join(dataDir, log.file), log.text);
  const logProp = `-D${log.sysProp}=file:${join(dataDir, log.file)}`;

  const fmt = spawnSync(
    'java',
    [logProp, '-cp', classPath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', serverProps, ...scramArgs(security)],
    { encoding: 'utf8' },
  );
  if (fmt.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`kafka-storage format failed (exit ${fmt.status}): ${fmt.stdout}${fmt.stderr}`);
  }

  const bootstrapServers = `127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exitInfo: string | null = null;

  const launch = async (): Promise<void> => {
    exitInfo = null;
    const proc = spawn(
      'java',
      [
        `-Xmx${options.heap ?? '512m'}`,
        `-Xms${options.heap ?? '512m'}`,
        ...(options.jvmArgs ?? ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']),
        '-Djava.awt.headless=true',
        logProp,
        '-cp',
        classPath,
        'kafka.Kafka',
        serverProps,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
    );
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    proc.on('exit', (code, signal) => {
      exitInfo = `Kafka broker exited (code ${code}, signal ${signal}) before serving.\nstderr: ${stderr}\nlog: ${tail(logFile)}`;
      if (child === proc) child = null;
    });
    child = proc;
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    try {
      await waitUntilServing(bootstrapServers, deadline, () => exitInfo);
    } catch (e) {
      await kill(true);
      throw e;
    }
  };

  const kill = async (hard = false): Promise<void> => {
    if (child) await stopChild(child, hard ? 0 : 10_000);
  };

  const exitHandler = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', exitHandler);

  try {
    await launch();
  } catch (e) {
    process.removeListener('exit', exitHandler);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  return {
    bootstrapServers,
    clusterId,
    version,
    dataDir,
    logFile,
    security,
    kill,
    restart: launch,
    async stop() {
      // The data is thrown away, so there is nothing to shut down cleanly: SIGKILL is fastest.
      await kill(true);
      process.removeListener('exit', exitHandler);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** SCRAM credentials are written into the metadata log at format time (KRaft has no ZooKeeper to hold them). */
function scramArgs(security: KafkaSecurity | null): string[] {
  if (!security) return [];
  const out: string[] = [];
  for (const [name, password] of Object.entries(security.users)) {
    for (const mech of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) out.push('--add-scram', `${mech}=[name=${name},password=${password}]`);
  }
  return out;
}

/**
 * Certificates and the broker properties of the extra listeners (added to `props`). The broker's own
 * keystore is a PKCS12 file made by openssl; it trusts client certificates of the test CA (PEM truststore).
 */
async function securitySetup(dataDir: string, o: KafkaSecurityOptions, props: Record<string, string>): Promise<KafkaSecurity> {
  const users = o.users ?? { alice: 'alice-secret' };
  const storePassword = 'store-secret';
  const dir = join(dataDir, 'tls');
  mkdirSync(dir);
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'other-ca');
  const server = issueCert(ca, dir, 'broker', 'localhost', ['DNS:localhost', 'IP:127.0.0.1']);
  const client = issueCert(ca, dir, 'client', 'client');
  const serverKeystore = pkcs12Keystore(dir, 'broker', server, ca, storePassword);
  const ports = { SSL: await freePort(), MTLS: await freePort(), SASL_PLAINTEXT: await freePort(), SASL_SSL: await freePort() };
  const names = Object.keys(ports) as (keyof typeof ports)[];
  const listeners = Object.fromEntries(names.map((n) => [n, `127.0.0.1:${ports[n]}`])) as KafkaSecurity['listeners'];
  const extra = names.map((n) => `${n}://${listeners[n]}`).join(',');
  props.listeners = `${props.listeners},${extra}`;
  props['advertised.listeners'] = `${props['advertised.listeners']},${extra}`;
  props['listener.security.protocol.map'] = `${props['listener.security.protocol.map']},SSL:SSL,MTLS:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL`;
  Object.assign(props, {
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': serverKeystore,
    'ssl.keystore.password': storePassword,
    'ssl.key.password': storePassword,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': ca.cert,
    'listener.name.mtls.ssl.client.auth': 'required',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
  });
  const plainUsers = Object.entries(users).map(([n, p]) => `user_${n}="${p}"`).join(' ');
  for (const l of ['sasl_plaintext', 'sasl_ssl']) {
    props[`listener.name.${l}.plain.sasl.jaas.config`] = `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`;
    for (const m of ['scram-sha-256', 'scram-sha-512']) {
      props[`listener.name.${l}.${m}.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    }
  }
  return {
    listeners,
    users,
    storePassword,
    caCert: ca.cert,
    caTruststore: javaTruststore(dir, 'truststore', ca, storePassword),
    caTruststoreJks: javaTruststore(dir, 'truststore', ca, storePassword, 'JKS'),
    otherCaCert: other.cert,
    clientCert: client.cert,
    clientKey: client.key,
    clientKeystore: pkcs12Keystore(dir, 'client', client, ca, storePassword),
  };
}
