/**
 * Connect values ⇄ Avro binary, compiled once per (Connect schema, Avro schema) pair into closures that
 * write/read straight between Connect objects and bytes (no intermediate Avro objects per record).
 *
 * The writer follows the Avro schema and takes record fields from the Struct by name, so it also writes
 * with a schema that is not the one derived from the Connect schema (`use.latest.version`): a field the
 * Struct lacks is written from the Avro field's default.
 */
import { BigDecimal, ConnectDate, ConnectTime, ConnectTimestamp, Decimal } from '../../connect/data/logical.js';
import type { Schema } from '../../connect/data/schema.js';
import { Struct } from '../../connect/data/struct.js';
import { DataException } from '../../connect/errors.js';
import { type AvroReader, AvroWriter } from './avro-binary.js';
import { AVRO_TYPE_UNION, isMapEntry, unionMemberFieldName } from './avro-data.js';
import { type AvroNode, branchName } from './avro-schema.js';

export type Encode = (w: AvroWriter, value: unknown) => void;
export type Decode = (r: AvroReader) => unknown;

const NULL_VALUE_ERROR = 'Found null value for non-optional schema';

function isNull(node: AvroNode): boolean {
  return node.kind === 'primitive' && node.type === 'null';
}

/** Writes `value` (shaped by the Connect `schema`) as the Avro `node`. */
export function compileEncoder(schema: Schema, node: AvroNode): Encode {
  switch (node.kind) {
    case 'union':
      return unionEncoder(schema, node.types);
    case 'primitive':
      return primitiveEncoder(schema, node.type);
    case 'enum': {
      const index = new Map(node.symbols.map((s, i) => [s, i]));
      return (w, v) => {
        const i = index.get(v as string);
        if (i === undefined) throw new DataException(`Unknown enum symbol ${String(v)} for ${node.name}`);
        w.int(i);
      };
    }
    case 'fixed':
      return (w, v) => {
        const bytes = v instanceof BigDecimal ? fixedDecimal(schema, v, node.size) : (v as Uint8Array);
        if (bytes.length !== node.size) throw new DataException(`Fixed size mismatch: ${bytes.length} bytes for ${node.name} of size ${node.size}`);
        w.raw(bytes);
      };
    case 'array': {
      if (schema.type === 'map') {
        if (!isMapEntry(node.items)) throw new DataException('Connect map written as an Avro array that is not of map entries');
        const key = guardNull(node.items.fields[0]!.type, compileEncoder(schema.keySchema!, node.items.fields[0]!.type));
        const value = guardNull(node.items.fields[1]!.type, compileEncoder(schema.valueSchema!, node.items.fields[1]!.type));
        return (w, v) => {
          const m = v as Map<unknown, unknown>;
          if (m.size > 0) {
            w.long(m.size);
            for (const [k, x] of m) {
              key(w, k);
              value(w, x);
            }
          }
          w.byte(0);
        };
      }
      const item = guardNull(node.items, compileEncoder(schema.valueSchema!, node.items));
      return (w, v) => {
        const a = v as unknown[];
        if (a.length > 0) {
          w.long(a.length);
          for (let i = 0; i < a.length; i++) item(w, a[i]);
        }
        w.byte(0);
      };
    }
    case 'map': {
      const value = guardNull(node.values, compileEncoder(schema.valueSchema!, node.values));
      return (w, v) => {
        const m = v instanceof Map ? (v as Map<unknown, unknown>) : new Map(Object.entries(v as object));
        if (m.size > 0) {
          w.long(m.size);
          for (const [k, x] of m) {
            w.string(String(k));
            value(w, x);
          }
        }
        w.byte(0);
      };
    }
    case 'record': {
      if (schema.type !== 'struct') throw new DataException(`Cannot write a Connect ${schema.type} as the Avro record ${node.name}`);
      const fields = node.fields.map((af) => {
        const cf = schema.field(af.name);
        if (cf === undefined) {
          if (af.default === undefined) throw new DataException(`Field ${af.name} of ${node.name} is missing and has no default`);
          // The default's bytes are the same for every record: encode them once, copy them per record.
          const scratch = new AvroWriter();
          writeJson(scratch, af.type, af.default);
          const bytes = scratch.finish();
          return { index: -1, encode: ((w: AvroWriter) => w.raw(bytes)) as Encode };
        }
        return { index: cf.index, encode: guardNull(af.type, compileEncoder(cf.schema, af.type)), dflt: cf.schema.defaultValue };
      });
      return (w, v) => {
        const s = v as Struct;
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i]!;
          if (f.index < 0) {
            f.encode(w, null);
            continue;
          }
          let x = s.valueAt(f.index);
          if ((x === null || x === undefined) && f.dflt !== undefined) x = f.dflt;
          f.encode(w, x);
        }
      };
    }
  }
}

/** Rejects null where the Avro type has no null branch (Confluent's "Found null value for non-optional schema"). */
function guardNull(node: AvroNode, encode: Encode): Encode {
  if (node.kind === 'union') return encode;
  return (w, v) => {
    if (v === null || v === undefined) throw new DataException(NULL_VALUE_ERROR);
    encode(w, v);
  };
}

