/**
 * Model checkpoints on a compacted Kafka topic (`model.checkpoint.topic`), read and written through
 * KafkaBasedLog (the same reader/writer as the worker's offset, config and status topics).
 *
 * Records of one task (`<c>` = connector name, `<t>` = task number; keys and JSON values are UTF-8):
 *
 *   <c>-<t>/<id>/<n>   part n of checkpoint <id>: a slice of the files' bytes (at most model.checkpoint.part.bytes)
 *   <c>-<t>            the manifest, written last: {"format", "kind", "version", "id", "parts", "bytes",
 *                      "sha256", "files": [{"name", "bytes"}], ...}
 *
 * `<id>` is `<version>-<random>`, new for every checkpoint, so writing one never overwrites the parts the
 * current manifest names: a writer that dies half-way leaves parts no manifest points to, which are ignored
 * (and deleted with tombstones by the next successful save). After a save the parts of the checkpoint it
 * replaced are deleted with tombstones too, so compaction keeps about one checkpoint per task.
 * Every write is acknowledged by all in-sync replicas (acks=all) before `save` resolves.
 *
 * On start the topic is read to its end; `load` assembles the checkpoint the newest manifest names and
 * checks its length and SHA-256. Two live instances of one task (a zombie) are not fenced.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { KafkaBasedLog, type LogRecord, kafkaClientFor } from '../../src/connect/storage/kafka/index.js';
import { KafkaTopicBackend } from '../../src/connect/topics/kafka/index.js';
import { ConnectException } from '../../src/connect/errors.js';
import type { CheckpointStore, ModelCheckpoint } from './checkpoint-store.js';

export const MANIFEST_FORMAT = 'tsconnect.model-checkpoint/1';
/** The broker's default `message.max.bytes`; a part plus its key must stay below the topic's limit. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface KafkaCheckpointStoreOptions {
  topic: string;
  bootstrapServers: string;
  /** security.protocol, sasl.*, ssl.* for the clients. */
  clientProps?: Record<string, string>;
  /** When the topic is created (-1: the broker's default). */
  replicationFactor?: number;
  partBytes: number;
  connector: string;
  task: number;
  kind: string;
  log?: Logger;
}

export interface CheckpointManifest {
  format: typeof MANIFEST_FORMAT;
  connector: string;
  task: number;
  kind: string;
  version: number | null;
  id: string;
  parts: number;
  bytes: number;
  sha256: string;
  files: { name: string; bytes: number }[];
  /** Epoch ms of the write. */
  timestamp: number;
}

export class KafkaCheckpointStore implements CheckpointStore {
  readonly location: string;
  /** The manifest key; part keys start with `<key>/`. */
  readonly key: string;
  private readonly backend: KafkaTopicBackend;
  private readonly log: KafkaBasedLog;
  private manifest: Buffer | null = null;
  /** Part values read at start; dropped once `load` has run (only their keys are tracked after that). */
  private parts: Map<string, Buffer> | null = new Map();
  /** Part keys present on the topic (not deleted by a tombstone), as far as this task has read or written. */
  private readonly partKeys = new Set<string>();
  /** Part keys of the checkpoint the current manifest names (kept on the next save). */
  private currentParts: string[] = [];

  constructor(private readonly o: KafkaCheckpointStoreOptions) {
    this.key = `${o.connector}-${o.task}`;
    this.location = `${o.topic}/${this.key}`;
    const props = { 'bootstrap.servers': o.bootstrapServers, ...(o.clientProps ?? {}) };
    this.backend = KafkaTopicBackend.fromWorkerConfig(props, o.log);
    const clientId = `${o.connector}-${o.task}-model-checkpoint`;
    const configs: Record<string, string> = { 'cleanup.policy': 'compact' };
    const needed = o.partBytes + 64 * 1024;
    if (needed > DEFAULT_MAX_MESSAGE_BYTES) configs['max.message.bytes'] = String(needed);
    this.log = new KafkaBasedLog({
      backend: this.backend,
      kafka: kafkaClientFor(props, clientId),
      topic: { name: o.topic, partitions: 1, replicationFactor: o.replicationFactor ?? -1, configs },
      topicKey: 'model.checkpoint.topic',
      clientId,
      onRecord: (r) => this.apply(r),
      log: o.log,
    });
  }

  /** Creates the topic when missing (compacted) and reads it to the end. */
  async start(): Promise<void> {
    try {
      await this.log.start();
    } catch (e) {
      await this.backend.close().catch(() => undefined);
      throw e;
    }
  }

