/**
 * The signal and incremental snapshot settings (Debezium's `signal.*` and `incremental.snapshot.*` keys),
 * read from the connector config. The keys are defined in ../config.ts, whose parsePostgresConfig calls this.
 */
import type { ParsedConfig } from '../../../connect/api/config-def.js';
import { ConfigException } from '../../../connect/errors.js';
import type { KafkaSignalSettings } from './kafka-channel.js';

export interface SignalConfig {
  /** `schema.table` of the signal table, or null. */
  signalTable: { schema: string; table: string } | null;
  channels: Set<string>;
  signalFile: string;
  pollIntervalMs: number;
  /** The kafka channel's settings; null when the channel is not enabled. */
  kafka: KafkaSignalSettings | null;
  chunkSize: number;
  watermarking: 'insert_insert' | 'insert_delete';
  allowSchemaChanges: boolean;
  readOnly: boolean;
}

export function parseSignalConfig(c: ParsedConfig): SignalConfig {
  const coll = c.getString('signal.data.collection');
  let signalTable: SignalConfig['signalTable'] = null;
  if (coll) {
    const parts = coll.split('.');
    // `schema.table`, or `database.schema.table` as some Debezium examples write it.
    if (parts.length < 2 || parts.length > 3) throw new ConfigException('signal.data.collection', coll, 'Expected schema.table');
    signalTable = { schema: parts[parts.length - 2]!, table: parts[parts.length - 1]! };
  }
  const channels = new Set(c.getList('signal.enabled.channels').map((s) => s.trim().toLowerCase()).filter(Boolean));
  return {
    kafka: channels.has('kafka') ? kafkaSignalSettings(c) : null,
    signalTable,
    channels,
    signalFile: c.getString('signal.file') ?? 'file-signals.txt',
    pollIntervalMs: c.getLong('signal.poll.interval.ms')!,
    chunkSize: c.getInt('incremental.snapshot.chunk.size')!,
    watermarking: c.getString('incremental.snapshot.watermarking.strategy')!.toLowerCase() as SignalConfig['watermarking'],
    allowSchemaChanges: c.getBoolean('incremental.snapshot.allow.schema.changes'),
    readOnly: c.getBoolean('read.only'),
  };
}

function kafkaSignalSettings(c: ParsedConfig): KafkaSignalSettings {
  const bootstrapServers = c.getString('signal.kafka.bootstrap.servers');
  if (!bootstrapServers) {
    throw new ConfigException('signal.kafka.bootstrap.servers', null, 'The kafka signal channel needs the bootstrap servers of the signal topic\'s cluster');
  }
  const prefix = c.getString('topic.prefix')!;
  const consumerProps: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.originals)) if (k.startsWith('signal.consumer.') && v !== undefined) consumerProps[k.slice('signal.consumer.'.length)] = v;
  return {
    topic: c.getString('signal.kafka.topic') ?? `${prefix}-signal`,
    bootstrapServers,
    groupId: c.getString('signal.kafka.groupId') ?? `kafka-signal-${prefix}`,
    pollTimeoutMs: c.getInt('signal.kafka.poll.timeout.ms')!,
    consumerProps,
  };
}
