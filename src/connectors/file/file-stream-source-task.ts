/**
 * `org.apache.kafka.connect.file.FileStreamSourceTask`: each line of the file becomes a record (value: the
 * line as a STRING, key null) on `topic`. Source partition `{"filename": <file>}`, offset
 * `{"position": <byte position after the line>}`; on start it resumes from the committed offset. Lines end
 * at `\n`, `\r\n` or `\r`; a last line without its end waits for it. At the end of the file `poll` waits up
 * to a second (waking as soon as the file grows or the task stops). Without `file` it reads standard input
 * and tracks no offsets.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SourceTask } from '../../connect/api/index.js';
import { Schema, SourceRecord, type SourceMap } from '../../connect/data/index.js';
import { ConnectException } from '../../connect/errors.js';
import { getLogger } from '../../connect/logging.js';
import { KAFKA_VERSION } from '../../converters/version.js';
import { FILE_CONFIG, FILENAME_FIELD, POSITION_FIELD, SOURCE_CONFIG_DEF, TASK_BATCH_SIZE_CONFIG, TOPIC_CONFIG } from './config.js';

const EMPTY = Buffer.alloc(0);
const CHUNK_SIZE = 64 * 1024;
/** Longest wait in one `poll` when there is no new data (Kafka's task waits 1 s). */
const IDLE_WAIT_MS = 1000;
const IDLE_CHECK_MS = 50;

const log = () => getLogger('org.apache.kafka.connect.file.FileStreamSourceTask');

export class FileStreamSourceTask extends SourceTask {
  /** The `task.class` shown in task configs. */
  static readonly className = 'org.apache.kafka.connect.file.FileStreamSourceTask';

