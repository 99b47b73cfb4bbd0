/**
 * Kafka Connect's worker-level groups: `connect-worker-metrics` (connector and task counts, startup
 * attempts/successes/failures, and per connector its tasks on this worker by state) and
 * `connector-metrics` (per connector: status, type, class, version).
 */
import type { ConnectMetrics } from './connect-metrics.js';
import type { Group } from './connect-metrics.js';
import { type WindowConfig, WindowedRatio } from './sampled-stat.js';
import type { TaskMetricState } from './task-metrics.js';

const DOMAIN = 'kafka.connect';

export type ConnectorMetricState = 'unassigned' | 'running' | 'paused' | 'stopped' | 'failed' | 'destroyed' | 'restarting';

export interface ConnectorFacts {
  state: ConnectorMetricState;
  type: string;
  className: string;
  version: string;
}

/** What the worker tells its metrics about (read at scrape time). */
export interface WorkerView {
  connectorCount(): number;
  taskStates(): Iterable<{ connector: string; state: TaskMetricState }>;
}

const TASK_STATE_COUNTS: [string, TaskMetricState][] = [
  ['connector-running-task-count', 'running'],
  ['connector-paused-task-count', 'paused'],
  ['connector-failed-task-count', 'failed'],
  ['connector-unassigned-task-count', 'unassigned'],
  ['connector-destroyed-task-count', 'destroyed'],
  ['connector-restarting-task-count', 'restarting'],
];

/** Startups of connectors or of tasks: totals since the worker started, and their windowed success ratio. */
class StartupCounts {
  successes = 0;
  failures = 0;
  private readonly outcomes: WindowedRatio;

  constructor(window: WindowConfig) {
    this.outcomes = new WindowedRatio(window);
  }

  record(success: boolean, now = Date.now()): void {
    if (success) this.successes++;
    else this.failures++;
    this.outcomes.record(success, now);
  }

  /** The `<kind>-startup-*` attributes of `connect-worker-metrics`. */
  addTo(group: Group, kind: 'connector' | 'task'): void {
    const now = Date.now;
    group
      .gauge(`${kind}-startup-attempts-total`, () => this.successes + this.failures, `The total number of ${kind} startups that this worker has attempted.`)
      .gauge(`${kind}-startup-success-total`, () => this.successes, `The total number of ${kind} starts that succeeded.`)
      .gauge(`${kind}-startup-success-percentage`, () => this.outcomes.successRatio(now()), `The average percentage of this worker's ${kind}s starts that succeeded.`)
      .gauge(`${kind}-startup-failure-total`, () => this.failures, `The total number of ${kind} starts that failed.`)
      .gauge(`${kind}-startup-failure-percentage`, () => this.outcomes.failureRatio(now()), `The average percentage of this worker's ${kind}s starts that failed.`);
  }
}

export class WorkerMetrics {
  private readonly connectorStartups: StartupCounts;
  private readonly taskStartups: StartupCounts;
  private readonly connectors = new Map<string, { facts: ConnectorFacts; groups: Group[] }>();

  constructor(private readonly metrics: ConnectMetrics, private readonly view: WorkerView) {
    this.connectorStartups = new StartupCounts(metrics.window);
    this.taskStartups = new StartupCounts(metrics.window);
    const taskCount = () => {
      let n = 0;
      for (const _ of view.taskStates()) n++;
      return n;
    };
    const group = metrics
      .group(DOMAIN, 'connect-worker-metrics', {})
      .gauge('connector-count', () => view.connectorCount(), 'The number of connectors run in this worker.')
      .gauge('task-count', taskCount, 'The number of tasks run in this worker.');
    this.connectorStartups.addTo(group, 'connector');
    this.taskStartups.addTo(group, 'task');
  }

  connectorStartup(success: boolean): void {
    this.connectorStartups.record(success);
  }

  taskStartup(success: boolean): void {
    this.taskStartups.record(success);
  }

  /** A connector now runs on this worker: opens its groups (facts may change later through `connectorState`). */
  addConnector(name: string, facts: ConnectorFacts): void {
    this.removeConnector(name);
    const entry = { facts, groups: [] as Group[] };
    const owner = { connector: name };
    const tags = { connector: name };
    entry.groups.push(
      this.metrics
        .group(DOMAIN, 'connector-metrics', tags, owner)
        .info('status', () => entry.facts.state, "The status of the connector. One of 'unassigned', 'running', 'paused', 'failed', or 'destroyed'.")
        .info('connector-type', () => entry.facts.type, "The type of the connector. One of 'source' or 'sink'.")
        .info('connector-class', () => entry.facts.className, 'The name of the connector class.')
        .info('connector-version', () => entry.facts.version, 'The version of the connector class, as reported by the connector.'),
    );
    const perConnector = this.metrics.group(DOMAIN, 'connect-worker-metrics', tags, owner).gauge('connector-total-task-count', () => this.countTasks(name, null), 'The number of tasks of the connector on the worker.');
    for (const [attribute, state] of TASK_STATE_COUNTS) perConnector.gauge(attribute, () => this.countTasks(name, state), `The number of ${state} tasks of the connector on the worker.`);
    entry.groups.push(perConnector);
    this.connectors.set(name, entry);
  }

  connectorState(name: string, state: ConnectorMetricState): void {
    const entry = this.connectors.get(name);
    if (entry) entry.facts.state = state;
  }

  removeConnector(name: string): void {
    const entry = this.connectors.get(name);
    if (!entry) return;
    for (const g of entry.groups) g.close();
    this.connectors.delete(name);
  }

  private countTasks(connector: string, state: TaskMetricState | null): number {
    let n = 0;
    for (const t of this.view.taskStates()) if (t.connector === connector && (state === null || t.state === state)) n++;
    return n;
  }
}
