/**
 * A decoder for PostgreSQL's `pgoutput` logical replication messages (protocol version 1). Pure: it knows
 * nothing of Connect, sockets or sessions, and works on the payload bytes of one XLogData message.
 *
 * Wire grammar (all integers big-endian; String = zero-terminated UTF-8):
 *   B  Begin     Int64 finalLsn, Int64 commitTime (µs since 2000-01-01), Int32 xid
 *   C  Commit    Int8 flags, Int64 commitLsn, Int64 endLsn, Int64 commitTime
 *   O  Origin    Int64 originLsn, String name
 *   R  Relation  Int32 relid, String namespace, String name, Int8 replicaIdentity, Int16 ncols,
 *                ncols × (Int8 flags (1 = part of the key), String name, Int32 typeOid, Int32 typmod)
 *   Y  Type      Int32 oid, String namespace, String name
 *   I  Insert    Int32 relid, 'N' TupleData
 *   U  Update    Int32 relid, ['K' | 'O' TupleData], 'N' TupleData
 *   D  Delete    Int32 relid, 'K' | 'O' TupleData
 *   T  Truncate  Int32 nrels, Int8 options (1 cascade, 2 restart identity), nrels × Int32 relid
 *   M  Message   Int8 flags (1 = transactional), Int64 lsn, String prefix, Int32 length, Byte[length] content
 *   TupleData    Int16 ncols, ncols × ('n' null | 'u' unchanged TOAST | 't' Int32 len, text | 'b' Int32 len, binary)
 */

/** An LSN as a number (exact up to 2^53 bytes of WAL). */
export type Lsn = number;

/** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
export const PG_EPOCH_OFFSET_US = 946_684_800_000_000;

/** Marker for an unchanged TOASTed value (kind `u`), which pgoutput does not send. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');

/** A column value as sent: text, raw bytes (binary mode), null, or the unchanged-TOAST marker. */
export type TupleValue = string | Uint8Array | null | typeof UNCHANGED_TOAST;

export interface RelationColumn {
  readonly flags: number;
  readonly isKey: boolean;
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
}

export interface BeginMessage { readonly tag: 'begin'; readonly finalLsn: Lsn; readonly commitTimeUs: number; readonly xid: number }
export interface CommitMessage { readonly tag: 'commit'; readonly flags: number; readonly commitLsn: Lsn; readonly endLsn: Lsn; readonly commitTimeUs: number }
export interface OriginMessage { readonly tag: 'origin'; readonly originLsn: Lsn; readonly name: string }
export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationId: number;
  readonly schema: string;
  readonly name: string;
  /** `d` default, `n` nothing, `f` full, `i` index. */
  readonly replicaIdentity: string;
  readonly columns: readonly RelationColumn[];
}
export interface TypeMessage { readonly tag: 'type'; readonly typeOid: number; readonly schema: string; readonly name: string }
export interface InsertMessage { readonly tag: 'insert'; readonly relationId: number; readonly newTuple: TupleValue[] }
export interface UpdateMessage {
  readonly tag: 'update';
  readonly relationId: number;
  /** `K` (key columns only), `O` (the full old row) or null (no old tuple sent). */
  readonly oldKind: 'K' | 'O' | null;
  readonly oldTuple: TupleValue[] | null;
  readonly newTuple: TupleValue[];
}
export interface DeleteMessage { readonly tag: 'delete'; readonly relationId: number; readonly oldKind: 'K' | 'O'; readonly oldTuple: TupleValue[] }
export interface TruncateMessage { readonly tag: 'truncate'; readonly cascade: boolean; readonly restartIdentity: boolean; readonly relationIds: number[] }
export interface LogicalMessage { readonly tag: 'message'; readonly transactional: boolean; readonly lsn: Lsn; readonly prefix: string; readonly content: Uint8Array }

export type PgOutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;

export class PgOutputDecodeError extends Error {}