  private filename: string | null = null;
  private topic = '';
  private batchSize = 2000;
  private partition: SourceMap = {};
  private file: FileHandle | null = null;
  private stdin: StdinBuffer | null = null;
  /** Bytes of the file read so far. */
  private readPosition = 0;
  /** Byte position after the last line returned; null for stdin (not tracked). */
  private streamOffset: number | null = 0;
  /** Bytes read but not yet returned as lines. */
  private pending: Buffer = EMPTY;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_SIZE);
  private stopped = false;
  private wakeUp: (() => void) | null = null;

  version(): string {
    return KAFKA_VERSION;
  }

  start(props: Record<string, string>): void {
    const config = SOURCE_CONFIG_DEF.parse(props);
    this.filename = config.getString(FILE_CONFIG) || null;
    this.topic = config.getString(TOPIC_CONFIG)!;
    this.batchSize = config.getInt(TASK_BATCH_SIZE_CONFIG)!;
    this.partition = Object.freeze({ [FILENAME_FIELD]: this.filename });
    this.stopped = false;
    if (this.filename === null) {
      this.stdin = new StdinBuffer();
      this.streamOffset = null;
    }
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    if (this.filename !== null && this.file === null && !(await this.openFile())) return null;
    const records: SourceRecord[] = [];
    let readAny = false;
    try {
      for (;;) {
        this.extractLines(records);
        if (records.length >= this.batchSize) return records;
        const n = await this.readMore();
        if (n <= 0) break;
        readAny = true;
      }
    } catch (e) {
      if (this.stopped) return null; // the file was closed under us by stop()
      throw new ConnectException(`Error while reading from ${this.logFilename()}`, { cause: e });
    }
    if (!readAny && records.length === 0) await this.waitForData();
    return records.length > 0 ? records : null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    this.stdin?.close();
    const file = this.file;
    this.file = null;
    if (file) await file.close().catch(() => undefined);
  }

  /** Opens the file and skips to the committed position; false (after a wait) while the file does not exist. */
  private async openFile(): Promise<boolean> {
    const filename = this.filename!;
    let file: FileHandle;
    try {
      file = await open(filename, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        log().warn(`Couldn't find file ${filename} for FileStreamSourceTask, sleeping to wait for it to be created`);
        await this.sleep(IDLE_WAIT_MS);
        return false;
      }
      throw new ConnectException(`Error while trying to open file ${filename}`, { cause: e });
    }
    let position = 0;
    try {
      const offset = await this.context.offsetStorageReader.offset(this.partition);
      const last = offset?.[POSITION_FIELD];
      if (last !== null && last !== undefined) {
        if (!(typeof last === 'bigint' || (typeof last === 'number' && Number.isInteger(last)))) {
          throw new ConnectException('Offset position is the incorrect type');
        }
        position = Number(last);
        log().debug(`Found previous offset, skipping to file offset ${position}`);
      }
    } catch (e) {
      await file.close();
      throw e;
    }
    if (this.stopped) {
      await file.close();
      return false;
    }
    this.file = file;
    this.readPosition = position;
    this.streamOffset = position;
    this.pending = EMPTY;
    log().debug(`Opened ${filename} for reading`);
    return true;
  }

  /** Reads the next chunk into `pending`; returns the number of bytes read (0 at the end). */
  private async readMore(): Promise<number> {
    let bytes: Buffer;
    if (this.stdin) {
      bytes = this.stdin.take();
    } else {
      const file = this.file;
      if (!file) return 0;
      const { bytesRead } = await file.read(this.chunk, 0, CHUNK_SIZE, this.readPosition);
      this.readPosition += bytesRead;
      bytes = this.chunk.subarray(0, bytesRead);
    }
    if (bytes.length > 0) this.pending = this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    return bytes.length;
  }

  /** Moves complete lines from `pending` into `records`, up to the batch size. */
  private extractLines(records: SourceRecord[]): void {
    const buf = this.pending;
    let cursor = 0;
    while (records.length < this.batchSize) {
      let until = -1;
      let next = -1;
      for (let i = cursor; i < buf.length; i++) {
        const b = buf[i];
        if (b === 10) {
          until = i;
          next = i + 1;
          break;
        }
        if (b === 13) {
          if (i + 1 >= buf.length) break; // need the next byte to tell \r from \r\n
          until = i;
          next = buf[i + 1] === 10 ? i + 2 : i + 1;
          break;
        }
      }
      if (until < 0) break;
      const line = buf.toString('utf8', cursor, until);
      if (this.streamOffset !== null) this.streamOffset += next - cursor;
      records.push(
        new SourceRecord({
          sourcePartition: this.partition,
          sourceOffset: { [POSITION_FIELD]: this.streamOffset },
          topic: this.topic,
          kafkaPartition: null,
          keySchema: null,
          key: null,
          valueSchema: Schema.STRING_SCHEMA,
          value: line,
          timestamp: Date.now(),
        }),
      );
      cursor = next;
    }
    if (cursor > 0) this.pending = buf.subarray(cursor);
  }

  /** Waits until the file grows (or stdin has data), the task stops, or a second passes. */
  private async waitForData(): Promise<void> {
    const deadline = Date.now() + IDLE_WAIT_MS;
    while (!this.stopped && Date.now() < deadline) {
      await this.sleep(IDLE_CHECK_MS);
      if (this.stdin ? this.stdin.available() > 0 : await this.fileGrew()) return;
    }
  }

  private async fileGrew(): Promise<boolean> {
    const file = this.file;
    if (!file) return false;
    try {
      return (await file.stat()).size > this.readPosition;
    } catch {
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private logFilename(): string {
    return this.filename ?? 'stdin';
  }
}

/** Collects what arrives on standard input until the task takes it. */
class StdinBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly onData = (chunk: Buffer) => {
    this.chunks.push(chunk);
    this.size += chunk.length;
  };

  constructor() {
    process.stdin.on('data', this.onData);
  }

  available(): number {
    return this.size;
  }

  take(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    return out ?? EMPTY;
  }

  close(): void {
    process.stdin.off('data', this.onData);
    process.stdin.pause();
  }
}
