/**
 * `io.debezium.connector.postgresql.PostgresConnector`: validates the configuration and runs one task.
 */
import { SourceConnector, type TaskFactory, type SourceTask } from '../../connect/api/connector.js';
import type { ConfigDef, ConfigValue } from '../../connect/api/config-def.js';
import { ConfigException } from '../../connect/errors.js';
import { parsePostgresConfig, postgresConfigDef } from './config.js';
import { CONNECTOR_VERSION } from './source-info.js';
import { PostgresSourceTask } from './task.js';

export const POSTGRES_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

export class PostgresConnector extends SourceConnector {
  private props: Record<string, string> = {};

  version(): string {
    return CONNECTOR_VERSION;
  }

  start(props: Record<string, string>): void {
    parsePostgresConfig(props);
    this.props = { ...props };
  }

  taskClass(): TaskFactory<SourceTask> {
    return PostgresSourceTask;
  }

  /** Always one task: a logical replication slot has one consumer. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  config(): ConfigDef {
    return postgresConfigDef();
  }

  override validate(props: Record<string, string>): Map<string, ConfigValue> {
    const values = this.config().validateAll(props);
    if ([...values.values()].some((v) => v.errorMessages.length)) return values;
    try {
      parsePostgresConfig(props);
    } catch (e) {
      const msg = (e as Error).message;
      const key = e instanceof ConfigException ? [...values.keys()].find((k) => msg.includes(` ${k}`)) : undefined;
      const target = values.get(key ?? 'topic.prefix');
      target?.errorMessages.push(msg);
    }
    return values;
  }
}
