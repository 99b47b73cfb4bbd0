/**
 * The three Kafka-backed stores of a distributed worker, from its configuration. Each gets its own kafkajs
 * client (fetch connection) configured like the worker's other clients.
 */
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaConfig } from '../../topics/kafka/client-config.js';
import type { KafkaTopicBackend } from '../../topics/kafka/backend.js';
import { internalTopicSpec, type InternalTopicKind } from './internal-topics.js';
import { KafkaConfigStore } from './kafka-config-store.js';
import { KafkaOffsetStore, type KafkaStoreOptions } from './kafka-offset-store.js';
import { KafkaStatusStore } from './kafka-status-store.js';

export interface KafkaStores {
  offsets: KafkaOffsetStore;
  configs: KafkaConfigStore;
  statuses: KafkaStatusStore;
}

/** Properties every Kafka client of the worker shares (security, timeouts). */
function commonProps(props: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k.startsWith('ssl.') || k.startsWith('sasl.') || k === 'security.protocol' || k === 'request.timeout.ms' || k.startsWith('retry.backoff.')) out[k] = v;
  }
  return out;
}

export function kafkaClientFor(props: Readonly<Record<string, string | undefined>>, clientId: string): Kafka {
  const servers = props['bootstrap.servers'] ?? 'localhost:9092';
  return new Kafka(kafkaConfig(servers, clientId, commonProps(props), 10));
}

export function kafkaStoreOptions(
  props: Readonly<Record<string, string | undefined>>,
  kind: InternalTopicKind,
  backend: KafkaTopicBackend,
  log?: Logger,
): KafkaStoreOptions {
  const group = props['group.id'] ?? 'connect';
  const clientId = `${props['client.id'] ?? group}-${kind}s`;
  return { backend, kafka: kafkaClientFor(props, clientId), topic: internalTopicSpec(props, kind), clientId, log };
}

export function createKafkaStores(props: Readonly<Record<string, string | undefined>>, backend: KafkaTopicBackend, log?: Logger): KafkaStores {
  return {
    offsets: new KafkaOffsetStore(kafkaStoreOptions(props, 'offset', backend, log)),
    configs: new KafkaConfigStore(kafkaStoreOptions(props, 'config', backend, log)),
    statuses: new KafkaStatusStore(kafkaStoreOptions(props, 'status', backend, log)),
  };
}
