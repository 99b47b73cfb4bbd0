/**
 * Kafka's `field.syntax.version` (KIP-821) and `SingleFieldPath`: V1 = the whole text names a top-level
 * field; V2 = dotted path, with backticks around names that contain dots (a backtick followed by a dot
 * can be escaped with a backslash).
 */
import { type ConfigDef, Validators } from '../../connect/api/config-def.js';
import type { Field, Schema } from '../../connect/data/schema.js';
import type { Struct } from '../../connect/data/struct.js';
import { ConfigException } from '../../connect/errors.js';
import { requireMapOrNull, requireStructOrNull } from './requirements.js';

export type FieldSyntaxVersion = 'V1' | 'V2';
export const FIELD_SYNTAX_VERSION_CONFIG = 'field.syntax.version';

export function appendFieldSyntaxConfig(def: ConfigDef): ConfigDef {
  return def.define({
    name: FIELD_SYNTAX_VERSION_CONFIG,
    type: 'STRING',
    defaultValue: 'V1',
    validator: Validators.inIgnoreCase('V1', 'V2'),
    importance: 'HIGH',
    documentation:
      'Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its elements: "`foo.bar`.baz".',
  });
}

export function fieldSyntaxVersion(value: string | null): FieldSyntaxVersion {
  return (value ?? 'V1').toUpperCase() === 'V2' ? 'V2' : 'V1';
}

function incompleteBacktick(path: string, at: number): never {
  throw new ConfigException(`Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`);
}

function stepsV2(path: string): string[] {
  const steps: string[] = [];
  let idx = 0;
  while (idx < path.length && idx >= 0) {
    if (path[idx] !== '`') {
      const start = idx;
      idx = path.indexOf('.', idx);
      if (idx >= 0) {
        steps.push(path.slice(start, idx));
        idx++;
      } else {
        steps.push(path.slice(start));
      }
    } else {
      const backtickAt = idx;
      idx++;
      let field = '';
      let start = idx;
      for (;;) {
        idx = path.indexOf('`', idx);
        if (idx === -1) incompleteBacktick(path, backtickAt);
        const escaped = path[idx - 1] === '\\';
        if (idx >= path.length - 1) {
          if (escaped) incompleteBacktick(path, backtickAt);
          field += path.slice(start, idx);
          steps.push(field);
          idx++;
          break;
        }
        if (path[idx + 1] !== '.') {
          idx++;
          continue;
        }
        if (escaped) {
          field += path.slice(start, idx - 1) + '`';
          idx++;
          start = idx;
          continue;
        }
        field += path.slice(start, idx);
        steps.push(field);
        idx += 2;
        break;
      }
    }
  }
  if (path.length > 0 && path.endsWith('.')) steps.push('');
  return steps;
}

export class SingleFieldPath {
  readonly steps: readonly string[];

  constructor(readonly text: string, version: FieldSyntaxVersion) {
    this.steps = version === 'V1' ? [text] : stepsV2(text);
  }

  private get last(): string {
    return this.steps[this.steps.length - 1]!;
  }

  fieldFrom(schema: Schema | null): Field | undefined {
    if (!schema) return undefined;
    let current = schema;
    for (let i = 0; i < this.steps.length - 1; i++) {
      const f = current.type === 'struct' ? current.field(this.steps[i]!) : undefined;
      if (!f) return undefined;
      current = f.schema;
    }
    return current.type === 'struct' ? current.field(this.last) : undefined;
  }

  valueFromStruct(struct: Struct | null, withDefault = true): unknown {
    if (!struct) return null;
    let current: Struct | null = struct;
    for (let i = 0; i < this.steps.length - 1; i++) {
      if (!current.schema.field(this.steps[i]!)) return null;
      current = requireStructOrNull(current.get(this.steps[i]!), 'nested field access');
      if (!current) return null;
    }
    const f = current.schema.field(this.last);
    if (!f) return null;
    return withDefault ? current.get(f) : current.getWithoutDefault(f);
  }

  valueFromMap(map: Map<unknown, unknown> | null): unknown {
    if (!map) return null;
    let current: Map<unknown, unknown> | null = map;
    for (let i = 0; i < this.steps.length - 1; i++) {
      current = requireMapOrNull(current.get(this.steps[i]!), 'nested field access');
      if (!current) return null;
    }
    return current.get(this.last) ?? null;
  }
}
