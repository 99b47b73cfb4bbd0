/**
 * The metrics of one worker (Kafka's `ConnectMetrics`), served by `GET /metrics` in the Prometheus text
 * format through prom-client. Each worker has its own prom-client Registry (several workers may share a
 * process), never prom-client's global one.
 *
 * Groups (like JMX MBeans) hold attributes that are read at scrape time: the task loops and plugins keep
 * plain numbers current and nothing touches prom-client per record. One prom-client Gauge or Counter per
 * series name gathers, in its `collect()`, the values of every open group that has that attribute.
 * Naming: ./naming.ts.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricGroup, MetricValue, PluginMetrics } from '../api/metrics.js';
import { type GroupName, labelName, metricLabels, metricName, objectName } from './naming.js';
import { KAFKA_DEFAULT_WINDOW, type WindowConfig } from './sampled-stat.js';

type Kind = 'gauge' | 'counter';

/** Who opened a group: a connector, or one of its tasks. */
export interface GroupOwner {
  connector: string;
  task?: number;
}
type Labels = Record<string, string>;

/** One attribute of one group: yields its label sets and values at scrape time. */
interface Member {
  labels: Labels;
  read(emit: (labels: Labels, value: number) => void): void;
}

interface Family {
  kind: Kind;
  metric: Gauge | Counter;
  members: Set<Member>;
}

export interface ConnectMetricsOptions {
  /** `metrics.sample.window.ms` and `metrics.num.samples`. */
  window?: WindowConfig;
  /** The longest a scrape waits for asynchronous refreshes (slot queries). */
  refreshTimeoutMs?: number;
}

export class ConnectMetrics implements PluginMetrics {
  readonly registry = new Registry();
  readonly window: WindowConfig;
  private readonly families = new Map<string, Family>();
  private readonly groups = new Map<string, Group>();
  private readonly refreshers = new Set<() => Promise<void>>();
  private readonly refreshTimeoutMs: number;

  constructor(options: ConnectMetricsOptions = {}) {
    this.window = options.window ?? KAFKA_DEFAULT_WINDOW;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 2000;
  }

  group(domain: string, type: string, tags: Record<string, string>, owner: GroupOwner | null = null): Group {
    const name: GroupName = { domain, type, tags: { ...tags } };
    const id = objectName(name);
    this.groups.get(id)?.close();
    const g = new Group(this, id, name, owner);
    this.groups.set(id, g);
    return g;
  }

  /** Group factory for one task or connector: its groups are tagged with `owner` and closed together. */
  scoped(owner: GroupOwner): PluginMetrics & { close(): void } {
    const opened = new Set<Group>();
    return {
      group: (domain, type, tags) => {
        const g = this.group(domain, type, tags, owner);
        opened.add(g);
        return g;
      },
      close: () => {
        for (const g of opened) g.close();
        opened.clear();
      },
    };
  }

  /** Open groups, optionally only those opened for a connector or its tasks. */
  openGroups(connector?: string): Group[] {
    return [...this.groups.values()].filter((g) => connector === undefined || g.owner?.connector === connector);
  }

