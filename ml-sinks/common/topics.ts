/**
 * Which role a record's topic plays for a model sink: training data, data to predict, or neither (an
 * error, handled by the worker's `errors.tolerance`). Topics are matched by name lists or regexes, on the
 * record's current topic and then on the topic it was consumed from.
 */
import { DataException } from '../../src/connect/errors.js';
import type { SinkRecord } from '../../src/connect/data/index.js';

export type TopicRole = 'train' | 'predict';

export class TopicRoles {
  private readonly cache = new Map<string, TopicRole | null>();
  private readonly trainRegex: RegExp | null;
  private readonly predictRegex: RegExp | null;

  constructor(
    private readonly trainTopics: readonly string[],
    private readonly predictTopics: readonly string[],
    trainRegex: string,
    predictRegex: string,
  ) {
    // Kafka matches topics.regex against the whole name.
    this.trainRegex = trainRegex ? new RegExp(`^(?:${trainRegex})$`) : null;
    this.predictRegex = predictRegex ? new RegExp(`^(?:${predictRegex})$`) : null;
  }

  get empty(): boolean {
    return this.trainTopics.length === 0 && this.predictTopics.length === 0 && !this.trainRegex && !this.predictRegex;
  }

  roleOfTopic(topic: string): TopicRole | null {
    let role = this.cache.get(topic);
    if (role === undefined) {
      if (this.trainTopics.includes(topic) || this.trainRegex?.test(topic)) role = 'train';
      else if (this.predictTopics.includes(topic) || this.predictRegex?.test(topic)) role = 'predict';
      else role = null;
      this.cache.set(topic, role);
    }
    return role;
  }

  /** The record's role; throws DataException for a topic that is neither training nor prediction data. */
  roleOf(record: SinkRecord): TopicRole {
    const role = this.roleOfTopic(record.topic) ?? this.roleOfTopic(record.originalTopic);
    if (!role) {
      throw new DataException(`Topic '${record.topic}' is neither a training topic nor a prediction topic of this model sink`);
    }
    return role;
  }
}

/**
 * Per consumed partition, the next offset whose effect is already applied to the model (trained on, or
 * predicted and written). Saved in the checkpoint: after a restart, records below it are redeliveries of
 * work already done and are skipped, so a record never counts twice in the model.
 */
export class AppliedOffsets {
  private readonly next = new Map<string, number>();

  static key(record: SinkRecord): string {
    return `${record.originalKafkaPartition}:${record.originalTopic}`;
  }

  /** True when this record's effect is already in the model. */
  seen(record: SinkRecord): boolean {
    const n = this.next.get(AppliedOffsets.key(record));
    return n !== undefined && record.originalKafkaOffset < n;
  }

  mark(record: SinkRecord): void {
    const k = AppliedOffsets.key(record);
    const n = record.originalKafkaOffset + 1;
    if ((this.next.get(k) ?? -1) < n) this.next.set(k, n);
  }

  /** Marks the record at `offset` of the partition with this key (see `key`) as applied. */
  markKey(key: string, offset: number): void {
    if ((this.next.get(key) ?? -1) < offset + 1) this.next.set(key, offset + 1);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.next);
  }

  load(saved: Record<string, number> | undefined): void {
    this.next.clear();
    for (const [k, v] of Object.entries(saved ?? {})) if (typeof v === 'number') this.next.set(k, v);
  }
}
