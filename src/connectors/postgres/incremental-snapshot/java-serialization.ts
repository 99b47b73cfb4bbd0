/**
 * Debezium stores incremental snapshot keys (`incremental_snapshot_primary_key`, `..._maximum_key`) as the
 * hex of a Java-serialized `Object[]` (ObjectOutputStream). This module writes that form for the values we
 * produce (Integer, Long, String) and reads what Debezium wrote (any serializable classes; Integer, Short,
 * Byte, Long, String, Boolean, UUID, BigDecimal/BigInteger are turned into JS values), so an offset can move
 * between the JVM connector and this one mid-snapshot. Grammar: Java Object Serialization Specification §6.
 */

const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_STRING = 0x74;
const TC_ARRAY = 0x75;
const TC_CLASS = 0x76;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
const TC_BLOCKDATALONG = 0x7a;
const TC_LONGSTRING = 0x7c;
const TC_ENUM = 0x7e;
const BASE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;

/** A key element: what Java would hold (Integer / Long / String) in the JS form we use. */
export type JavaKeyValue = { type: 'int'; value: number } | { type: 'long'; value: bigint } | { type: 'string'; value: string } | null;

class Writer {
  private chunks: number[] = [];
  private handles = 0;
  private readonly classHandles = new Map<string, number>();

  u8(b: number): void {
    this.chunks.push(b & 0xff);
  }
  u16(n: number): void {
    this.u8(n >> 8);
    this.u8(n);
  }
  i32(n: number): void {
    for (let s = 24; s >= 0; s -= 8) this.u8(n >> s);
  }
  i64(n: bigint): void {
    const u = BigInt.asUintN(64, n);
    for (let s = 56n; s >= 0n; s -= 8n) this.u8(Number((u >> s) & 0xffn));
  }
  hex(h: string): void {
    for (let i = 0; i < h.length; i += 2) this.u8(parseInt(h.slice(i, i + 2), 16));
  }
  utf(s: string): void {
    const b = modifiedUtf8(s);
    this.u16(b.length);
    for (const x of b) this.u8(x);
  }
  newHandle(): number {
    return BASE_HANDLE + this.handles++;
  }
  /** A class descriptor: written once, then referenced. */
  classDesc(name: string, suidHex: string, fields: [string, string][], superDesc: (() => void) | null): void {
    const h = this.classHandles.get(name);
    if (h !== undefined) {
      this.u8(TC_REFERENCE);
      this.i32(h);
      return;
    }
    this.u8(TC_CLASSDESC);
    this.utf(name);
    this.hex(suidHex);
    this.classHandles.set(name, this.newHandle());
    this.u8(0x02); // SC_SERIALIZABLE
    this.u16(fields.length);
    for (const [code, fname] of fields) {
      this.u8(code.charCodeAt(0));
      this.utf(fname);
    }
    this.u8(TC_ENDBLOCKDATA);
    if (superDesc) superDesc();
    else this.u8(TC_NULL);
  }
  number(): void {
    this.classDesc('java.lang.Number', '86ac951d0b94e08b', [], null);
  }
  bytes(): Buffer {
    return Buffer.from(this.chunks);
  }
}

function modifiedUtf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 1 && c <= 0x7f) out.push(c);
    else if (c <= 0x7ff) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/** hex(ObjectOutputStream.writeObject(array)); `null` writes a null reference, as Debezium does for a missing key. */
export function serializeKeyArray(values: readonly JavaKeyValue[] | null): string {
  const w = new Writer();
  w.u16(0xaced);
  w.u16(5);
  if (values === null) {
    w.u8(TC_NULL);
    return w.bytes().toString('hex');
  }
  w.u8(TC_ARRAY);
  w.classDesc('[Ljava.lang.Object;', '90ce589f1073296c', [], null);
  w.newHandle();
  w.i32(values.length);
  for (const v of values) {
    if (v === null) w.u8(TC_NULL);
    else if (v.type === 'string') {
      w.u8(TC_STRING);
      w.newHandle();
      w.utf(v.value);
    } else if (v.type === 'int') {
      w.u8(TC_OBJECT);
      w.classDesc('java.lang.Integer', '12e2a0a4f7818738', [['I', 'value']], () => w.number());
      w.newHandle();
      w.i32(v.value);
    } else {
      w.u8(TC_OBJECT);
      w.classDesc('java.lang.Long', '3b8be490cc8f23df', [['J', 'value']], () => w.number());
      w.newHandle();
      w.i64(v.value);
    }
  }
  return w.bytes().toString('hex');
}

interface ClassDesc {
  name: string;
  flags: number;
  fields: { code: string; name: string }[];
  superDesc: ClassDesc | null;
}

interface JavaObject {
  className: string;
  fields: Record<string, unknown>;
}

class Reader {
  private pos = 0;
  private readonly handles: unknown[] = [];
  constructor(private readonly b: Buffer) {}

