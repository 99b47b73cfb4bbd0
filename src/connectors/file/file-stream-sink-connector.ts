/** `org.apache.kafka.connect.file.FileStreamSinkConnector`: appends each record's value as a line to a file (or stdout). */
import { type ConfigDef, SinkConnector, type SinkTask, type TaskFactory, type TopicPartition } from '../../connect/api/index.js';
import { getLogger } from '../../connect/logging.js';
import { KAFKA_VERSION } from '../../converters/version.js';
import { FILE_CONFIG, SINK_CONFIG_DEF } from './config.js';
import { FileStreamSinkTask } from './file-stream-sink-task.js';

export class FileStreamSinkConnector extends SinkConnector {
  private props: Record<string, string> = {};

  version(): string {
    return KAFKA_VERSION;
  }

  config(): ConfigDef {
    return SINK_CONFIG_DEF;
  }

  start(props: Record<string, string>): void {
    this.props = props;
    const filename = SINK_CONFIG_DEF.parse(props).getString(FILE_CONFIG);
    getLogger('org.apache.kafka.connect.file.FileStreamSinkConnector').info(
      `Starting file sink connector writing to ${filename ? filename : 'standard output'}`,
    );
  }

  taskClass(): TaskFactory<SinkTask> {
    return FileStreamSinkTask;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => this.props);
  }

  stop(): void {}

  /** The sink keeps no offsets of its own: any change is fine. */
  override alterOffsets(_config: Record<string, string>, _offsets: Map<TopicPartition, number | null>): boolean {
    return true;
  }
}
