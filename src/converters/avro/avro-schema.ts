/**
 * Avro schemas as a small tree (what `AvroData` builds from a Connect schema), and its JSON text written the
 * way Avro's Java `Schema.toString()` writes it: keys in Java's order (`type`, `name`, `namespace`, `doc`,
 * `fields`, then the properties in the order they were added), a named type written in full once and then
 * referred to by name, and a namespace only where it differs from the enclosing one. The text is what gets
 * registered, so the same Connect schema always registers the same subject version as the JVM converter.
 */
import { DataException } from '../../connect/errors.js';

export type AvroPrimitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** Extra schema attributes (`connect.name`, `logicalType`, ...) in insertion order. */
export type AvroProps = [key: string, value: unknown][];

export type AvroNode =
  | { kind: 'primitive'; type: AvroPrimitive; props: AvroProps }
  | AvroRecord
  | { kind: 'enum'; name: string; namespace: string | null; doc: string | null; symbols: string[]; default: string | null; props: AvroProps }
  | { kind: 'fixed'; name: string; namespace: string | null; size: number; props: AvroProps }
  | { kind: 'array'; items: AvroNode; props: AvroProps }
  | { kind: 'map'; values: AvroNode; props: AvroProps }
  | { kind: 'union'; types: AvroNode[] };

export interface AvroRecord {
  kind: 'record';
  name: string;
  namespace: string | null;
  doc: string | null;
  fields: AvroField[];
  props: AvroProps;
}

export interface AvroField {
  name: string;
  type: AvroNode;
  doc: string | null;
  /** Absent when the field has no default; `null` is a JSON null default. */
  default?: unknown;
}

export const NULL_NODE: AvroNode = Object.freeze({ kind: 'primitive', type: 'null', props: [] }) as AvroNode;

/** `[namespace, name]` of a full name, split on the last dot (Confluent's `splitName`). */
export function splitName(fullName: string): [namespace: string | null, name: string] {
  const i = fullName.lastIndexOf('.');
  return i < 0 ? [null, fullName] : [fullName.slice(0, i), fullName.slice(i + 1)];
}

export function fullNameOf(name: string, namespace: string | null): string {
  return namespace ? `${namespace}.${name}` : name;
}

/** The JSON text of a schema tree, as Java's `Schema.toString()` writes it. */
export function avroSchemaText(node: AvroNode): string {
  return write(node, { space: null, seen: new Set() });
}

interface WriteState {
  /** The enclosing namespace. */
  space: string | null;
  /** Named types already written in full. */
  seen: Set<string>;
}

function write(node: AvroNode, st: WriteState): string {
  switch (node.kind) {
    case 'primitive':
      return node.props.length === 0 ? JSON.stringify(node.type) : `{"type":${JSON.stringify(node.type)}${props(node.props)}}`;
    case 'union':
      return '[' + node.types.map((t) => write(t, st)).join(',') + ']';
    case 'array':
      return `{"type":"array","items":${write(node.items, st)}${props(node.props)}}`;
    case 'map':
      return `{"type":"map","values":${write(node.values, st)}${props(node.props)}}`;
    case 'record':
    case 'enum':
    case 'fixed': {
      const full = fullNameOf(node.name, node.namespace);
      if (st.seen.has(full)) return JSON.stringify(node.namespace === st.space ? node.name : full);
      st.seen.add(full);
      let out = `{"type":"${node.kind}"` + nameJson(node.name, node.namespace, st.space);
      if (node.kind === 'record') {
        if (node.doc !== null) out += `,"doc":${JSON.stringify(node.doc)}`;
        const saved = st.space;
        st.space = node.namespace;
        out += ',"fields":[' + node.fields.map((f) => fieldJson(f, st)).join(',') + ']';
        st.space = saved;
      } else if (node.kind === 'enum') {
        if (node.doc !== null) out += `,"doc":${JSON.stringify(node.doc)}`;
        out += `,"symbols":${JSON.stringify(node.symbols)}`;
        if (node.default !== null) out += `,"default":${JSON.stringify(node.default)}`;
      } else {
        out += `,"size":${node.size}`;
      }
      return out + props(node.props) + '}';
    }
  }
}

function nameJson(name: string, namespace: string | null, space: string | null): string {
  let out = `,"name":${JSON.stringify(name)}`;
  if (namespace !== null) {
    if (namespace !== space) out += `,"namespace":${JSON.stringify(namespace)}`;
  } else if (space !== null) {
    out += ',"namespace":""';
  }
  return out;
}

function fieldJson(f: AvroField, st: WriteState): string {
  let out = `{"name":${JSON.stringify(f.name)},"type":${write(f.type, st)}`;
  if (f.doc !== null) out += `,"doc":${JSON.stringify(f.doc)}`;
  if (f.default !== undefined) out += `,"default":${jsonText(f.default)}`;
  return out + '}';
}

