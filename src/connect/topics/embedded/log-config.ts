/** Topic configs the embedded log acts on, with Kafka's defaults. Other configs are kept but ignored. */
import { ConfigException } from '../../errors.js';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  /** -1: unlimited. */
  retentionBytes: number;
  /** -1: unlimited. */
  retentionMs: number;
  /** False for `cleanup.policy=compact` alone: then nothing is deleted (compaction is not implemented). */
  deleteEnabled: boolean;
}

const DEFAULTS: Record<string, string> = {
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'cleanup.policy': 'delete',
};

function int(configs: Record<string, string>, name: string, min: number): number {
  const raw = configs[name] ?? DEFAULTS[name]!;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigException(name, raw, `must be an integer >= ${min}`);
  return n;
}

export function parseLogConfig(configs: Record<string, string>): LogConfig {
  const policy = (configs['cleanup.policy'] ?? DEFAULTS['cleanup.policy']!).split(',').map((s) => s.trim());
  return {
    segmentBytes: int(configs, 'segment.bytes', 14),
    segmentMs: int(configs, 'segment.ms', 1),
    retentionBytes: int(configs, 'retention.bytes', -1),
    retentionMs: int(configs, 'retention.ms', -1),
    deleteEnabled: policy.includes('delete'),
  };
}
