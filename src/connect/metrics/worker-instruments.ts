/**
 * What the Worker needs for its metrics, in one place so the Worker only calls in at a few points:
 * the worker-level groups, per task its `connector-task-metrics`, `task-error-metrics`, source or sink
 * group and the plugin's own groups (`context.metrics`), and the status listeners that keep the `status`
 * attributes current.
 */
import type { PluginMetrics } from '../api/metrics.js';
import type { ConnectorTaskId } from '../herder/types.js';
import type { ErrorReporter, ProcessingContext } from '../runtime/errors/retry-with-tolerance.js';
import type { ConnectorStatusListener } from '../runtime/worker-connector.js';
import type { TaskStatusListener } from '../runtime/worker-task.js';
import { ConnectMetrics } from './connect-metrics.js';
import { ErrorHandlingCounters, SinkTaskMetrics, SourceTaskMetrics, type TaskMetricState, TaskMetrics } from './task-metrics.js';
import { type ConnectorFacts, type ConnectorMetricState, WorkerMetrics } from './worker-metrics.js';

/** The metrics of one task, from its start until it is removed from the worker. */
export class TaskInstruments {
  readonly task: TaskMetrics;
  /** Groups the plugin opens through its context. */
  readonly plugin: PluginMetrics & { close(): void };
  private readonly closers: (() => void)[] = [];

  constructor(private readonly metrics: ConnectMetrics, private readonly id: ConnectorTaskId) {
    this.task = new TaskMetrics(metrics.window);
    this.closers.push(this.task.register(metrics, id));
    this.plugin = metrics.scoped({ connector: id.connector, task: id.task });
    this.closers.push(() => this.plugin.close());
  }

  get errors(): ErrorHandlingCounters {
    return this.task.errors;
  }

  source(): SourceTaskMetrics {
    const m = new SourceTaskMetrics(this.metrics.window);
    this.closers.push(m.register(this.metrics, this.id));
    return m;
  }

  sink(): SinkTaskMetrics {
    const m = new SinkTaskMetrics(this.metrics.window);
    this.closers.push(m.register(this.metrics, this.id));
    return m;
  }

  /** Keeps the `status` attribute in step with what the task reports to the herder. */
  listener(listener: TaskStatusListener): TaskStatusListener {
    const set = (state: TaskMetricState) => this.task.changeState(state);
    return {
      onStartup: (id) => (set('running'), listener.onStartup(id)),
      onPause: (id) => (set('paused'), listener.onPause(id)),
      onResume: (id) => (set('running'), listener.onResume(id)),
      onFailure: (id, e) => (set('failed'), listener.onFailure(id, e)),
      onShutdown: (id) => (set('unassigned'), listener.onShutdown(id)),
    };
  }

  close(): void {
    for (const c of this.closers.splice(0)) c();
  }
}

export class WorkerInstruments {
  readonly metrics: ConnectMetrics;
  private readonly worker: WorkerMetrics;
  private readonly tasks = new Map<string, { id: ConnectorTaskId; instruments: TaskInstruments }>();

  constructor(
    metrics: ConnectMetrics | undefined,
    workerProps: Record<string, string>,
    connectorCount: () => number,
    /** Whether a task instance runs on the worker (`<connector>-<task>`). */
    private readonly taskRunning: (key: string) => boolean,
  ) {
    this.metrics =
      metrics ??
      new ConnectMetrics({
        window: { windowMs: Number(workerProps['metrics.sample.window.ms'] ?? 30_000), samples: Number(workerProps['metrics.num.samples'] ?? 2) },
      });
    this.worker = new WorkerMetrics(this.metrics, {
      connectorCount,
      taskStates: () => [...this.tasks.values()].map((t) => ({ connector: t.id.connector, state: t.instruments.task.state })),
    });
  }

  /** A connector instance was created (its `connector-metrics` appear). */
  connectorCreated(name: string, facts: Omit<ConnectorFacts, 'state'>): void {
    this.worker.addConnector(name, { ...facts, state: 'unassigned' });
  }

  connectorStartup(success: boolean): void {
    this.worker.connectorStartup(success);
  }

  /** The connector left the worker; so do the metrics of its tasks that never ran (failed to start). */
  connectorRemoved(name: string): void {
    this.worker.removeConnector(name);
    for (const [key, t] of this.tasks) {
      if (t.id.connector === name && !this.taskRunning(key)) {
        t.instruments.close();
        this.tasks.delete(key);
      }
    }
  }

  connectorListener(listener: ConnectorStatusListener): ConnectorStatusListener {
    const set = (name: string, state: ConnectorMetricState) => this.worker.connectorState(name, state);
    return {
      onStartup: (name) => (set(name, 'running'), listener.onStartup(name)),
      onPause: (name) => (set(name, 'paused'), listener.onPause(name)),
      onStop: (name) => (set(name, 'stopped'), listener.onStop(name)),
      onFailure: (name, e) => (set(name, 'failed'), listener.onFailure(name, e)),
      onShutdown: (name) => (set(name, 'unassigned'), listener.onShutdown(name)),
    };
  }

  /** A task is being built: its groups appear (replacing those of an earlier instance). */
  taskStarting(id: ConnectorTaskId): TaskInstruments {
    const key = `${id.connector}-${id.task}`;
    this.tasks.get(key)?.instruments.close();
    const instruments = new TaskInstruments(this.metrics, id);
    this.tasks.set(key, { id, instruments });
    return instruments;
  }

  /** Whether the task could be built and started; a task that could not shows status `failed`. */
  taskStartup(id: ConnectorTaskId, success: boolean): void {
    this.worker.taskStartup(success);
    if (!success) this.tasks.get(`${id.connector}-${id.task}`)?.instruments.task.changeState('failed');
  }

  taskRemoved(id: ConnectorTaskId): void {
    const key = `${id.connector}-${id.task}`;
    this.tasks.get(key)?.instruments.close();
    this.tasks.delete(key);
  }

  close(): void {
    for (const t of this.tasks.values()) t.instruments.close();
    this.tasks.clear();
  }
}

/** An error reporter that counts its reports and its failed reports (`task-error-metrics`). */
export function countedReporter(reporter: ErrorReporter, onReport: (ctx: ProcessingContext) => void, onFailure: () => void): ErrorReporter {
  return {
    async report(ctx) {
      onReport(ctx);
      try {
        await reporter.report(ctx);
      } catch (e) {
        onFailure();
        throw e;
      }
    },
    close: reporter.close ? () => reporter.close!() : undefined,
  };
}
