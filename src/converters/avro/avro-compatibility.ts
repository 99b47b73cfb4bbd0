/**
 * Avro schema resolution, as a check (spec "Schema Resolution"): can data written with `writer` be read
 * with `reader`? Used by `use.latest.version` with `latest.compatibility.strict`, where Confluent checks
 * that the subject's latest schema is backward compatible with the record's schema before writing with it.
 * Returns the problems found (empty = compatible).
 */
import { type AvroNode, branchName } from './avro-schema.js';

const PROMOTIONS: Record<string, string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

export function readProblems(reader: AvroNode, writer: AvroNode): string[] {
  const problems: string[] = [];
  check(reader, writer, '/', problems, new Set());
  return problems;
}

function check(reader: AvroNode, writer: AvroNode, path: string, problems: string[], seen: Set<string>): void {
  if (writer.kind === 'union') {
    for (const w of writer.types) check(reader, w, path, problems, seen);
    return;
  }
  if (reader.kind === 'union') {
    if (!reader.types.some((r) => readProblems(r, writer).length === 0)) {
      problems.push(`${path}: reader union lacks a branch for the writer's ${branchName(writer)}`);
    }
    return;
  }
  const rType = reader.kind === 'primitive' ? reader.type : reader.kind;
  const wType = writer.kind === 'primitive' ? writer.type : writer.kind;
  if (rType !== wType) {
    if (!(PROMOTIONS[wType] ?? []).includes(rType)) problems.push(`${path}: reader type ${rType} cannot read writer type ${wType}`);
    return;
  }
  switch (reader.kind) {
    case 'record': {
      const w = writer as Extract<AvroNode, { kind: 'record' }>;
      if (reader.name !== w.name) problems.push(`${path}: record name ${reader.name} does not match writer's ${w.name}`);
      const key = `${branchName(reader)}|${branchName(w)}`;
      if (seen.has(key)) return;
      seen.add(key);
      for (const rf of reader.fields) {
        const wf = w.fields.find((f) => f.name === rf.name);
        if (wf) check(rf.type, wf.type, `${path}${rf.name}/`, problems, seen);
        else if (rf.default === undefined) problems.push(`${path}${rf.name}: reader field has no default and is missing from the writer`);
      }
      return;
    }
    case 'enum': {
      const w = writer as Extract<AvroNode, { kind: 'enum' }>;
      if (reader.default !== null) return;
      const missing = w.symbols.filter((s) => !reader.symbols.includes(s));
      if (missing.length > 0) problems.push(`${path}: reader enum lacks symbols ${missing.join(', ')}`);
      return;
    }
    case 'fixed': {
      const w = writer as Extract<AvroNode, { kind: 'fixed' }>;
      if (reader.size !== w.size) problems.push(`${path}: fixed size ${reader.size} differs from writer's ${w.size}`);
      return;
    }
    case 'array':
      check(reader.items, (writer as Extract<AvroNode, { kind: 'array' }>).items, path + 'items/', problems, seen);
      return;
    case 'map':
      check(reader.values, (writer as Extract<AvroNode, { kind: 'map' }>).values, path + 'values/', problems, seen);
      return;
    default:
      return;
  }
}
