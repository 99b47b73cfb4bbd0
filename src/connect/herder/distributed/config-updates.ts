/**
 * What a change read from the config topic means for this worker (the config-update half of Kafka's
 * `DistributedHerder.tick()`), for the eager protocol:
 *   - a connector that appeared or disappeared, or new task configs (a commit record): everyone rejoins;
 *   - a changed config of a connector running here: restart it (it then regenerates its task configs);
 *   - a target state: applied to the connector and tasks running here (resuming a STOPPED connector
 *     starts it again, which generates its tasks);
 *   - a restart request (KIP-745): the connector and tasks running here that the request selects restart.
 * The callbacks come from the config log's reader; the work runs in the herder's loop.
 */
import type { ConfigUpdateListener } from '../../storage/kafka/kafka-config-store.js';
import type { RestartRequest } from '../types.js';
import type { DistributedHerder } from './distributed-herder.js';

export class ConfigUpdates implements ConfigUpdateListener {
  /** Connectors the last assignment was made from. */
  private known = new Set<string>();

  constructor(private readonly herder: DistributedHerder) {}

  rebalanced(connectors: string[]): void {
    this.known = new Set(connectors);
  }

  onConnectorConfigUpdate(connector: string): void {
    if (!this.known.has(connector)) {
      this.herder.requestRejoin();
      return;
    }
    this.inLoop(`restart of ${connector} with its new config`, async () => {
      if (this.herder.owns(connector)) await this.herder.restartConnectorHere(connector);
    });
  }

  onConnectorConfigRemove(connector: string): void {
    this.herder.requestRejoin();
  }

  onTaskConfigUpdate(): void {
    this.herder.requestRejoin();
  }

  onTargetStateChange(connector: string): void {
    this.inLoop(`target state of ${connector}`, async () => {
      const e = this.herder.configs.get(connector);
      if (!e) return;
      const worker = this.herder.workerRef;
      if (this.herder.owns(connector)) {
        if (e.targetState !== 'STOPPED' && !worker.isRunning(connector)) {
          await this.herder.startConnector(connector);
          return;
        }
        await worker.setConnectorTargetState(connector, e.targetState);
        if (e.targetState === 'STARTED') await this.herder.reconfigureTasks(connector);
      } else {
        // Tasks of the connector that run here.
        await worker.setConnectorTargetState(connector, e.targetState);
      }
    });
  }

  onRestartRequest(connector: string, request: RestartRequest): void {
    this.inLoop(`restart of ${connector}`, async () => {
      const status = this.herder.statusOf(connector);
      if (!status) return;
      const restartConnector = !request.onlyFailed || status.connector.state === 'FAILED';
      const tasks = status.tasks
        .filter((t) => request.includeTasks && (!request.onlyFailed || t.state === 'FAILED'))
        .map((t) => ({ connector, task: t.id }))
        .filter((id) => this.herder.ownsTask(id));
      if (restartConnector && this.herder.owns(connector)) {
        this.herder.statusWriter.connector(connector, 'RESTARTING');
        await this.herder.restartConnectorHere(connector);
      }
      for (const id of tasks) {
        this.herder.statusWriter.task(id, 'RESTARTING');
        await this.herder.restartTaskHere(id);
      }
    });
  }

  private inLoop(what: string, fn: () => Promise<void>): void {
    void this.herder.serialized(fn).catch((err) => this.herder.logger.error({ err }, `Failed to apply ${what}`));
  }
}
