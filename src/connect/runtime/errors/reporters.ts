/**
 * Reporters for tolerated failures: the log (`errors.log.enable`, `errors.log.include.messages`) and the
 * dead-letter queue of sink connectors (`errors.deadletterqueue.*`), which gets the original raw record and,
 * optionally, Kafka Connect's `__connect.errors.*` context headers.
 */
import type { Logger } from 'pino';
import { errorTrace } from '../../errors.js';
import type { TopicBackend, TopicHeader, TopicProducer } from '../../topics/types.js';
import type { ErrorReporter, ProcessingContext } from './retry-with-tolerance.js';

export class LogReporter implements ErrorReporter {
  constructor(
    private readonly logger: Logger,
    private readonly taskId: string,
    private readonly includeMessages: boolean,
  ) {}

  async report(ctx: ProcessingContext): Promise<void> {
    const record = this.includeMessages ? describeRecord(ctx) : undefined;
    this.logger.error(
      { err: ctx.error, stage: ctx.stage, class: ctx.executingClass, record },
      `Error encountered in task ${this.taskId}. Executing stage '${ctx.stage}' with class '${ctx.executingClass}'.`,
    );
  }
}

function describeRecord(ctx: ProcessingContext): unknown {
  const r = ctx.consumerRecord;
  if (r) return { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp };
  const s = ctx.sourceRecord;
  if (s) return { topic: s.topic, partition: s.kafkaPartition, sourcePartition: s.sourcePartition, sourceOffset: s.sourceOffset };
  return undefined;
}

export interface DeadLetterQueueSettings {
  topic: string;
  replicationFactor: number;
  contextHeadersEnable: boolean;
  connector: string;
  task: number;
}

export class DeadLetterQueueReporter implements ErrorReporter {
  private topicReady: Promise<unknown> | null = null;

  constructor(
    private readonly backend: TopicBackend,
    private readonly producer: TopicProducer,
    private readonly settings: DeadLetterQueueSettings,
  ) {}

  async report(ctx: ProcessingContext): Promise<void> {
    const r = ctx.consumerRecord;
    if (!r) return; // Only sink connectors have a dead-letter queue.
    this.topicReady ??= this.backend.createTopics([
      { name: this.settings.topic, partitions: 1, replicationFactor: this.settings.replicationFactor },
    ]);
    await this.topicReady;
    const headers: TopicHeader[] = [...r.headers];
    if (this.settings.contextHeadersEnable) {
      const h = (key: string, value: string | number) => headers.push({ key, value: Buffer.from(String(value)) });
      h('__connect.errors.topic', r.topic);
      h('__connect.errors.partition', r.partition);
      h('__connect.errors.offset', r.offset);
      h('__connect.errors.connector.name', this.settings.connector);
      h('__connect.errors.task.id', this.settings.task);
      h('__connect.errors.stage', ctx.stage);
      h('__connect.errors.class.name', ctx.executingClass);
      h('__connect.errors.exception.class.name', (ctx.error as { javaClass?: string }).javaClass ?? ctx.error.name);
      if (ctx.error.message) h('__connect.errors.exception.message', ctx.error.message);
      h('__connect.errors.exception.stacktrace', errorTrace(ctx.error));
    }
    await this.producer.send([
      { topic: this.settings.topic, key: r.key, value: r.value, headers, timestamp: r.timestamp >= 0 ? r.timestamp : null },
    ]);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