function unionEncoder(schema: Schema, types: AvroNode[]): Encode {
  const nullIndex = types.findIndex(isNull);
  if (schema.type === 'struct' && schema.name === AVRO_TYPE_UNION) {
    // Connect's union struct: exactly one field set, written as the matching branch.
    const branches = schema.fields.map((f) => {
      const i = types.findIndex((t) => !isNull(t) && unionMemberFieldName(t) === f.name);
      if (i < 0) throw new DataException(`No Avro union branch for Connect union field ${f.name}`);
      return { index: i, encode: compileEncoder(f.schema, types[i]!) };
    });
    return (w, v) => {
      if (v === null || v === undefined) {
        if (nullIndex < 0) throw new DataException(NULL_VALUE_ERROR);
        w.long(nullIndex);
        return;
      }
      const s = v as Struct;
      for (let i = 0; i < branches.length; i++) {
        const x = s.valueAt(i);
        if (x !== null && x !== undefined) {
          w.long(branches[i]!.index);
          branches[i]!.encode(w, x);
          return;
        }
      }
      throw new DataException('Connect union struct with no field set');
    };
  }
  const other = pickBranch(schema, types);
  const encode = compileEncoder(schema, types[other]!);
  return (w, v) => {
    if (v === null || v === undefined) {
      if (nullIndex < 0) throw new DataException(NULL_VALUE_ERROR);
      w.long(nullIndex);
      return;
    }
    w.long(other);
    encode(w, v);
  };
}

const AVRO_TYPE_FOR: Record<Schema['type'], string[]> = {
  int8: ['int'], int16: ['int'], int32: ['int'], int64: ['long'], float32: ['float'], float64: ['double'], boolean: ['boolean'],
  string: ['string', 'enum'], bytes: ['bytes', 'fixed'], array: ['array'], map: ['map', 'array'], struct: ['record'],
};

/** The branch of a union that a Connect value of `schema` is written as. */
function pickBranch(schema: Schema, types: AvroNode[]): number {
  const wanted = AVRO_TYPE_FOR[schema.type];
  let i = types.findIndex((t) => {
    if (t.kind === 'record') return schema.type === 'struct' && (schema.name === null || branchName(t) === schema.name);
    return wanted.includes(t.kind === 'primitive' ? t.type : t.kind);
  });
  if (i < 0) i = types.findIndex((t) => wanted.includes(t.kind === 'primitive' ? t.type : t.kind));
  if (i < 0) throw new DataException(`No branch of the Avro union fits a Connect ${schema.type}`);
  return i;
}

function primitiveEncoder(schema: Schema, type: string): Encode {
  switch (type) {
    case 'null':
      return () => undefined;
    case 'boolean':
      return (w, v) => w.boolean(v as boolean);
    case 'int':
      if (schema.name === ConnectDate.LOGICAL_NAME) return (w, v) => w.int(v instanceof Date ? ConnectDate.fromLogical(schema, v) : (v as number));
      if (schema.name === ConnectTime.LOGICAL_NAME) return (w, v) => w.int(v instanceof Date ? ConnectTime.fromLogical(schema, v) : (v as number));
      return (w, v) => w.int(v as number);
    case 'long':
      if (schema.name === ConnectTimestamp.LOGICAL_NAME) return (w, v) => w.long(v instanceof Date ? ConnectTimestamp.fromLogical(schema, v) : (v as number));
      return (w, v) => w.long(v as number | bigint);
    case 'float':
      return (w, v) => w.float(v as number);
    case 'double':
      return (w, v) => w.double(v as number);
    case 'string':
      return (w, v) => w.string(v as string);
    case 'bytes':
      if (schema.name === Decimal.LOGICAL_NAME) return (w, v) => w.bytes(v instanceof BigDecimal ? Decimal.fromLogical(schema, v) : (v as Uint8Array));
      return (w, v) => w.bytes(v as Uint8Array);
    default:
      throw new DataException('Unknown Avro type ' + type);
  }
}

function fixedDecimal(schema: Schema, v: BigDecimal, size: number): Uint8Array {
  const bytes = Decimal.fromLogical(schema, v);
  if (bytes.length >= size) return bytes;
  const out = Buffer.alloc(size, (bytes[0] ?? 0) & 0x80 ? 0xff : 0);
  out.set(bytes, size - bytes.length);
  return out;
}

