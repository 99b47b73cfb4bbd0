/**
 * The configuration keys of Kafka's file connectors (`org.apache.kafka.connect.file`), exactly theirs:
 * source `file` (null = standard input), `topic` (required), `batch.size` (2000); sink `file`
 * (null = standard output), plus the framework's `topics`.
 */
import { ConfigDef, Validators } from '../../connect/api/index.js';

export const FILE_CONFIG = 'file';
export const TOPIC_CONFIG = 'topic';
export const TASK_BATCH_SIZE_CONFIG = 'batch.size';
export const DEFAULT_TASK_BATCH_SIZE = 2000;

/** Source partition and offset field names. */
export const FILENAME_FIELD = 'filename';
export const POSITION_FIELD = 'position';

export const SOURCE_CONFIG_DEF = new ConfigDef()
  .define({
    name: FILE_CONFIG, type: 'STRING', defaultValue: null, importance: 'HIGH',
    documentation: 'Source filename. If not specified, the standard input will be used',
  })
  .define({
    name: TOPIC_CONFIG, type: 'STRING', validator: Validators.nonEmptyString(), importance: 'HIGH',
    documentation: 'The topic to publish data to',
  })
  .define({
    name: TASK_BATCH_SIZE_CONFIG, type: 'INT', defaultValue: DEFAULT_TASK_BATCH_SIZE, importance: 'LOW',
    documentation: 'The maximum number of records the source task can read from the file each time it is polled',
  });

export const SINK_CONFIG_DEF = new ConfigDef().define({
  name: FILE_CONFIG, type: 'STRING', defaultValue: null, importance: 'HIGH',
  documentation: 'Destination filename. If not specified, the standard output will be used',
});
