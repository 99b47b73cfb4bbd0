/**
 * The signal and incremental snapshot settings (Debezium's `signal.*` and `incremental.snapshot.*` keys),
 * read from the connector config. The keys are defined in ../config.ts, whose parsePostgresConfig calls this.
 */
import type { ParsedConfig } from '../../../connect/api/config-def.js';
import { ConfigException } from '../../../connect/errors.js';

export interface SignalConfig {
  /** `schema.table` of the signal table, or null. */
  signalTable: { schema: string; table: string } | null;
  channels: Set<string>;
  signalFile: string;
  pollIntervalMs: number;
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
