/**
 * A topic the ACLs forbid. The broker runs KRaft's StandardAuthorizer with `allow.everyone.if.no.acl.found=false`;
 * the worker connects over SASL_PLAINTEXT (SCRAM-SHA-512) as `alice`, who may write one topic and nothing else.
 * A FileStream source writing to the allowed topic runs; one writing to the forbidden topic goes FAILED with the
 * broker's authorization error in its trace (errors.tolerance=none), while the worker, its REST API and the other
 * connector keep running — as a JVM worker behaves when a producer hits TopicAuthorizationException.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import type { StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import { startKafka, type KafkaCluster } from '../../../src/testing/kafka-cluster.js';
import { waitFor } from '../../helpers/worker-process.js';
import { KAFKA_VERSION } from '../kafka/helpers.js';
import { kcat, startStandaloneOnKafka } from './helpers.js';

interface Status {
  connector: { state: string };
  tasks: { id: number; state: string; trace?: string }[];
}

// kafkajs is CommonJS: its ACL enums are not visible to ESM named imports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
type AclResourceTypes = kafkajs.AclResourceTypes;
type AclOperationTypes = kafkajs.AclOperationTypes;

describe('a topic the ACLs forbid', { timeout: 240_000 }, () => {
  let kafka: KafkaCluster;
  let worker: StandaloneWorker;
  let dir: string;

  before(async () => {
    kafka = await startKafka({
      version: KAFKA_VERSION,
      security: { users: { alice: 'alice-secret' } },
      brokerProperties: {
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        // The PLAINTEXT listener (controller, inter-broker, and this test's admin) is ANONYMOUS.
        'super.users': 'User:ANONYMOUS',
        'allow.everyone.if.no.acl.found': 'false',
      },
    });
    const admin = new Kafka({ brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'allowed-lines', numPartitions: 1 }, { topic: 'forbidden-lines', numPartitions: 1 }], waitForLeaders: true });
      const allow = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes) => ({
        resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
      });
      await admin.createAcls({
        acl: [
          allow(AclResourceTypes.TOPIC, 'allowed-lines', AclOperationTypes.WRITE),
          allow(AclResourceTypes.TOPIC, 'allowed-lines', AclOperationTypes.DESCRIBE),
          // Describing the cluster is what a worker does first (it looks up the cluster id).
          allow(AclResourceTypes.CLUSTER, 'kafka-cluster', AclOperationTypes.DESCRIBE),
        ],
      });
    } finally {
      await admin.disconnect();
    }
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-e2e-acl-'));
    worker = await startStandaloneOnKafka(kafka.security!.listeners.SASL_PLAINTEXT, dir, {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
    });
  });

  after(async () => {
    await worker?.stop();
    await kafka?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function createFileSource(name: string, topic: string): Promise<void> {
    const input = join(dir, `${name}.txt`);
    writeFileSync(input, 'line-1\nline-2\n');
    const res = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, config: { 'connector.class': 'FileStreamSource', file: input, topic, 'topic.creation.enable': 'false' } }),
    });
    assert.equal(res.status, 201, await res.text());
  }

  const status = async (name: string) => (await (await fetch(`${worker.url}/connectors/${name}/status`)).json()) as Status;

  test('writing to a forbidden topic fails the task with the authorization error; the rest keeps running', async () => {
    await createFileSource('allowed', 'allowed-lines');
    await createFileSource('forbidden', 'forbidden-lines');

    const failed = await waitFor('the forbidden task FAILED', async () => {
      const s = await status('forbidden');
      return s.tasks[0]?.state === 'FAILED' ? s : false;
    }, 60_000);
    const trace = failed.tasks[0]!.trace ?? '';
    assert.match(trace, /not authorized|authorization failed/i, trace);
    assert.match(trace, /forbidden-lines/, trace);

    // The allowed connector delivered its lines (read back over the super user's PLAINTEXT listener).
    await waitFor('the allowed lines', async () => (await kcat(kafka.bootstrapServers, 'allowed-lines').catch(() => [])).length === 2 || false, 30_000);
    assert.equal((await status('allowed')).tasks[0]?.state, 'RUNNING');
    assert.equal((await fetch(`${worker.url}/connectors`)).status, 200);
    // Nothing reached the forbidden topic.
    assert.deepEqual(await kcat(kafka.bootstrapServers, 'forbidden-lines'), []);
  });
});
