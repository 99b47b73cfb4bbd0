/**
 * The three internal topics of distributed mode from the worker configuration (spec §4.1):
 * `<kind>.storage.topic` (required), `.replication.factor` (default 3, -1 = the broker's default),
 * `.partitions` (offsets 25, status 5; the config topic always has 1), and any other `<kind>.storage.*` key
 * as a topic config. `cleanup.policy` is always `compact`.
 */
import { ConfigException } from '../../errors.js';
import type { TopicSpec } from '../../topics/types.js';

export type InternalTopicKind = 'offset' | 'config' | 'status';

const DEFAULT_PARTITIONS: Record<InternalTopicKind, number> = { offset: 25, config: 1, status: 5 };
/** Keys under `<kind>.storage.` that are worker settings, not topic configs. */
const NOT_TOPIC_CONFIGS = new Set(['topic', 'replication.factor', 'partitions', 'file.filename']);

export function internalTopicKey(kind: InternalTopicKind): string {
  return `${kind}.storage.topic`;
}

export function internalTopicSpec(props: Readonly<Record<string, string | undefined>>, kind: InternalTopicKind): TopicSpec {
  const prefix = `${kind}.storage.`;
  const name = props[`${prefix}topic`]?.trim();
  if (!name) throw new ConfigException(`Missing required configuration "${prefix}topic" which has no default value.`);
  const int = (key: string, dflt: number): number => {
    const raw = props[key];
    if (raw === undefined || raw.trim() === '') return dflt;
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n === 0 || n < -1) throw new ConfigException(key, raw, 'Value must be -1 or at least 1');
    return n;
  };
  const replicationFactor = int(`${prefix}replication.factor`, 3);
  const partitions = kind === 'config' ? 1 : int(`${prefix}partitions`, DEFAULT_PARTITIONS[kind]);
  const configs: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || !k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    if (!NOT_TOPIC_CONFIGS.has(rest)) configs[rest] = v;
  }
  configs['cleanup.policy'] = 'compact';
  return { name, partitions, replicationFactor, configs };
}
