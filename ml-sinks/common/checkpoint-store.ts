/**
 * Where a model sink keeps its checkpoint: a file (or directory) on this machine, or a compacted Kafka
 * topic. A checkpoint is a few named files (the k-means sink: `kmeans.json`; the tfjs sink: `model.json`,
 * `weights.bin`, `state.json`) plus the model version it holds.
 *
 * Both stores are all-or-nothing: `save` resolves once the whole checkpoint is durable (fsync / acks=all),
 * and `load` returns the newest complete checkpoint, never part of one. The sinks call `save` in
 * `flush`/`preCommit`, so a committed offset means the record's effect on the model is durable.
 *
 * Configuration (both sinks): `model.checkpoint.file` / `model.checkpoint.dir` (files), or
 * `model.checkpoint.topic` + `model.checkpoint.bootstrap.servers` (Kafka; see kafka-checkpoint-store.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigDef, type ParsedConfig, Validators } from '../../src/connect/api/index.js';
import { ConfigException } from '../../src/connect/errors.js';
import { checkpointPath, readFileIfExists, writeFileAtomic } from './checkpoint.js';
import { KafkaCheckpointStore } from './kafka-checkpoint-store.js';

export interface ModelCheckpoint {
  /**
   * The model version the checkpoint holds, as the sink gave it to `save`. The Kafka store records it in the
   * manifest; `load` from the file stores gives null (the version is inside the sink's own files).
   */
  version: number | null;
  /** File name → bytes. */
  files: Map<string, Uint8Array>;
}

export interface CheckpointStore {
  /** For log lines: the file, directory or `topic/key`. */
  readonly location: string;
  start(): Promise<void>;
  /** The newest complete checkpoint, or null when there is none. */
  load(): Promise<ModelCheckpoint | null>;
  /** Resolves when the checkpoint is durable. */
  save(checkpoint: ModelCheckpoint): Promise<void>;
  stop(): Promise<void>;
}

// --- configuration ---------------------------------------------------------------------------------

const G_CHECKPOINT = 'Checkpoint';

/** The Kafka checkpoint keys both model sinks accept (the file keys are defined by each sink). */
export const CHECKPOINT_TOPIC_CONFIG_DEF = new ConfigDef()
  .define({ name: 'model.checkpoint.topic', type: 'STRING', defaultValue: '', group: G_CHECKPOINT,
    documentation: 'Compacted Kafka topic holding the model checkpoints (created with cleanup.policy=compact when missing), key <connector>-<task>. ' +
      'Exclusive with model.checkpoint.file/model.checkpoint.dir.' })
  .define({ name: 'model.checkpoint.bootstrap.servers', type: 'STRING', defaultValue: '', group: G_CHECKPOINT,
    documentation: 'Kafka cluster of model.checkpoint.topic; required with it (a task cannot see the worker\'s bootstrap.servers). ' +
      'model.checkpoint.security.protocol, model.checkpoint.sasl.* and model.checkpoint.ssl.* configure the client.' })
  .define({ name: 'model.checkpoint.topic.replication.factor', type: 'INT', defaultValue: -1, group: G_CHECKPOINT,
    documentation: 'Replication factor of model.checkpoint.topic when it is created (-1: the broker\'s default).' })
  .define({ name: 'model.checkpoint.part.bytes', type: 'INT', defaultValue: 256 * 1024, validator: Validators.atLeast(1024), group: G_CHECKPOINT,
    documentation: 'A checkpoint is written as records of at most this many bytes, then a manifest record naming them (well under the broker\'s message.max.bytes).' });

export interface CheckpointSettings {
  file: string;
  dir: string;
  topic: string;
  bootstrapServers: string;
  replicationFactor: number;
  partBytes: number;
  /** Client properties for the checkpoint topic's clients (security.protocol, sasl.*, ssl.*). */
  clientProps: Record<string, string>;
}

const CLIENT_KEYS = /^(security\.protocol|sasl\..+|ssl\..+|request\.timeout\.ms|client\.dns\.lookup)$/;