/** Writes an Avro JSON default value (a field missing from the Connect struct). */
function writeJson(w: AvroWriter, node: AvroNode, json: unknown): void {
  switch (node.kind) {
    case 'union':
      // A union's default belongs to its first branch.
      w.long(0);
      writeJson(w, node.types[0]!, json);
      return;
    case 'primitive':
      switch (node.type) {
        case 'null': return;
        case 'boolean': w.boolean(Boolean(json)); return;
        case 'int': w.int(Number(json)); return;
        case 'long': w.long(Number(json)); return;
        case 'float': w.float(Number(json)); return;
        case 'double': w.double(Number(json)); return;
        case 'string': w.string(String(json)); return;
        case 'bytes': w.bytes(Buffer.from(String(json), 'latin1')); return;
      }
      return;
    case 'enum':
      w.int(Math.max(0, node.symbols.indexOf(String(json))));
      return;
    case 'fixed':
      w.raw(Buffer.from(String(json), 'latin1'));
      return;
    case 'array': {
      const a = json as unknown[];
      if (a.length > 0) {
        w.long(a.length);
        for (const x of a) writeJson(w, node.items, x);
      }
      w.byte(0);
      return;
    }
    case 'map': {
      const entries = Object.entries(json as Record<string, unknown>);
      if (entries.length > 0) {
        w.long(entries.length);
        for (const [k, x] of entries) {
          w.string(k);
          writeJson(w, node.values, x);
        }
      }
      w.byte(0);
      return;
    }
    case 'record': {
      const o = json as Record<string, unknown>;
      for (const f of node.fields) writeJson(w, f.type, o[f.name] ?? f.default ?? null);
      return;
    }
  }
}

/** Reads the Avro `node` into a Connect value of `schema` (the schema `AvroData.toConnectSchema` made of it). */
export function compileDecoder(node: AvroNode, schema: Schema): Decode {
  switch (node.kind) {
    case 'union': {
      if (schema.type === 'struct' && schema.name === AVRO_TYPE_UNION) {
        let field = 0;
        const branches = node.types.map((t) => {
          if (isNull(t)) return null;
          const index = field++;
          return { index, decode: compileDecoder(t, schema.fields[index]!.schema) };
        });
        return (r) => {
          const b = branches[r.int()];
          if (b === undefined) throw new DataException('Invalid Avro union branch');
          if (b === null) return null;
          const values = new Array<unknown>(schema.fields.length).fill(null);
          values[b.index] = b.decode(r);
          return Struct.fromValues(schema, values);
        };
      }
      const branches = node.types.map((t) => (isNull(t) ? null : compileDecoder(t, schema)));
      return (r) => {
        const b = branches[r.int()];
        if (b === undefined) throw new DataException('Invalid Avro union branch');
        return b === null ? null : b(r);
      };
    }
    case 'primitive':
      switch (node.type) {
        case 'null': return () => null;
        case 'boolean': return (r) => r.boolean();
        case 'int':
          if (schema.name === ConnectDate.LOGICAL_NAME) return (r) => ConnectDate.toLogical(schema, r.int());
          if (schema.name === ConnectTime.LOGICAL_NAME) return (r) => ConnectTime.toLogical(schema, r.int());
          return (r) => r.int();
        case 'long':
          if (schema.name === ConnectTimestamp.LOGICAL_NAME) return (r) => ConnectTimestamp.toLogical(schema, r.long());
          return (r) => r.long();
        case 'float': return (r) => r.float();
        case 'double': return (r) => r.double();
        case 'string': return (r) => r.string();
        case 'bytes':
          if (schema.name === Decimal.LOGICAL_NAME) return (r) => Decimal.toLogical(schema, r.bytes());
          return (r) => r.bytes();
      }
      throw new DataException('Unknown Avro type');
    case 'enum':
      return (r) => {
        const s = node.symbols[r.int()];
        if (s === undefined) throw new DataException(`Invalid enum index for ${node.name}`);
        return s;
      };
    case 'fixed':
      if (schema.name === Decimal.LOGICAL_NAME) return (r) => Decimal.toLogical(schema, r.raw(node.size));
      return (r) => r.raw(node.size);
    case 'array': {
      if (schema.type === 'map' && isMapEntry(node.items)) {
        const key = compileDecoder(node.items.fields[0]!.type, schema.keySchema!);
        const value = compileDecoder(node.items.fields[1]!.type, schema.valueSchema!);
        return (r) => {
          const m = new Map<unknown, unknown>();
          for (let n = r.blockCount(); n > 0; n = r.blockCount()) for (let i = 0; i < n; i++) m.set(key(r), value(r));
          return m;
        };
      }
      const item = compileDecoder(node.items, schema.valueSchema!);
      return (r) => {
        const a: unknown[] = [];
        for (let n = r.blockCount(); n > 0; n = r.blockCount()) for (let i = 0; i < n; i++) a.push(item(r));
        return a;
      };
    }
    case 'map': {
      const value = compileDecoder(node.values, schema.valueSchema!);
      return (r) => {
        const m = new Map<unknown, unknown>();
        for (let n = r.blockCount(); n > 0; n = r.blockCount()) for (let i = 0; i < n; i++) m.set(r.string(), value(r));
        return m;
      };
    }
    case 'record': {
      const fields = node.fields.map((f, i) => compileDecoder(f.type, schema.fields[i]!.schema));
      const n = fields.length;
      return (r) => {
        const values = new Array<unknown>(n);
        for (let i = 0; i < n; i++) values[i] = fields[i]!(r);
        return Struct.fromValues(schema, values);
      };
    }
  }
}
