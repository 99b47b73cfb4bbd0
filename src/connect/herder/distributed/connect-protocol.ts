/**
 * Kafka Connect's group protocol, eager version 0 (`ConnectProtocol`), byte for byte what a JVM worker
 * sends. Kafka's protocol types: INT16/INT32/INT64 big-endian, STRING = INT16 length + UTF-8,
 * ARRAY = INT32 count + elements.
 *
 *   Member metadata (JoinGroup, protocol name "default"):
 *     Version => INT16 (0)   Url => STRING   ConfigOffset => INT64
 *   Assignment (SyncGroup):
 *     Version => INT16 (0)   Error => INT16   Leader => STRING   LeaderUrl => STRING   ConfigOffset => INT64
 *     Assignment => [Connector => STRING, Tasks => [INT32]]      task -1 = the connector instance itself
 *
 * Metadata of a newer version (the incremental cooperative protocols, v1/v2) starts with the same fields,
 * so a leader can read what JVM workers offer; this worker only offers "default" (eager), which makes a
 * mixed group fall back to eager.
 */
import type { ConnectorTaskId } from '../types.js';

export const EAGER_PROTOCOL = 'default';
export const CONNECT_PROTOCOL_TYPE = 'connect';
export const CONNECTOR_TASK = -1;
export const NO_ERROR = 0;
/** The leader could not use the newest config offset a member reported: read the config topic and rejoin. */
export const CONFIG_MISMATCH = 1;

export interface WorkerState {
  url: string;
  configOffset: number;
}

export interface ConnectAssignment {
  error: number;
  leader: string;
  leaderUrl: string;
  configOffset: number;
  connectors: string[];
  tasks: ConnectorTaskId[];
}

class Writer {
  private readonly parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    this.parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  string(): string {
    const n = this.int16();
    if (n < 0) throw new Error('null STRING in Connect protocol');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

export function serializeMetadata(state: WorkerState): Buffer {
  return new Writer().int16(0).string(state.url).int64(state.configOffset).done();
}

/** Reads any version's metadata (v1/v2 append fields after these). */
export function deserializeMetadata(buf: Buffer): WorkerState {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) throw new Error(`Unsupported Connect protocol version ${version}`);
  return { url: r.string(), configOffset: r.int64() };
}

export function serializeAssignment(a: ConnectAssignment): Buffer {
  const byConnector = new Map<string, number[]>();
  for (const c of a.connectors) byConnector.set(c, [CONNECTOR_TASK]);
  for (const t of a.tasks) {
    let l = byConnector.get(t.connector);
    if (!l) byConnector.set(t.connector, (l = []));
    l.push(t.task);
  }
  const w = new Writer().int16(0).int16(a.error).string(a.leader).string(a.leaderUrl).int64(a.configOffset).int32(byConnector.size);
  for (const [connector, tasks] of byConnector) {
    w.string(connector).int32(tasks.length);
    for (const t of tasks) w.int32(t);
  }
  return w.done();
}

export function deserializeAssignment(buf: Buffer): ConnectAssignment {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== 0) throw new Error(`Unsupported Connect assignment version ${version}`);
  const error = r.int16();
  const leader = r.string();
  const leaderUrl = r.string();
  const configOffset = r.int64();
  const connectors: string[] = [];
  const tasks: ConnectorTaskId[] = [];
  for (let i = r.int32(); i > 0; i--) {
    const connector = r.string();
    for (let j = r.int32(); j > 0; j--) {
      const task = r.int32();
      if (task === CONNECTOR_TASK) connectors.push(connector);
      else tasks.push({ connector, task });
    }
  }
  return { error, leader, leaderUrl, configOffset, connectors, tasks };
}