  private apply(r: LogRecord): void {
    if (!r.key) return;
    const key = r.key.toString('utf8');
    if (key === this.key) {
      if (this.parts) this.manifest = r.value;
    } else if (key.startsWith(`${this.key}/`)) {
      if (r.value === null) {
        this.partKeys.delete(key);
        this.parts?.delete(key);
      } else {
        this.partKeys.add(key);
        this.parts?.set(key, r.value);
      }
    }
  }

  async load(): Promise<ModelCheckpoint | null> {
    const parts = this.parts;
    if (!parts) throw new ConnectException('The checkpoint was loaded already');
    const raw = this.manifest;
    this.parts = null;
    this.manifest = null;
    if (raw === null) return null;
    let m: CheckpointManifest;
    try {
      m = JSON.parse(raw.toString('utf8')) as CheckpointManifest;
    } catch (e) {
      throw new ConnectException(`The checkpoint manifest ${this.location} is not JSON`, { cause: e });
    }
    if (m.format !== MANIFEST_FORMAT) throw new ConnectException(`The checkpoint manifest ${this.location} has an unknown format '${String(m.format)}'`);
    if (m.kind !== this.o.kind) {
      this.o.log?.warn({ checkpoint: this.location, kind: m.kind }, `The checkpoint is of a ${m.kind} model, not ${this.o.kind}; ignoring it`);
      return null;
    }
    const keys = Array.from({ length: m.parts }, (_, i) => `${this.key}/${m.id}/${i}`);
    const slices: Buffer[] = [];
    for (const k of keys) {
      const p = parts.get(k);
      // Parts are acknowledged before their manifest is written, so this means the topic lost data.
      if (!p) throw new ConnectException(`Checkpoint ${m.id} of ${this.location} misses its record ${k}; the model cannot be restored`);
      slices.push(p);
    }
    const payload = Buffer.concat(slices);
    const sha = createHash('sha256').update(payload).digest('hex');
    if (payload.length !== m.bytes || sha !== m.sha256) {
      throw new ConnectException(`Checkpoint ${m.id} of ${this.location} is corrupt (${payload.length} bytes, sha256 ${sha}; the manifest says ${m.bytes}, ${m.sha256})`);
    }
    const files = new Map<string, Uint8Array>();
    let at = 0;
    for (const f of m.files) {
      files.set(f.name, payload.subarray(at, at + f.bytes));
      at += f.bytes;
    }
    this.currentParts = keys;
    return { version: m.version, files };
  }

  async save(cp: ModelCheckpoint): Promise<void> {
    const names = [...cp.files.keys()];
    const payload = Buffer.concat(names.map((n) => cp.files.get(n)!));
    const id = `${cp.version ?? 'x'}-${randomBytes(4).toString('hex')}`;
    const count = Math.max(1, Math.ceil(payload.length / this.o.partBytes));
    const keys: string[] = [];
    // One record per request: a request holding several parts could exceed the broker's size limit.
    for (let i = 0; i < count; i++) {
      const key = `${this.key}/${id}/${i}`;
      const slice = payload.subarray(i * this.o.partBytes, Math.min(payload.length, (i + 1) * this.o.partBytes));
      await this.log.send([{ key: Buffer.from(key), value: slice }]);
      keys.push(key);
      this.partKeys.add(key);
    }
    const manifest: CheckpointManifest = {
      format: MANIFEST_FORMAT,
      connector: this.o.connector,
      task: this.o.task,
      kind: this.o.kind,
      version: cp.version,
      id,
      parts: count,
      bytes: payload.length,
      sha256: createHash('sha256').update(payload).digest('hex'),
      files: names.map((name) => ({ name, bytes: cp.files.get(name)!.byteLength })),
      timestamp: Date.now(),
    };
    await this.log.send([{ key: Buffer.from(this.key), value: Buffer.from(JSON.stringify(manifest)) }]);
    this.currentParts = keys;
    await this.deleteStaleParts();
  }

  /** Tombstones for every part the current manifest does not name (replaced or half-written checkpoints). */
  private async deleteStaleParts(): Promise<void> {
    const keep = new Set(this.currentParts);
    const stale = [...this.partKeys].filter((k) => !keep.has(k));
    if (stale.length === 0) return;
    try {
      await this.log.send(stale.map((k) => ({ key: Buffer.from(k), value: null })));
      for (const k of stale) this.partKeys.delete(k);
    } catch (e) {
      // The checkpoint itself is durable; the next save tries again.
      this.o.log?.warn({ err: e, checkpoint: this.location }, 'Could not delete the parts of replaced checkpoints');
    }
  }

  async stop(): Promise<void> {
    await this.log.stop();
    await this.backend.close().catch(() => undefined);
  }
}