function props(list: AvroProps): string {
  let out = '';
  for (const [k, v] of list) out += `,${JSON.stringify(k)}:${jsonText(v)}`;
  return out;
}

/** JSON text of a default or property value (bigint written as a plain integer). */
export function jsonText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return '[' + v.map(jsonText).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => JSON.stringify(k) + ':' + jsonText(x)).join(',') + '}';
  }
  return JSON.stringify(v);
}

/** Adds (or keeps, when already there) a property, like Avro's `addProp` with an equal value. */
export function addProp(list: AvroProps, key: string, value: unknown): void {
  if (!list.some(([k]) => k === key)) list.push([key, value]);
}

const PRIMITIVES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const RESERVED: Record<string, ReadonlySet<string>> = {
  record: new Set(['type', 'name', 'namespace', 'doc', 'fields', 'aliases']),
  enum: new Set(['type', 'name', 'namespace', 'doc', 'symbols', 'default', 'aliases']),
  fixed: new Set(['type', 'name', 'namespace', 'size', 'aliases']),
  array: new Set(['type', 'items']),
  map: new Set(['type', 'values']),
};

/** Parses a schema's JSON text (as a registry returns it) into a tree; references become the same node. */
export function parseAvroSchema(text: string): AvroNode {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataException('Invalid Avro schema: ' + (e as Error).message);
  }
  return parseNode(json, null, new Map());
}

function parseNode(json: unknown, space: string | null, names: Map<string, AvroNode>): AvroNode {
  if (typeof json === 'string') {
    if (PRIMITIVES.has(json)) return { kind: 'primitive', type: json as AvroPrimitive, props: [] };
    const named = names.get(json) ?? (space !== null && !json.includes('.') ? names.get(`${space}.${json}`) : undefined);
    if (!named) throw new DataException(`Undefined Avro name: ${json}`);
    return named;
  }
  if (Array.isArray(json)) return { kind: 'union', types: json.map((t) => parseNode(t, space, names)) };
  if (json === null || typeof json !== 'object') throw new DataException('Invalid Avro schema: ' + String(json));
  const o = json as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string') {
    if (type !== undefined && typeof type === 'object') return parseNode(type, space, names);
    throw new DataException('Avro schema without a type: ' + JSON.stringify(json));
  }
  const reserved = RESERVED[type] ?? new Set(['type']);
  const props: AvroProps = Object.entries(o).filter(([k]) => !reserved.has(k));
  if (PRIMITIVES.has(type)) return { kind: 'primitive', type: type as AvroPrimitive, props };
  if (type === 'array') return { kind: 'array', items: parseNode(o.items, space, names), props };
  if (type === 'map') return { kind: 'map', values: parseNode(o.values, space, names), props };
  if (type !== 'record' && type !== 'error' && type !== 'enum' && type !== 'fixed') {
    const named = names.get(type) ?? (space !== null ? names.get(`${space}.${type}`) : undefined);
    if (named) return named;
    throw new DataException(`Unknown Avro type: ${type}`);
  }
  const rawName = String(o.name);
  let [namespace, name] = splitName(rawName);
  if (namespace === null) namespace = typeof o.namespace === 'string' ? (o.namespace === '' ? null : o.namespace) : space;
  const full = fullNameOf(name, namespace);
  if (type === 'enum') {
    const node: AvroNode = {
      kind: 'enum', name, namespace, doc: typeof o.doc === 'string' ? o.doc : null,
      symbols: (o.symbols as string[]) ?? [], default: typeof o.default === 'string' ? o.default : null, props,
    };
    names.set(full, node);
    return node;
  }
  if (type === 'fixed') {
    const node: AvroNode = { kind: 'fixed', name, namespace, size: Number(o.size), props };
    names.set(full, node);
    return node;
  }
  const record: AvroRecord = { kind: 'record', name, namespace, doc: typeof o.doc === 'string' ? o.doc : null, fields: [], props };
  names.set(full, record); // before the fields: a field may refer to its own record
  for (const f of (o.fields as Record<string, unknown>[]) ?? []) {
    const field: AvroField = { name: String(f.name), type: parseNode(f.type, namespace, names), doc: typeof f.doc === 'string' ? f.doc : null };
    if ('default' in f) field.default = f.default;
    record.fields.push(field);
  }
  return record;
}

export function propOf(node: AvroNode, key: string): unknown {
  if (node.kind === 'union') return undefined;
  for (const [k, v] of node.props) if (k === key) return v;
  return undefined;
}

/** The name a union branch is known by (Avro's `getFullName` for named types, else the type name). */
export function branchName(node: AvroNode): string {
  switch (node.kind) {
    case 'primitive':
      return node.type;
    case 'record':
    case 'enum':
    case 'fixed':
      return fullNameOf(node.name, node.namespace);
    default:
      return node.kind;
  }
}