  /** Worker-level refresh before each scrape (e.g. to open or close groups of things that come and go). */
  beforeScrape(refresh: () => Promise<void>): () => void {
    this.refreshers.add(refresh);
    return () => this.refreshers.delete(refresh);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text. Refreshes run first, each bounded by `refreshTimeoutMs`. */
  async scrape(): Promise<string> {
    const all = [...this.refreshers];
    for (const g of this.groups.values()) all.push(...g.refreshers);
    if (all.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, this.refreshTimeoutMs)));
      await Promise.race([Promise.allSettled(all.map((f) => f())), timeout]);
      clearTimeout(timer);
    }
    return this.registry.metrics();
  }

  /** @internal */
  addMember(name: string, kind: Kind, help: string, member: Member): void {
    let family = this.families.get(name);
    if (!family) {
      const labelNames = Object.keys(member.labels);
      const members = new Set<Member>();
      const collect = function (this: Gauge | Counter): void {
        this.reset();
        for (const m of members) {
          m.read((labels, value) => {
            if (kind === 'counter') (this as Counter).inc(labels, value);
            else (this as Gauge).set(labels, value);
          });
        }
      };
      const config = { name, help, labelNames, registers: [this.registry], collect };
      family = { kind, metric: kind === 'counter' ? new Counter(config) : new Gauge(config), members };
      this.families.set(name, family);
    } else if (family.kind !== kind) {
      throw new Error(`Metric ${name} is already registered as a ${family.kind}`);
    }
    family.members.add(member);
  }

  /** @internal */
  removeMember(name: string, member: Member): void {
    const family = this.families.get(name);
    if (!family) return;
    family.members.delete(member);
    if (family.members.size === 0) {
      this.registry.removeSingleMetric(name);
      this.families.delete(name);
    }
  }

  /** @internal */
  forget(id: string, g: Group): void {
    if (this.groups.get(id) === g) this.groups.delete(id);
  }
}

/** One group (an MBean). Attributes are added fluently; `close` removes its series. */
export class Group implements MetricGroup {
  private readonly members: [string, Member][] = [];
  /** Readers by attribute, for in-process consumers (the console's history). */
  private readonly readers = new Map<string, () => number | null>();
  readonly refreshers: (() => Promise<void>)[] = [];
  private readonly labels: Labels;
  private closed = false;

  constructor(
    private readonly metrics: ConnectMetrics,
    readonly id: string,
    readonly name: GroupName,
    /** The task or connector that opened it (null: the worker). */
    readonly owner: GroupOwner | null,
  ) {
    this.labels = metricLabels(name);
  }

  gauge(attribute: string, read: () => MetricValue, help?: string): this {
    const labels = this.labels;
    const value = (): number | null => {
      const v = read();
      return v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v;
    };
    this.readers.set(attribute, value);
    return this.add(attribute, attribute.endsWith('-total') ? 'counter' : 'gauge', help, {
      labels,
      read(emit) {
        const v = value();
        if (v !== null) emit(labels, v);
      },
    });
  }

  counter(attribute: string, read: () => number, help?: string): this {
    const labels = this.labels;
    this.readers.set(attribute, read);
    return this.add(attribute, 'counter', help, { labels, read: (emit) => emit(labels, read()) });
  }

  keyed(attribute: string, label: string, read: () => Iterable<readonly [string, number]>, help?: string): this {
    const key = labelName(label);
    const labels = { ...this.labels, [key]: '' };
    this.readers.set(attribute, () => {
      let sum = 0;
      for (const [, v] of read()) sum += v;
      return sum;
    });
    return this.add(attribute, 'gauge', help, {
      labels,
      read: (emit) => {
        for (const [k, v] of read()) emit({ ...this.labels, [key]: k }, v);
      },
    });
  }

  info(attribute: string, read: () => string | null, help?: string): this {
    const key = labelName(attribute);
    const labels = { ...this.labels, [key]: '' };
    return this.add(attribute, 'gauge', help, {
      labels,
      read: (emit) => {
        const v = read();
        if (v !== null) emit({ ...this.labels, [key]: v }, 1);
      },
    });
  }

  beforeScrape(refresh: () => Promise<void>): this {
    this.refreshers.push(refresh);
    return this;
  }

  /** The current value of a numeric attribute (keyed ones: their sum); undefined when it has none. */
  read(attribute: string): number | null | undefined {
    return this.readers.get(attribute)?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [name, m] of this.members) this.metrics.removeMember(name, m);
    this.members.length = 0;
    this.metrics.forget(this.id, this);
  }

  private add(attribute: string, kind: Kind, help: string | undefined, member: Member): this {
    if (this.closed) return this;
    const name = metricName(this.name, attribute);
    this.metrics.addMember(name, kind, help ?? describe(this.name, attribute), member);
    this.members.push([name, member]);
    return this;
  }
}

function describe(group: GroupName, attribute: string): string {
  return `${attribute} of ${group.domain}:type=${group.type}`;
}
