/**
 * `org.apache.kafka.connect.transforms.ReplaceField$Key/$Value`: keep, drop and rename top-level fields.
 * A field is kept iff it is not excluded and (include is empty or it is included). The 3.x deprecated
 * `blacklist` / `whitelist` keys are accepted as synonyms of `exclude` / `include` (the new key wins).
 */
import { ConfigDef, invalid } from '../connect/api/config-def.js';
import { type Field, type Schema, SchemaBuilder, validateValue } from '../connect/data/schema.js';
import { Struct } from '../connect/data/struct.js';
import type { AnyRecord } from '../connect/data/records.js';
import { LruCache } from './util/lru.js';
import { KeyValueTransformation, parseConfig } from './util/key-value.js';
import { requireMap, requireStruct } from './util/requirements.js';
import { javaSplit } from './util/java-split.js';
import { logger } from './util/log.js';

const PURPOSE = 'field replacement';

function parseRenameMappings(mappings: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = javaSplit(mapping, ':');
    if (parts.length !== 2) throw invalid('renames', mappings, `Invalid rename mapping: ${mapping}`);
    m.set(parts[0]!, parts[1]!);
  }
  return m;
}

export const REPLACE_FIELD_CONFIG_DEF = new ConfigDef()
  .define({ name: 'exclude', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'Fields to exclude. This takes precedence over the fields to include.' })
  .define({ name: 'blacklist', type: 'LIST', defaultValue: null, importance: 'LOW', documentation: 'Deprecated. Use exclude instead.' })
  .define({ name: 'include', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'Fields to include. If specified, only these fields will be used.' })
  .define({ name: 'whitelist', type: 'LIST', defaultValue: null, importance: 'LOW', documentation: 'Deprecated. Use include instead.' })
  .define({
    name: 'renames',
    type: 'LIST',
    defaultValue: [],
    validator: {
      ensureValid: (_name, value) => void parseRenameMappings((value as string[] | null) ?? []),
      toString: () => 'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>',
    },
    importance: 'MEDIUM',
    documentation: 'Field rename mappings.',
  })
  .define({
    name: 'replace.null.with.default',
    type: 'BOOLEAN',
    defaultValue: true,
    importance: 'MEDIUM',
    documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  });

/** Kafka's `ConfigUtils.translateDeprecatedConfigs` for one target key and one deprecated synonym. */
function translateDeprecated(configs: Record<string, string>, target: string, deprecated: string): Record<string, string> {
  if (!(deprecated in configs)) return configs;
  const out = { ...configs };
  const old = out[deprecated]!;
  delete out[deprecated];
  if (target in configs) {
    logger.warn(`Configuration key ${deprecated} is deprecated and may be removed in the future. Please update your configuration to use ${target} instead. Ignoring ${deprecated}.`);
  } else {
    logger.warn(`Configuration key ${deprecated} is deprecated and may be removed in the future. Please update your configuration to use ${target} instead.`);
    out[target] = old;
  }
  return out;
}

/** What is constant per input schema. */
interface ReplacePlan {
  schema: Schema;
  /** The input field each output field takes its value from. */
  sources: Field[];
}

export class ReplaceField extends KeyValueTransformation {
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private reverseRenames = new Map<string, string>();
  private replaceNullWithDefault = true;
  private readonly plans = new LruCache<Schema, ReplacePlan>(16);

  configure(configs: Record<string, string>): void {
    let props = translateDeprecated(configs, 'include', 'whitelist');
    props = translateDeprecated(props, 'exclude', 'blacklist');
    const c = parseConfig(REPLACE_FIELD_CONFIG_DEF, props);
    this.exclude = new Set(c.getList('exclude'));
    this.include = new Set(c.getList('include'));
    this.renames = parseRenameMappings(c.getList('renames'));
    this.reverseRenames = new Map([...this.renames].map(([k, v]) => [v, k]));
    this.replaceNullWithDefault = c.getBoolean('replace.null.with.default');
    this.plans.clear();
  }

  config(): ConfigDef {
    return REPLACE_FIELD_CONFIG_DEF;
  }

  private keep(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  private renamed(name: string): string {
    return this.renames.get(name) ?? name;
  }

  apply(record: AnyRecord): AnyRecord {
    const value = this.valueOf(record);
    if (value === null) return record;
    const schema = this.schemaOf(record);
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      const updated = new Map<unknown, unknown>();
      for (const [k, v] of map) if (this.keep(String(k))) updated.set(this.renamed(String(k)), v);
      return this.withNew(record, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const plan = this.plans.get(struct.schema) ?? this.planFor(struct.schema);
    const sources = plan.sources;
    const values = new Array<unknown>(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      let v = struct.valueAt(source.index);
      if (v === null && this.replaceNullWithDefault && source.schema.defaultValue !== undefined) v = source.schema.defaultValue;
      // Same field schemas on both sides: only a null in a required field can fail Struct.put's check.
      if (v === null && !source.schema.optional) validateValue(source.schema, v, plan.schema.fields[i]!.name);
      values[i] = v;
    }
    return this.withNew(record, plan.schema, Struct.fromValues(plan.schema, values));
  }

  /** The updated schema of `schema` and, per updated field, the field it is copied from. */
  private planFor(schema: Schema): ReplacePlan {
    const updated = this.makeUpdatedSchema(schema);
    const sources = updated.fields.map((f) => schema.field(this.reverseRenames.get(f.name) ?? f.name)!);
    const plan = { schema: updated, sources };
    this.plans.set(schema, plan);
    return plan;
  }

  private makeUpdatedSchema(schema: Schema): Schema {
    const b = SchemaBuilder.copyBasics(schema);
    for (const field of schema.fields) if (this.keep(field.name)) b.field(this.renamed(field.name), field.schema);
    return b.build();
  }
}