export function parseCheckpointSettings(c: ParsedConfig, props: Readonly<Record<string, string>>): CheckpointSettings {
  const s: CheckpointSettings = {
    file: c.getString('model.checkpoint.file') ?? '',
    dir: c.getString('model.checkpoint.dir') ?? '',
    topic: (c.getString('model.checkpoint.topic') ?? '').trim(),
    bootstrapServers: (c.getString('model.checkpoint.bootstrap.servers') ?? '').trim(),
    replicationFactor: c.getInt('model.checkpoint.topic.replication.factor') ?? -1,
    partBytes: c.getInt('model.checkpoint.part.bytes') ?? 256 * 1024,
    clientProps: {},
  };
  for (const [k, v] of Object.entries(props)) {
    const rest = k.startsWith('model.checkpoint.') ? k.slice('model.checkpoint.'.length) : '';
    if (CLIENT_KEYS.test(rest)) s.clientProps[rest] = v;
  }
  if (s.topic) {
    if (s.file || s.dir) throw new ConfigException('model.checkpoint.topic', s.topic, 'model.checkpoint.file or model.checkpoint.dir is set too; give one place for the checkpoint');
    if (!s.bootstrapServers) throw new ConfigException('model.checkpoint.bootstrap.servers', '', 'required when model.checkpoint.topic is set');
    if (s.replicationFactor === 0 || s.replicationFactor < -1) throw new ConfigException('model.checkpoint.topic.replication.factor', s.replicationFactor, 'Value must be -1 or at least 1');
  }
  return s;
}

export interface CheckpointStoreOptions {
  connector: string;
  task: number;
  /** `kmeans` / `tfjs`: recorded in the manifest; the file name suffix in model.checkpoint.dir. */
  kind: string;
  /** `file`: one file (the checkpoint's only entry is the file at the path); `directory`: one file per entry. */
  layout: 'file' | 'directory';
  log?: Logger;
}

/** The store the settings ask for, or null when the model is not checkpointed at all. */
export function checkpointStoreFor(s: CheckpointSettings, o: CheckpointStoreOptions): CheckpointStore | null {
  if (s.topic) {
    return new KafkaCheckpointStore({
      topic: s.topic,
      bootstrapServers: s.bootstrapServers,
      clientProps: s.clientProps,
      replicationFactor: s.replicationFactor,
      partBytes: s.partBytes,
      connector: o.connector,
      task: o.task,
      kind: o.kind,
      log: o.log,
    });
  }
  const suffix = o.layout === 'file' ? `${o.kind}.json` : o.kind;
  const path = checkpointPath(s.file, s.dir, o.connector, o.task, suffix);
  if (!path) return null;
  return o.layout === 'file' ? new SingleFileCheckpointStore(path, `${o.kind}.json`) : new DirectoryCheckpointStore(path);
}

// --- files ------------------------------------------------------------------------------------------

/** A checkpoint of one entry, written atomically to one file (the version lives inside the file). */
export class SingleFileCheckpointStore implements CheckpointStore {
  constructor(
    readonly location: string,
    private readonly entry: string,
  ) {}

  async start(): Promise<void> {}

  async load(): Promise<ModelCheckpoint | null> {
    const bytes = await readFileIfExists(this.location);
    return bytes ? { version: null, files: new Map([[this.entry, bytes]]) } : null;
  }

  async save(cp: ModelCheckpoint): Promise<void> {
    const data = cp.files.get(this.entry);
    if (!data || cp.files.size !== 1) throw new Error(`A single-file checkpoint holds exactly '${this.entry}'`);
    await writeFileAtomic(this.location, data);
  }

  async stop(): Promise<void> {}
}

/**
 * A checkpoint of several files in a directory: written into `<dir>.tmp`, then swapped in by two renames
 * (`<dir>` → `<dir>.old`, `<dir>.tmp` → `<dir>`). A crash between them leaves `<dir>.old`, which `load` reads.
 */
export class DirectoryCheckpointStore implements CheckpointStore {
  constructor(readonly location: string) {}

  async start(): Promise<void> {}

  async load(): Promise<ModelCheckpoint | null> {
    // Only complete directories are ever renamed to these names.
    for (const dir of [this.location, `${this.location}.old`]) {
      if (!existsSync(dir)) continue;
      const files = new Map<string, Uint8Array>();
      for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
      return { version: null, files };
    }
    return null;
  }

  async save(cp: ModelCheckpoint): Promise<void> {
    const dir = this.location;
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const [name, data] of cp.files) await writeFileAtomic(join(tmp, name), data);
    if (existsSync(dir)) {
      await rm(`${dir}.old`, { recursive: true, force: true });
      await rename(dir, `${dir}.old`);
    }
    await rename(tmp, dir);
    await rm(`${dir}.old`, { recursive: true, force: true });
  }

  async stop(): Promise<void> {}
}
