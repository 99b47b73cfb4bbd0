/** Chooses the topic backend from the worker config: Kafka with `bootstrap.servers`, else the embedded log. */
import type { Logger } from 'pino';
import type { WorkerConfig } from '../runtime/worker-config.js';
import { EmbeddedTopicBackend } from './embedded/index.js';
import { KafkaTopicBackend } from './kafka/index.js';
import type { TopicBackend } from './types.js';

/**
 * `access: 'auto'` opens the embedded log read-only when a worker owns it (`tsconnect consume` beside a worker).
 */
export function createTopicBackend(config: WorkerConfig, logger: Logger, access: 'read-write' | 'auto' = 'read-write'): TopicBackend {
  const servers = config.bootstrapServers;
  if (servers.length > 0) {
    return new KafkaTopicBackend({
      bootstrapServers: servers.join(','),
      common: config.originals,
      producer: config.clientProperties('producer.'),
      consumer: config.clientProperties('consumer.'),
      admin: config.clientProperties('admin.'),
      log: logger,
    });
  }
  return new EmbeddedTopicBackend({
    dir: config.embeddedLogDir,
    fsync: config.parsed.getString('embedded.log.fsync') as 'always' | 'interval' | 'never',
    access,
    logger,
  });
}
