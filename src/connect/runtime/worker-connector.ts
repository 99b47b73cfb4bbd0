/**
 * A running connector instance (Kafka's `WorkerConnector`): starts it, follows its target state (PAUSED and
 * STOPPED stop the instance; STARTED starts it again) and reports state changes.
 */
import type { Logger } from 'pino';
import type { Connector, ConnectorContext } from '../api/connector.js';
import type { TargetState } from '../herder/types.js';

export interface ConnectorStatusListener {
  onStartup(name: string): void;
  onPause(name: string): void;
  onStop(name: string): void;
  onFailure(name: string, error: unknown): void;
  onShutdown(name: string): void;
}

export class WorkerConnector {
  private running = false;
  private failed = false;
  private state: TargetState;

  constructor(
    readonly name: string,
    readonly connector: Connector,
    private readonly config: Record<string, string>,
    context: ConnectorContext,
    initialState: TargetState,
    private readonly listener: ConnectorStatusListener,
    private readonly logger: Logger,
  ) {
    this.state = initialState;
    connector.initialize({
      ...context,
      raiseError: (error) => void this.fail(error),
    });
  }

  get targetState(): TargetState {
    return this.state;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /** Starts the instance if the target state says so; resolves false when it failed to start. */
  async start(): Promise<boolean> {
    return this.transitionTo(this.state, true);
  }

  async transitionTo(state: TargetState, initial = false): Promise<boolean> {
    const previous = this.state;
    this.state = state;
    if (this.failed) return false;
    try {
      if (state === 'STARTED') {
        if (!this.running) {
          await this.connector.start(this.config);
          this.running = true;
        }
        this.listener.onStartup(this.name);
      } else {
        if (this.running) {
          await this.connector.stop();
          this.running = false;
        }
        if (initial || previous !== state) {
          if (state === 'PAUSED') this.listener.onPause(this.name);
          else this.listener.onStop(this.name);
        }
      }
      return true;
    } catch (e) {
      await this.fail(e);
      return false;
    }
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    return this.connector.taskConfigs(maxTasks);
  }

  private async fail(error: unknown): Promise<void> {
    this.logger.error({ err: error, connector: this.name }, 'Connector failed');
    this.failed = true;
    this.listener.onFailure(this.name, error);
    if (this.running) {
      this.running = false;
      try {
        await this.connector.stop();
      } catch {
        /* already failed */
      }
    }
  }

  /** Stops the instance for good (delete, restart, worker shutdown). */
  async shutdown(): Promise<void> {
    try {
      if (this.running) await this.connector.stop();
    } catch (e) {
      this.logger.warn({ err: e, connector: this.name }, 'Error while stopping connector');
    } finally {
      this.running = false;
      if (!this.failed) this.listener.onShutdown(this.name);
    }
  }
}
