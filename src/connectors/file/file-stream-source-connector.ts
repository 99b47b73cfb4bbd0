/** `org.apache.kafka.connect.file.FileStreamSourceConnector`: one task that tails a file (or stdin) into a topic. */
import { type ConfigDef, SourceConnector, type TaskFactory, type SourceTask } from '../../connect/api/index.js';
import type { SourceMap } from '../../connect/data/index.js';
import { ConnectException } from '../../connect/errors.js';
import { getLogger } from '../../connect/logging.js';
import { KAFKA_VERSION } from '../../converters/version.js';
import { FILE_CONFIG, FILENAME_FIELD, POSITION_FIELD, SOURCE_CONFIG_DEF } from './config.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';

export class FileStreamSourceConnector extends SourceConnector {
  private props: Record<string, string> = {};

  version(): string {
    return KAFKA_VERSION;
  }

  config(): ConfigDef {
    return SOURCE_CONFIG_DEF;
  }

  start(props: Record<string, string>): void {
    this.props = props;
    const filename = SOURCE_CONFIG_DEF.parse(props).getString(FILE_CONFIG);
    getLogger('org.apache.kafka.connect.file.FileStreamSourceConnector').info(
      `Starting file source connector reading from ${filename ? filename : 'standard input'}`,
    );
  }

  taskClass(): TaskFactory<SourceTask> {
    return FileStreamSourceTask;
  }

  /** Only one input stream makes sense: a single task. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [this.props];
  }

  stop(): void {}

  /** Exactly-once is possible when reading a real (append-only) file, not stdin. */
  exactlyOnceSupport(props: Record<string, string>): 'SUPPORTED' | 'UNSUPPORTED' {
    return SOURCE_CONFIG_DEF.parse(props).getString(FILE_CONFIG) ? 'SUPPORTED' : 'UNSUPPORTED';
  }

  /** KIP-875: validates offsets a user writes over REST; the task checks the position against the file on start. */
  override alterOffsets(config: Record<string, string>, offsets: Map<SourceMap, SourceMap | null>): boolean {
    const filename = SOURCE_CONFIG_DEF.parse(config).getString(FILE_CONFIG);
    if (!filename) {
      throw new ConnectException(
        `Offsets cannot be modified if the '${FILE_CONFIG}' configuration is unspecified. This is because stdin is used for input and offsets are not tracked.`,
      );
    }
    for (const [partition, offset] of offsets) {
      if (offset === null || offset === undefined) continue; // tombstones are always allowed
      if (!(POSITION_FIELD in offset)) {
        throw new ConnectException(`Offset objects should either be null or contain the key '${POSITION_FIELD}'`);
      }
      const position = offset[POSITION_FIELD];
      if (!(typeof position === 'bigint' || (typeof position === 'number' && Number.isInteger(position)))) {
        throw new ConnectException(`The value for the '${POSITION_FIELD}' key in the offset is expected to be a Long value`);
      }
      if (position < 0) {
        throw new ConnectException(`The value for the '${POSITION_FIELD}' key in the offset should be a non-negative value`);
      }
      if (partition === null || partition === undefined) throw new ConnectException('Partition objects cannot be null');
      if (!(FILENAME_FIELD in partition)) {
        throw new ConnectException(`Partition objects should contain the key '${FILENAME_FIELD}'`);
      }
    }
    return true;
  }
}
