/**
 * Creating the topics a source task writes to (KIP-158). With the worker's `topic.creation.enable` and a
 * connector that sets `topic.creation.default.*`, a new topic gets the settings of the first group in
 * `topic.creation.groups` whose `include` matches it (and `exclude` does not), else the default group's.
 * Without those settings a missing topic is created with the backend's defaults, as a broker with
 * `auto.create.topics.enable` would (what the Debezium blogs rely on).
 */
import type { TopicBackend, TopicSpec } from '../topics/types.js';

interface TopicCreationGroup {
  name: string;
  include: RegExp[];
  exclude: RegExp[];
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

const GROUP_KEYS = new Set(['include', 'exclude', 'partitions', 'replication.factor']);

export class TopicCreator {
  private readonly groups: TopicCreationGroup[] | null;
  private readonly known = new Set<string>();

  constructor(
    private readonly backend: TopicBackend,
    workerTopicCreationEnabled: boolean,
    connectorConfig: Record<string, string>,
  ) {
    this.groups = workerTopicCreationEnabled ? parseGroups(connectorConfig) : null;
  }

  /** Makes sure the topic exists; cheap after the first call per topic. */
  async ensure(topic: string): Promise<void> {
    if (this.known.has(topic)) return;
    if (!(await this.backend.describeTopic(topic))) await this.backend.createTopics([this.specFor(topic)]);
    this.known.add(topic);
  }

  specFor(topic: string): TopicSpec {
    if (!this.groups) return { name: topic, partitions: -1, replicationFactor: -1 };
    const group = this.groups.find((g) => g.name !== 'default' && g.include.some((r) => r.test(topic)) && !g.exclude.some((r) => r.test(topic))) ??
      this.groups.find((g) => g.name === 'default')!;
    return { name: topic, partitions: group.partitions, replicationFactor: group.replicationFactor, configs: group.configs };
  }
}

function parseGroups(config: Record<string, string>): TopicCreationGroup[] | null {
  const prefix = 'topic.creation.';
  if (!Object.keys(config).some((k) => k.startsWith(prefix))) return null;
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const regexes = (v: string | undefined) =>
    (v ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => new RegExp(`^(?:${s})$`));
  const group = (name: string, base?: TopicCreationGroup): TopicCreationGroup => {
    const p = `${prefix}${name}.`;
    const configs: Record<string, string> = { ...(base?.configs ?? {}) };
    for (const [k, v] of Object.entries(config)) {
      if (k.startsWith(p) && !GROUP_KEYS.has(k.slice(p.length))) configs[k.slice(p.length)] = v;
    }
    return {
      name,
      include: name === 'default' ? [/.*/] : regexes(config[`${p}include`]),
      exclude: name === 'default' ? [] : regexes(config[`${p}exclude`]),
      partitions: num(config[`${p}partitions`], base?.partitions ?? -1),
      replicationFactor: num(config[`${p}replication.factor`], base?.replicationFactor ?? -1),
      configs,
    };
  };
  const def = group('default');
  const names = (config['topic.creation.groups'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return [...names.map((n) => group(n, def)), def];
}