  u8(): number {
    if (this.pos >= this.b.length) throw new Error('unexpected end of serialized data');
    return this.b[this.pos++]!;
  }
  u16(): number {
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    const v = this.b.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  utf(len = this.u16()): string {
    const s = this.b.subarray(this.pos, this.pos + len);
    this.pos += len;
    return decodeModifiedUtf8(s);
  }
  private handle(v: unknown): number {
    this.handles.push(v);
    return this.handles.length - 1;
  }

  content(): unknown {
    const tc = this.u8();
    switch (tc) {
      case TC_NULL:
        return null;
      case TC_REFERENCE:
        return this.handles[this.i32() - BASE_HANDLE];
      case TC_STRING: {
        const s = this.utf();
        this.handle(s);
        return s;
      }
      case TC_LONGSTRING: {
        const len = Number(this.i64());
        const s = this.utf(len);
        this.handle(s);
        return s;
      }
      case TC_CLASS: {
        const d = this.classDesc();
        this.handle(d);
        return d;
      }
      case TC_ENUM: {
        const d = this.classDesc();
        const h = this.handle(null);
        const name = this.content() as string;
        const v = { className: d?.name ?? '', fields: { name } };
        this.handles[h] = v;
        return v;
      }
      case TC_ARRAY: {
        const d = this.classDesc()!;
        const h = this.handle(null);
        const n = this.i32();
        const code = d.name.charAt(1);
        const arr: unknown[] = [];
        for (let i = 0; i < n; i++) arr.push(this.value(code));
        const v = code === 'B' ? Buffer.from(arr as number[]) : arr;
        this.handles[h] = v;
        return v;
      }
      case TC_OBJECT: {
        const d = this.classDesc()!;
        const obj: JavaObject = { className: d.name, fields: {} };
        this.handle(obj);
        const chain: ClassDesc[] = [];
        for (let c: ClassDesc | null = d; c; c = c.superDesc) chain.unshift(c);
        for (const c of chain) {
          for (const f of c.fields) obj.fields[f.name] = this.value(f.code);
          if (c.flags & SC_WRITE_METHOD) this.skipAnnotations();
        }
        return obj;
      }
      default:
        throw new Error(`unsupported serialization type code 0x${tc.toString(16)}`);
    }
  }

  private value(code: string): unknown {
    switch (code) {
      case 'B': return (this.u8() << 24) >> 24;
      case 'C': return String.fromCharCode(this.u16());
      case 'S': return (this.u16() << 16) >> 16;
      case 'I': return this.i32();
      case 'J': return this.i64();
      case 'F': { const v = this.b.readFloatBE(this.pos); this.pos += 4; return v; }
      case 'D': { const v = this.b.readDoubleBE(this.pos); this.pos += 8; return v; }
      case 'Z': return this.u8() !== 0;
      default: return this.content();
    }
  }

  private skipAnnotations(): void {
    for (;;) {
      const tc = this.b[this.pos];
      if (tc === TC_ENDBLOCKDATA) {
        this.pos++;
        return;
      }
      if (tc === TC_BLOCKDATA) {
        this.pos++;
        this.pos += this.u8();
      } else if (tc === TC_BLOCKDATALONG) {
        this.pos++;
        this.pos += this.i32();
      } else this.content();
    }
  }

  classDesc(): ClassDesc | null {
    const tc = this.u8();
    if (tc === TC_NULL) return null;
    if (tc === TC_REFERENCE) return this.handles[this.i32() - BASE_HANDLE] as ClassDesc;
    if (tc !== TC_CLASSDESC) throw new Error(`expected a class descriptor, got 0x${tc.toString(16)}`);
    const name = this.utf();
    this.pos += 8; // serialVersionUID
    const d: ClassDesc = { name, flags: 0, fields: [], superDesc: null };
    this.handle(d);
    d.flags = this.u8();
    const n = this.u16();
    for (let i = 0; i < n; i++) {
      const code = String.fromCharCode(this.u8());
      const fname = this.utf();
      if (code === 'L' || code === '[') this.content(); // the field's class name
      d.fields.push({ code, name: fname });
    }
    this.skipAnnotations();
    d.superDesc = this.classDesc();
    return d;
  }
}

function decodeModifiedUtf8(b: Buffer): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) { s += String.fromCharCode(c); i++; }
    else if ((c & 0xe0) === 0xc0) { s += String.fromCharCode(((c & 0x1f) << 6) | (b[i + 1]! & 0x3f)); i += 2; }
    else { s += String.fromCharCode(((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f)); i += 3; }
  }
  return s;
}

/** A decoded key element as the text a SQL parameter takes (null stays null). */
function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const o = v as JavaObject;
  const f = o.fields ?? {};
  switch (o.className) {
    case 'java.lang.Integer': case 'java.lang.Long': case 'java.lang.Short': case 'java.lang.Byte':
    case 'java.lang.Boolean': case 'java.lang.Double': case 'java.lang.Float':
      return String(f.value);
    case 'java.util.UUID': {
      const hex = BigInt.asUintN(64, f.mostSigBits as bigint).toString(16).padStart(16, '0') + BigInt.asUintN(64, f.leastSigBits as bigint).toString(16).padStart(16, '0');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'java.math.BigInteger':
      return bigIntegerOf(o).toString();
    case 'java.math.BigDecimal': {
      const unscaled = bigIntegerOf(f.intVal as JavaObject);
      const scale = f.scale as number;
      if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
      const neg = unscaled < 0n;
      const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
      return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    }
    default:
      throw new Error(`cannot use a serialized ${o.className} as a key value`);
  }
}

function bigIntegerOf(o: JavaObject): bigint {
  const mag = o.fields.magnitude as Buffer;
  const sign = o.fields.signum as number;
  const n = mag.length ? BigInt(`0x${mag.toString('hex')}`) : 0n;
  return sign < 0 ? -n : n;
}

/** Reads hex(serialized Object[]) into the elements' text forms; null for a serialized null. */
export function deserializeKeyArray(hex: string): (string | null)[] | null {
  const r = new Reader(Buffer.from(hex, 'hex'));
  if (r.u16() !== 0xaced || r.u16() !== 5) throw new Error('not a Java serialization stream');
  const v = r.content();
  if (v === null) return null;
  if (!Array.isArray(v)) throw new Error('serialized key is not an array');
  return v.map(toText);
}
