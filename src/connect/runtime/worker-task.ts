/**
 * The lifecycle every worker task shares (Kafka's `WorkerTask`): start, run the loop, follow the target state
 * (STARTED / PAUSED), stop gracefully, and report state changes to a listener (the herder writes statuses).
 * Subclasses give `initializeAndStart`, `execute` (the loop; returns when `stopping` is set) and `close`.
 */
import type { Logger } from 'pino';
import { ConnectException } from '../errors.js';
import type { ConnectorTaskId, TargetState } from '../herder/types.js';

export interface TaskStatusListener {
  onStartup(id: ConnectorTaskId): void;
  onPause(id: ConnectorTaskId): void;
  onResume(id: ConnectorTaskId): void;
  onFailure(id: ConnectorTaskId, error: unknown): void;
  onShutdown(id: ConnectorTaskId): void;
}

export abstract class WorkerTask {
  protected stopping = false;
  private paused: boolean;
  private resumeWaiters: (() => void)[] = [];
  private done: Promise<void> | null = null;
  private failed = false;

  constructor(
    readonly id: ConnectorTaskId,
    initialState: TargetState,
    protected readonly listener: TaskStatusListener,
    protected readonly logger: Logger,
  ) {
    this.paused = initialState === 'PAUSED';
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Starts the task's loop in the background. */
  start(): void {
    this.done ??= this.run();
  }

  private async run(): Promise<void> {
    try {
      await this.initializeAndStart();
      if (this.stopping) return;
      if (this.paused) this.listener.onPause(this.id);
      else this.listener.onStartup(this.id);
      await this.execute();
    } catch (e) {
      this.failed = true;
      this.logger.error({ err: e, task: `${this.id.connector}-${this.id.task}` }, 'Task threw an uncaught and unrecoverable exception');
      this.listener.onFailure(this.id, e);
    } finally {
      try {
        await this.close();
      } catch (e) {
        this.logger.warn({ err: e }, 'Error while closing task');
      }
      if (!this.failed) this.listener.onShutdown(this.id);
    }
  }

  protected abstract initializeAndStart(): Promise<void>;
  protected abstract execute(): Promise<void>;
  protected abstract close(): Promise<void>;

  /** Called when the task should wake from a wait (stop, resume). */
  protected wakeup(): void {}

  transitionTo(state: TargetState): void {
    if (state === 'PAUSED' && !this.paused) {
      this.paused = true;
      this.listener.onPause(this.id);
      this.wakeup();
    } else if (state === 'STARTED' && this.paused) {
      this.paused = false;
      this.listener.onResume(this.id);
      this.releaseWaiters();
    }
  }

  /** Asks the loop to end; `awaitStop` waits for it. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.releaseWaiters();
    this.wakeup();
  }

  /** Resolves true when the task ended within `timeoutMs` (`task.shutdown.graceful.timeout.ms`). */
  async awaitStop(timeoutMs: number): Promise<boolean> {
    if (!this.done) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    try {
      return await Promise.race([this.done.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits until resumed or stopped (or `maxMs` passed). */
  protected waitWhilePaused(maxMs = 1000): Promise<void> {
    if (!this.paused || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      const waiters = this.resumeWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private releaseWaiters(): void {
    const waiters = this.resumeWaiters.splice(0);
    for (const w of waiters) w();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves like `promise`, or rejects with a ConnectException after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectException(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
