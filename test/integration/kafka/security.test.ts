/**
 * The Kafka backend (kafkajs) over the broker's secured listeners, configured with Java client keys: SSL
 * (PEM and PKCS12 truststores, client certificates from PKCS12 and PEM keystores), SASL_PLAINTEXT (PLAIN,
 * SCRAM-SHA-512), SASL_SSL (SCRAM-SHA-256); failures (wrong password, wrong CA, missing client certificate)
 * end within a bounded time with a clear message; a distributed worker runs its internal topics over SASL_SSL.
 * One broker with all listeners for the whole file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KafkaTopicBackend } from '../../../src/connect/topics/kafka/index.js';
import { startKafka, type KafkaCluster, type KafkaSecurity } from '../../../src/testing/kafka-cluster.js';
import { freePort, waitFor } from '../../helpers/worker-process.js';
import { DistributedWorkerProcess, distributedTestProps } from '../distributed/helpers.js';
import { FAST_GROUP, KAFKA_VERSION, pollUntil, uniqueName } from './helpers.js';

describe(`Kafka security: SSL, SASL_PLAINTEXT, SASL_SSL with kafkajs (Kafka ${KAFKA_VERSION})`, { timeout: 300_000 }, () => {
  let cluster: KafkaCluster;
  let sec: KafkaSecurity;
  const backends: KafkaTopicBackend[] = [];

  before(async () => {
    cluster = await startKafka({ version: KAFKA_VERSION, security: {} });
    sec = cluster.security!;
  });
  after(async () => {
    for (const b of backends) await b.close();
    await cluster?.stop();
  });

  const jaas = (module: 'plain.PlainLoginModule' | 'scram.ScramLoginModule', user: string, password: string) =>
    `org.apache.kafka.common.security.${module} required username="${user}" password="${password}";`;

  const backend = (bootstrap: string, props: Record<string, string>): KafkaTopicBackend => {
    const b = KafkaTopicBackend.fromWorkerConfig({ 'bootstrap.servers': bootstrap, ...props });
    backends.push(b);
    return b;
  };

  /** Creates a topic, produces two records and consumes them back, all through `b`. */
  async function roundTrip(b: KafkaTopicBackend): Promise<void> {
    const topic = uniqueName('sec');
    await b.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    const producer = b.producer({ clientId: 'p' });
    await producer.send([
      { topic, key: Buffer.from('k1'), value: Buffer.from('v1') },
      { topic, key: Buffer.from('k2'), value: Buffer.from('v2') },
    ]);
    await producer.close();
    const consumer = b.consumer(uniqueName('g'), { clientId: 'c', properties: FAST_GROUP });
    await consumer.subscribe([topic]);
    const got = await pollUntil(consumer, 2);
    await consumer.close();
    assert.deepEqual(got.map((r) => r.value?.toString()), ['v1', 'v2']);
  }

  /** Expects `start()` to fail within `ms` with a message matching `re`. */
  async function failsQuickly(b: KafkaTopicBackend, re: RegExp, ms = 20_000): Promise<void> {
    const t0 = Date.now();
    await assert.rejects(b.start(), (e: Error) => {
      assert.match(e.message, re);
      return true;
    });
    assert.ok(Date.now() - t0 < ms, `failed after ${Date.now() - t0} ms`);
  }

  test('SSL with a PEM truststore', async () => {
    await roundTrip(backend(sec.listeners.SSL, { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': sec.caCert }));
  });

  test('SSL with a PKCS12 truststore made by keytool', async () => {
    await roundTrip(backend(sec.listeners.SSL, {
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': sec.caTruststore,
      'ssl.truststore.password': sec.storePassword,
    }));
  });

  test('SSL with client certificates: PKCS12 keystore, and PEM keystore file', async () => {
    await roundTrip(backend(sec.listeners.MTLS, {
      'security.protocol': 'SSL',
      'ssl.truststore.location': sec.caTruststore,
      'ssl.truststore.password': sec.storePassword,
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': sec.clientKeystore,
      'ssl.keystore.password': sec.storePassword,
    }));
    const dir = mkdtempSync(join(tmpdir(), 'tsconnect-pem-keystore-'));
    try {
      const pemKeystore = join(dir, 'client.pem');
      writeFileSync(pemKeystore, readFileSync(sec.clientKey, 'utf8') + readFileSync(sec.clientCert, 'utf8'));
      await roundTrip(backend(sec.listeners.MTLS, {
        'security.protocol': 'SSL',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': sec.caCert,
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': pemKeystore,
      }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SSL failures end quickly: wrong CA, no client certificate where one is required, JKS truststore', async () => {
    await failsQuickly(
      backend(sec.listeners.SSL, { 'security.protocol': 'SSL', 'ssl.truststore.location': sec.otherCaCert, retries: '1' }),
      /certificate/i,
    );
    await failsQuickly(
      backend(sec.listeners.MTLS, { 'security.protocol': 'SSL', 'ssl.truststore.location': sec.caCert, retries: '1' }),
      /Connecting to Kafka/,
    );
    assert.throws(
      () => backend(sec.listeners.SSL, { 'security.protocol': 'SSL', 'ssl.truststore.location': sec.caTruststoreJks, 'ssl.truststore.password': sec.storePassword }),
      /JKS keystores are Java-only.*keytool -importkeystore/,
    );
  });

  test('SASL_PLAINTEXT with PLAIN', async () => {
    await roundTrip(backend(sec.listeners.SASL_PLAINTEXT, {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': jaas('plain.PlainLoginModule', 'alice', 'alice-secret'),
    }));
  });

  test('SASL_PLAINTEXT with SCRAM-SHA-512', async () => {
    await roundTrip(backend(sec.listeners.SASL_PLAINTEXT, {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': jaas('scram.ScramLoginModule', 'alice', 'alice-secret'),
    }));
  });

  test('SASL_SSL with SCRAM-SHA-256 (PKCS12 truststore)', async () => {
    await roundTrip(backend(sec.listeners.SASL_SSL, {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.jaas.config': jaas('scram.ScramLoginModule', 'alice', 'alice-secret'),
      'ssl.truststore.location': sec.caTruststore,
      'ssl.truststore.password': sec.storePassword,
    }));
  });

  test('a wrong password fails quickly with an authentication error, and the password is not in it', async () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256']) {
      const module = mechanism === 'PLAIN' ? 'plain.PlainLoginModule' : 'scram.ScramLoginModule';
      const b = backend(sec.listeners.SASL_PLAINTEXT, {
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': mechanism,
        'sasl.jaas.config': jaas(module, 'alice', 'not-the-password'),
      });
      const t0 = Date.now();
      await assert.rejects(b.start(), (e: Error) => {
        assert.match(e.message, /SASL .*authentication failed|Authentication failed/i);
        assert.doesNotMatch(e.message, /not-the-password/);
        return true;
      });
      assert.ok(Date.now() - t0 < 20_000, `${mechanism}: failed after ${Date.now() - t0} ms`);
    }
  });

  test('a distributed worker keeps its config, offset and status topics over SASL_SSL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsconnect-sasl-ssl-worker-'));
    const security = {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': jaas('scram.ScramLoginModule', 'alice', 'alice-secret'),
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': sec.caTruststore,
      'ssl.truststore.password': sec.storePassword,
    };
    // As with the Java worker: top-level keys for the worker's own clients, prefixed ones for connectors'.
    const prefixed = (prefix: string) => Object.fromEntries(Object.entries(security).map(([k, v]) => [`${prefix}${k}`, v]));
    const group = uniqueName('secure-connect');
    const worker = new DistributedWorkerProcess(dir, await freePort(), {
      ...distributedTestProps(sec.listeners.SASL_SSL, group),
      ...security,
      ...prefixed('producer.'),
      ...prefixed('consumer.'),
      ...prefixed('admin.'),
    });
    const input = join(dir, 'input.txt');
    writeFileSync(input, 'line-1\nline-2\n');
    const topic = uniqueName('secure-lines');
    try {
      await worker.start();
      const config = { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic };
      const created = await waitFor('the connector created', async () => {
        const r = await worker.request('POST', '/connectors', { name: 'secure-source', config });
        return r.status === 201 ? r : undefined;
      }, 60_000);
      assert.equal(created.status, 201);
      const shown = await waitFor('the connector config', async () => {
        const r = await worker.request('GET', '/connectors/secure-source/config');
        return r.status === 200 ? (r.body as Record<string, string>) : undefined;
      }, 30_000);
      assert.equal(shown['file'], input);
      await waitFor('the task RUNNING', async () => {
        const r = await worker.request('GET', '/connectors/secure-source/status');
        return (r.body as { tasks?: { state: string }[] }).tasks?.[0]?.state === 'RUNNING';
      }, 30_000);
      // The lines reach the topic; read them back over SASL_SSL too.
      const reader = backend(sec.listeners.SASL_SSL, security);
      const consumer = reader.consumer(uniqueName('g'), { clientId: 'c', properties: FAST_GROUP });
      await waitFor('the topic', async () => (await reader.listTopics()).includes(topic), 30_000);
      await consumer.subscribe([topic]);
      const got = await pollUntil(consumer, 2, 30_000);
      await consumer.close();
      assert.deepEqual(got.map((r) => r.value?.toString()), ['line-1', 'line-2']);
      assert.ok((await reader.listTopics()).includes(`${group}-configs`));

      // A connector's producer.override.* wins over the worker's producer.* keys: a wrong password there fails
      // that task (and only it) with the authentication error.
      const badConfig = { ...config, topic: uniqueName('never'), 'producer.override.sasl.jaas.config': jaas('scram.ScramLoginModule', 'alice', 'wrong-override') };
      await waitFor('the second connector created', async () => (await worker.request('POST', '/connectors', { name: 'bad-override', config: badConfig })).status === 201, 60_000);
      const failed = await waitFor('the overridden task FAILED', async () => {
        const r = await worker.request('GET', '/connectors/bad-override/status');
        const t = (r.body as { tasks?: { state: string; trace?: string }[] }).tasks?.[0];
        return t?.state === 'FAILED' ? t : undefined;
      }, 60_000);
      assert.match(failed.trace ?? '', /authentication failed/i);
      assert.doesNotMatch(failed.trace ?? '', /wrong-override/);
      const stillRunning = await worker.request('GET', '/connectors/secure-source/status');
      assert.equal((stillRunning.body as { tasks: { state: string }[] }).tasks[0]!.state, 'RUNNING');
    } catch (e) {
      throw new Error(`${(e as Error).message}\nworker logs:\n${worker.logs.slice(-4000)}`);
    } finally {
      await worker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
