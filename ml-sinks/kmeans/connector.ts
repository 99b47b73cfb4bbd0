/** `io.tsconnect.ml.KMeansSinkConnector`: one task (one model), configured by config.ts. */
import { type ConfigDef, type ConfigValue, SinkConnector, type TaskFactory, type SinkTask } from '../../src/connect/api/index.js';
import { KMEANS_CONFIG_DEF, parseKMeansConfig } from './config.js';
import { KMEANS_VERSION, KMeansSinkTask } from './task.js';

export class KMeansSinkConnector extends SinkConnector {
  private props: Record<string, string> = {};

  version(): string {
    return KMEANS_VERSION;
  }

  start(props: Record<string, string>): void {
    parseKMeansConfig(props);
    this.props = { ...props };
  }

  taskClass(): TaskFactory<SinkTask> {
    return KMeansSinkTask;
  }

  /** A single task whatever tasks.max says: the model is global, like Flink's countWindowAll. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  config(): ConfigDef {
    return KMEANS_CONFIG_DEF;
  }

  /** Adds the cross-key checks (centroid count and width, decay/half-life, topic roles) to the key checks. */
  override validate(props: Record<string, string>): Map<string, ConfigValue> {
    const values = super.validate(props) as Map<string, ConfigValue>;
    if ([...values.values()].some((v) => v.errorMessages.length > 0)) return values;
    try {
      parseKMeansConfig(props);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const key = /configuration (\S+)/.exec(msg)?.[1];
      const target = (key && values.get(key)) || values.get('algorithm')!;
      target.errorMessages.push(msg);
    }
    return values;
  }
}
