/**
 * The `$Key` / `$Value` pattern of Kafka's SMTs: one implementation operates either on key + keySchema or on
 * value + valueSchema, chosen by the `side` given at construction. Also the small helpers every SMT shares.
 */
import type { Field, Schema } from '../../connect/data/schema.js';
import type { Struct } from '../../connect/data/struct.js';
import type { AnyRecord } from '../../connect/data/records.js';
import type { ConfigDef, ParsedConfig } from '../../connect/api/config-def.js';
import type { PluginDescriptor } from '../../connect/api/plugin.js';
import type { Predicate, Transformation } from '../../connect/api/transformation.js';

export type Side = 'key' | 'value';

/** Version reported for the Kafka built-ins (`AppInfoParser.getVersion()` of the emulated Kafka release). */
export const KAFKA_VERSION = '3.9.0';
/** Version reported for the Debezium transforms (`Module.version()`). */
export const DEBEZIUM_VERSION = '3.2.0.Final';

export function operatingSchema(record: AnyRecord, side: Side): Schema | null {
  return side === 'key' ? record.keySchema : record.valueSchema;
}

export function operatingValue(record: AnyRecord, side: Side): unknown {
  return side === 'key' ? record.key : record.value;
}

/** A copy of `record` with the key (or value) and its schema replaced. */
export function withOperating<R extends AnyRecord>(record: R, side: Side, schema: Schema | null, value: unknown): R {
  return (side === 'key'
    ? record.newRecord({ keySchema: schema, key: value })
    : record.withValue(schema, value)) as R;
}

/** A struct field's value, with or without falling back to the field's default (`replace.null.with.default`). */
export function fieldValue(struct: Struct, field: Field, replaceNullWithDefault: boolean): unknown {
  return replaceNullWithDefault ? struct.get(field) : struct.getWithoutDefault(field);
}

/** Parses a transform's raw configuration with its ConfigDef (throws ConfigException with Kafka's message). */
export function parseConfig(def: ConfigDef, props: Record<string, string>): ParsedConfig {
  return def.parse(props);
}

/** Base for transforms with `$Key` / `$Value` variants. */
export abstract class KeyValueTransformation implements Transformation {
  constructor(protected readonly side: Side) {}

  abstract configure(configs: Record<string, string>): void;
  abstract apply(record: AnyRecord): AnyRecord | null;
  abstract config(): ConfigDef;
  close(): void {}

  protected schemaOf(record: AnyRecord): Schema | null {
    return operatingSchema(record, this.side);
  }
  protected valueOf(record: AnyRecord): unknown {
    return operatingValue(record, this.side);
  }
  protected withNew<R extends AnyRecord>(record: R, schema: Schema | null, value: unknown): R {
    return withOperating(record, this.side, schema, value);
  }
}

/** The two descriptors `<base>$Key` and `<base>$Value` of a key/value transform. */
export function keyValueDescriptors(
  baseClass: string,
  make: (side: Side) => Transformation,
  version = KAFKA_VERSION,
): PluginDescriptor<Transformation>[] {
  return [
    { className: `${baseClass}$Key`, type: 'transformation', version, create: () => make('key') },
    { className: `${baseClass}$Value`, type: 'transformation', version, create: () => make('value') },
  ];
}

export function transformDescriptor(className: string, make: () => Transformation, version = KAFKA_VERSION): PluginDescriptor<Transformation> {
  return { className, type: 'transformation', version, create: make };
}

export function predicateDescriptor(className: string, make: () => Predicate, version = KAFKA_VERSION): PluginDescriptor<Predicate> {
  return { className, type: 'predicate', version, create: make };
}