/** Reads one message; `buf` is the XLogData payload (after the 25-byte XLogData header). */
export function decodePgOutput(buf: Uint8Array): PgOutputMessage {
  const r = new Reader(buf);
  const tag = r.uint8();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.lsn(), commitTimeUs: r.int64() + PG_EPOCH_OFFSET_US, xid: r.uint32() };
    case 0x43 /* C */:
      return { tag: 'commit', flags: r.uint8(), commitLsn: r.lsn(), endLsn: r.lsn(), commitTimeUs: r.int64() + PG_EPOCH_OFFSET_US };
    case 0x4f /* O */:
      return { tag: 'origin', originLsn: r.lsn(), name: r.cstring() };
    case 0x52 /* R */: {
      const relationId = r.uint32();
      const schema = r.cstring();
      const name = r.cstring();
      const replicaIdentity = String.fromCharCode(r.uint8());
      const n = r.int16();
      const columns: RelationColumn[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const flags = r.uint8();
        columns[i] = { flags, isKey: (flags & 1) === 1, name: r.cstring(), typeOid: r.uint32(), typeMod: r.int32() };
      }
      return { tag: 'relation', relationId, schema, name, replicaIdentity, columns };
    }
    case 0x59 /* Y */:
      return { tag: 'type', typeOid: r.uint32(), schema: r.cstring(), name: r.cstring() };
    case 0x49 /* I */: {
      const relationId = r.uint32();
      r.expect(0x4e, 'N');
      return { tag: 'insert', relationId, newTuple: r.tuple() };
    }
    case 0x55 /* U */: {
      const relationId = r.uint32();
      let kind = r.uint8();
      let oldKind: 'K' | 'O' | null = null;
      let oldTuple: TupleValue[] | null = null;
      if (kind === 0x4b || kind === 0x4f) {
        oldKind = kind === 0x4b ? 'K' : 'O';
        oldTuple = r.tuple();
        kind = r.uint8();
      }
      if (kind !== 0x4e) throw new PgOutputDecodeError(`pgoutput UPDATE: expected 'N', got 0x${kind.toString(16)}`);
      return { tag: 'update', relationId, oldKind, oldTuple, newTuple: r.tuple() };
    }
    case 0x44 /* D */: {
      const relationId = r.uint32();
      const kind = r.uint8();
      if (kind !== 0x4b && kind !== 0x4f) throw new PgOutputDecodeError(`pgoutput DELETE: expected 'K' or 'O', got 0x${kind.toString(16)}`);
      return { tag: 'delete', relationId, oldKind: kind === 0x4b ? 'K' : 'O', oldTuple: r.tuple() };
    }
    case 0x54 /* T */: {
      const n = r.uint32();
      const options = r.uint8();
      const relationIds: number[] = new Array(n);
      for (let i = 0; i < n; i++) relationIds[i] = r.uint32();
      return { tag: 'truncate', cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationIds };
    }
    case 0x4d /* M */: {
      const flags = r.uint8();
      const lsn = r.lsn();
      const prefix = r.cstring();
      const len = r.uint32();
      return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content: r.bytes(len) };
    }
    default:
      throw new PgOutputDecodeError(`Unknown pgoutput message type 0x${tag.toString(16)} ('${String.fromCharCode(tag)}')`);
  }
}

/** A cursor over a byte array; views, not copies, except where a string is decoded. */
class Reader {
  private pos = 0;
  private readonly buf: Buffer;
  constructor(bytes: Uint8Array) {
    // Buffer#toString is much faster than TextDecoder for the short strings of a tuple; Buffer's own
    // readers avoid a DataView per message.
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new PgOutputDecodeError(`pgoutput message truncated at byte ${this.pos} (needed ${n} more)`);
  }
  uint8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  expect(byte: number, what: string): void {
    const b = this.uint8();
    if (b !== byte) throw new PgOutputDecodeError(`pgoutput: expected '${what}', got 0x${b.toString(16)}`);
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** Signed 64-bit as a number (timestamps in µs fit exactly). */
  int64(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  lsn(): Lsn {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new PgOutputDecodeError('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  tuple(): TupleValue[] {
    const n = this.int16();
    const out: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.uint8();
      switch (kind) {
        case 0x6e /* n */:
          out[i] = null;
          break;
        case 0x75 /* u */:
          out[i] = UNCHANGED_TOAST;
          break;
        case 0x74 /* t */: {
          const len = this.uint32();
          this.need(len);
          out[i] = this.buf.toString('utf8', this.pos, this.pos + len);
          this.pos += len;
          break;
        }
        case 0x62 /* b */:
          out[i] = this.bytes(this.uint32());
          break;
        default:
          throw new PgOutputDecodeError(`pgoutput: unknown tuple column kind 0x${kind.toString(16)}`);
      }
    }
    return out;
  }
}

/** `16/B374D848` -> number. */
export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`Invalid LSN: ${text}`);
  return parseInt(m[1]!, 16) * 4294967296 + parseInt(m[2]!, 16);
}

/** number -> `16/B374D848` (PostgreSQL's spelling). */
export function formatLsn(lsn: Lsn): string {
  const hi = Math.floor(lsn / 4294967296);
  const lo = lsn - hi * 4294967296;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
