/**
 * The `kafka` signal channel (Debezium's KafkaSignalChannel): signals are records of `signal.kafka.topic`
 * (default `<topic.prefix>-signal`) on the cluster at `signal.kafka.bootstrap.servers`, keyed by the
 * connector's `topic.prefix`, valued `{"id":..,"type":..,"data":{..}}`. Records with another key are
 * skipped (one topic can serve several connectors).
 *
 * Differences from Debezium: Debezium assigns partition 0 to itself and commits the group's position only
 * when the task stops; kafkajs has no public manual assignment, so this channel joins a consumer group (by default
 * one per connector, `kafka-signal-<topic.prefix>`, so that connectors sharing a topic each see every signal)
 * and commits after each signal is handed over, so a restarted task does not replay signals it already read.
 */
import type { Logger } from 'pino';
import { KafkaTopicBackend } from '../../../connect/topics/kafka/backend.js';
import type { ConsumedRecord, TopicConsumer, TopicPartition } from '../../../connect/topics/types.js';
import { topicPartition } from '../../../connect/api/connector.js';
import type { SignalRecord } from './signal.js';

export interface KafkaSignalSettings {
  topic: string;
  bootstrapServers: string;
  groupId: string;
  pollTimeoutMs: number;
  /** `signal.consumer.*`, prefix stripped (security settings, `auto.offset.reset`, ...). */
  consumerProps: Record<string, string>;
}

/**
 * The signal a record of the signal topic carries, or null when it is not for `connectorName` or is empty;
 * throws when the value is not a JSON object. Without an `id` the record's offset names the signal.
 */
export function signalFromKafkaRecord(record: Pick<ConsumedRecord, 'key' | 'value' | 'offset'>, connectorName: string): SignalRecord | null {
  if (record.key === null || record.key.toString('utf8') !== connectorName) return null;
  const text = record.value?.toString('utf8') ?? '';
  if (text === '') return null;
  const doc = JSON.parse(text) as unknown;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('a signal must be a JSON object');
  const { id, type, data } = doc as { id?: unknown; type?: unknown; data?: unknown };
  if (typeof type !== 'string') throw new Error('a signal needs a "type"');
  return {
    id: id === undefined || id === null ? `kafka-${record.offset}` : String(id),
    type,
    data: data === undefined || data === null ? null : JSON.stringify(data),
  };
}

const RETRY_MS = 5_000;

/** Reads the signal topic until stopped and hands each signal for this connector to `deliver`. */
export class KafkaSignalChannel {
  private backend: KafkaTopicBackend | null = null;
  private consumer: TopicConsumer | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private retryTimer: { wake: () => void } | null = null;

  constructor(
    private readonly settings: KafkaSignalSettings,
    private readonly connectorName: string,
    private readonly deliver: (s: SignalRecord) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running = true;
    this.log.info(`Kafka signal channel is active, reading signals for '${this.connectorName}' from topic '${this.settings.topic}' at ${this.settings.bootstrapServers}`);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.consume();
      } catch (e) {
        if (!this.running) return;
        this.log.warn({ err: (e as Error).message }, `Kafka signal channel failed; retrying in ${RETRY_MS} ms`);
        await this.closeClients();
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, RETRY_MS);
          this.retryTimer = { wake: () => (clearTimeout(t), resolve()) };
        });
        this.retryTimer = null;
      }
    }
  }

  private async consume(): Promise<void> {
    const s = this.settings;
    this.backend = new KafkaTopicBackend({ bootstrapServers: s.bootstrapServers, common: s.consumerProps, log: this.log });
    await this.backend.start();
    const consumer = this.backend.consumer(s.groupId, {
      clientId: `${this.connectorName}-signal`,
      properties: { 'auto.offset.reset': 'earliest', ...s.consumerProps },
    });
    this.consumer = consumer;
    await consumer.subscribe([s.topic]);
    while (this.running) {
      const records = await consumer.poll(Math.max(s.pollTimeoutMs, 100));
      if (records.length === 0) continue;
      const next = new Map<TopicPartition, number>();
      for (const r of records) {
        this.handle(r);
        next.set(topicPartition(r.topic, r.partition), r.offset + 1);
      }
      await consumer.commit(next);
    }
  }

  private handle(r: ConsumedRecord): void {
    let signal: SignalRecord | null;
    try {
      signal = signalFromKafkaRecord(r, this.connectorName);
    } catch (e) {
      this.log.warn({ err: (e as Error).message, offset: r.offset }, 'Skipped signal due to an error');
      return;
    }
    if (signal === null) {
      if (r.key?.toString('utf8') !== this.connectorName) this.log.info(`Signal key '${r.key?.toString('utf8') ?? null}' doesn't match the connector's name '${this.connectorName}'`);
      return;
    }
    this.log.info({ id: signal.id, type: signal.type, data: signal.data }, 'Processing signal from Kafka');
    this.deliver(signal);
  }

  private async closeClients(): Promise<void> {
    const backend = this.backend;
    this.consumer = null;
    this.backend = null;
    await backend?.close().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.consumer?.wakeup();
    this.retryTimer?.wake();
    await this.loop?.catch(() => undefined);
    await this.closeClients();
  }
}
