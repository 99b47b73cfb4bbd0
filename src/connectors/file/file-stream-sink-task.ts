/**
 * `org.apache.kafka.connect.file.FileStreamSinkTask`: appends the string form of each record value and a
 * newline; `flush` makes the lines durable (fsync) before the worker commits the consumed offsets.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SinkTask, type TopicPartition } from '../../connect/api/index.js';
import type { SinkRecord } from '../../connect/data/index.js';
import { ConnectException } from '../../connect/errors.js';
import { javaToString } from '../../converters/java-format.js';
import { KAFKA_VERSION } from '../../converters/version.js';
import { FILE_CONFIG, SINK_CONFIG_DEF } from './config.js';

export class FileStreamSinkTask extends SinkTask {
  /** The `task.class` shown in task configs. */
  static readonly className = 'org.apache.kafka.connect.file.FileStreamSinkTask';

  private filename: string | null = null;
  private file: FileHandle | null = null;

  version(): string {
    return KAFKA_VERSION;
  }

  async start(props: Record<string, string>): Promise<void> {
    this.filename = SINK_CONFIG_DEF.parse(props).getString(FILE_CONFIG) || null;
    if (this.filename === null) return; // standard output
    try {
      this.file = await open(this.filename, 'a');
    } catch (e) {
      throw new ConnectException(`Couldn't find or create file '${this.filename}' for FileStreamSinkTask`, { cause: e });
    }
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    let text = '';
    for (const r of records) text += javaToString(r.value, r.valueSchema) + '\n';
    if (this.file) await this.file.write(text);
    else process.stdout.write(text);
  }

  override async flush(_offsets: Map<TopicPartition, number>): Promise<void> {
    if (this.file) await this.file.sync();
  }

  async stop(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (file) await file.close();
  }
}
