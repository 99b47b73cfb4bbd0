/** `io.tsconnect.ml.TfjsClassifierSinkConnector`: one task (one model), configured by config.ts. */
import { type ConfigDef, type ConfigValue, SinkConnector, type SinkTask, type TaskFactory } from '../../src/connect/api/index.js';
import { TFJS_CONFIG_DEF, parseTfjsConfig } from './config.js';
import { TFJS_SINK_VERSION, TfjsClassifierSinkTask } from './task.js';

export class TfjsClassifierSinkConnector extends SinkConnector {
  private props: Record<string, string> = {};

  version(): string {
    return TFJS_SINK_VERSION;
  }

  start(props: Record<string, string>): void {
    parseTfjsConfig(props);
    this.props = { ...props };
  }

  taskClass(): TaskFactory<SinkTask> {
    return TfjsClassifierSinkTask;
  }

  /** A single task whatever tasks.max says: one model. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  config(): ConfigDef {
    return TFJS_CONFIG_DEF;
  }

  override validate(props: Record<string, string>): Map<string, ConfigValue> {
    const values = super.validate(props) as Map<string, ConfigValue>;
    if ([...values.values()].some((v) => v.errorMessages.length > 0)) return values;
    try {
      parseTfjsConfig(props);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const key = /configuration (\S+)/.exec(msg)?.[1];
      ((key && values.get(key)) || values.get('train.topics')!).errorMessages.push(msg);
    }
    return values;
  }
}
