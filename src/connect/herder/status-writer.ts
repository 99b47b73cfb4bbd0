/**
 * Turns connector and task lifecycle events into status records (RUNNING, PAUSED, STOPPED, FAILED with the
 * trace, UNASSIGNED), like the listeners of Kafka's `AbstractHerder`.
 */
import { errorTrace } from '../errors.js';
import type { ConnectorStatusListener } from '../runtime/worker-connector.js';
import type { TaskStatusListener } from '../runtime/worker-task.js';
import type { StatusBackingStore } from '../storage/status-store.js';
import type { ConnectorTaskId, State } from './types.js';

export class StatusWriter implements ConnectorStatusListener, TaskStatusListener {
  constructor(
    private readonly store: StatusBackingStore,
    private readonly workerId: string,
    /** The group generation written with each status (standalone: 0; distributed: the current one). */
    private readonly generation: number | (() => number) = 0,
  ) {}

  private entry(state: State, error?: unknown) {
    const generation = typeof this.generation === 'function' ? this.generation() : this.generation;
    return { state, trace: error === undefined ? null : errorTrace(error), workerId: this.workerId, generation };
  }

  connector(name: string, state: State, error?: unknown): void {
    this.store.putConnector(name, this.entry(state, error));
  }

  task(id: ConnectorTaskId, state: State, error?: unknown): void {
    this.store.putTask(id.connector, id.task, this.entry(state, error));
  }

  // ConnectorStatusListener
  onStartup(nameOrId: string | ConnectorTaskId): void {
    if (typeof nameOrId === 'string') this.connector(nameOrId, 'RUNNING');
    else this.task(nameOrId, 'RUNNING');
  }
  onPause(nameOrId: string | ConnectorTaskId): void {
    if (typeof nameOrId === 'string') this.connector(nameOrId, 'PAUSED');
    else this.task(nameOrId, 'PAUSED');
  }
  onResume(id: ConnectorTaskId): void {
    this.task(id, 'RUNNING');
  }
  onStop(name: string): void {
    this.connector(name, 'STOPPED');
  }
  onFailure(nameOrId: string | ConnectorTaskId, error: unknown): void {
    if (typeof nameOrId === 'string') this.connector(nameOrId, 'FAILED', error);
    else this.task(nameOrId, 'FAILED', error);
  }
  onShutdown(nameOrId: string | ConnectorTaskId): void {
    if (typeof nameOrId === 'string') {
      if (this.store.connector(nameOrId)) this.connector(nameOrId, 'UNASSIGNED');
    } else if (this.store.task(nameOrId.connector, nameOrId.task)) {
      this.task(nameOrId, 'UNASSIGNED');
    }
  }
}
