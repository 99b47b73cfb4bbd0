/**
 * Kafka Connect's schema model (`org.apache.kafka.connect.data.Schema` / `ConnectSchema`).
 *
 * Value representation in TypeScript (the contract every converter, transform and connector follows):
 *
 * | schema type        | value                                                                        |
 * |--------------------|------------------------------------------------------------------------------|
 * | int8, int16, int32 | `number` (an integer in range)                                               |
 * | int64              | `number` when it is a safe integer, otherwise `bigint` (both are accepted)   |
 * | float32, float64   | `number`                                                                     |
 * | boolean            | `boolean`                                                                    |
 * | string             | `string`                                                                     |
 * | bytes              | `Uint8Array` (a `Buffer` is one)                                             |
 * | array              | `unknown[]`                                                                  |
 * | map                | `Map<unknown, unknown>` (schemaless JSON objects also become a `Map`)        |
 * | struct             | `Struct`                                                                     |
 * | Decimal (logical)  | `BigDecimal` (see logical.ts)                                                |
 * | Date, Time, Timestamp (logical) | JS `Date`                                                       |
 */
import { DataException, SchemaBuilderException } from '../errors.js';

export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

export const PRIMITIVE_TYPES: ReadonlySet<SchemaType> = new Set([
  'int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes',
]);

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface SchemaInit {
  type: SchemaType;
  optional?: boolean;
  defaultValue?: unknown;
  name?: string | null;
  version?: number | null;
  doc?: string | null;
  parameters?: Record<string, string> | null;
  fields?: readonly Field[];
  keySchema?: Schema | null;
  valueSchema?: Schema | null;
}

/** An immutable schema. Build one with `SchemaBuilder` or use the constants (`Schema.INT32_SCHEMA`, ...). */
export class Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** `undefined` when the schema has no default. */
  readonly defaultValue: unknown;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: Readonly<Record<string, string>> | null;
  /** Struct fields in order (empty for other types). */
  readonly fields: readonly Field[];
  /** Map key schema. */
  readonly keySchema: Schema | null;
  /** Map value schema, or array element schema. */
  readonly valueSchema: Schema | null;
  private readonly fieldsByName: Map<string, Field> | null;

  constructor(init: SchemaInit) {
    this.type = init.type;
    this.optional = init.optional ?? false;
    this.defaultValue = init.defaultValue;
    this.name = init.name ?? null;
    this.version = init.version ?? null;
    this.doc = init.doc ?? null;
    this.parameters = init.parameters ?? null;
    this.fields = init.fields ?? [];
    this.keySchema = init.keySchema ?? null;
    this.valueSchema = init.valueSchema ?? null;
    if (this.type === 'struct') {
      this.fieldsByName = new Map(this.fields.map((f) => [f.name, f]));
    } else {
      if (init.fields && init.fields.length > 0) throw new DataException('Cannot specify fields on non-struct type.');
      this.fieldsByName = null;
    }
    if (this.type === 'map' && (!this.keySchema || !this.valueSchema)) {
      throw new DataException('Map schemas require key and value schemas');
    }
    if (this.type === 'array' && !this.valueSchema) throw new DataException('Array schemas require an element schema');
    if (this.defaultValue !== undefined && this.defaultValue !== null) validateValue(this, this.defaultValue);
  }

  /** The struct field with this name, or `undefined`. Throws for non-struct schemas. */
  field(name: string): Field | undefined {
    if (!this.fieldsByName) throw new DataException('Cannot look up fields on non-struct type');
    return this.fieldsByName.get(name);
  }

  /** Whether this schema has a default value (a `null` default counts only for optional schemas). */
  get hasDefault(): boolean {
    return this.defaultValue !== undefined;
  }

  equals(other: Schema | null | undefined): boolean {
    return schemaEquals(this, other ?? null);
  }

  toString(): string {
    return this.name ? `Schema{${this.name}:${this.type.toUpperCase()}}` : `Schema{${this.type.toUpperCase()}}`;
  }

  static readonly INT8_SCHEMA = new Schema({ type: 'int8' });
  static readonly INT16_SCHEMA = new Schema({ type: 'int16' });
  static readonly INT32_SCHEMA = new Schema({ type: 'int32' });
  static readonly INT64_SCHEMA = new Schema({ type: 'int64' });
  static readonly FLOAT32_SCHEMA = new Schema({ type: 'float32' });
  static readonly FLOAT64_SCHEMA = new Schema({ type: 'float64' });
  static readonly BOOLEAN_SCHEMA = new Schema({ type: 'boolean' });
  static readonly STRING_SCHEMA = new Schema({ type: 'string' });
  static readonly BYTES_SCHEMA = new Schema({ type: 'bytes' });
  static readonly OPTIONAL_INT8_SCHEMA = new Schema({ type: 'int8', optional: true });
  static readonly OPTIONAL_INT16_SCHEMA = new Schema({ type: 'int16', optional: true });
  static readonly OPTIONAL_INT32_SCHEMA = new Schema({ type: 'int32', optional: true });
  static readonly OPTIONAL_INT64_SCHEMA = new Schema({ type: 'int64', optional: true });
  static readonly OPTIONAL_FLOAT32_SCHEMA = new Schema({ type: 'float32', optional: true });
  static readonly OPTIONAL_FLOAT64_SCHEMA = new Schema({ type: 'float64', optional: true });
  static readonly OPTIONAL_BOOLEAN_SCHEMA = new Schema({ type: 'boolean', optional: true });
  static readonly OPTIONAL_STRING_SCHEMA = new Schema({ type: 'string', optional: true });
  static readonly OPTIONAL_BYTES_SCHEMA = new Schema({ type: 'bytes', optional: true });
}

export function schemaEquals(a: Schema | null, b: Schema | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (
    a.type !== b.type ||
    a.optional !== b.optional ||
    a.name !== b.name ||
    a.version !== b.version ||
    a.doc !== b.doc ||
    !valueEquals(a.defaultValue, b.defaultValue) ||
    !recordEquals(a.parameters, b.parameters) ||
    a.fields.length !== b.fields.length
  ) {
    return false;
  }
  for (let i = 0; i < a.fields.length; i++) {
    const fa = a.fields[i]!;
    const fb = b.fields[i]!;
    if (fa.name !== fb.name || fa.index !== fb.index || !schemaEquals(fa.schema, fb.schema)) return false;
  }
  return schemaEquals(a.keySchema, b.keySchema) && schemaEquals(a.valueSchema, b.valueSchema);
}

function recordEquals(a: Readonly<Record<string, string>> | null, b: Readonly<Record<string, string>> | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** Deep equality of Connect values (Struct, Map, arrays, bytes, Date, bigint vs number for int64). */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    if (!Number.isInteger(Number(a)) || !Number.isInteger(Number(b))) return false;
    return BigInt(a) === BigInt(b);
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => valueEquals(v, b[i]));
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !valueEquals(v, b.get(k))) return false;
    }
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ea = (a as { equals?: (o: unknown) => boolean }).equals;
    if (typeof ea === 'function') return ea.call(a, b);
  }
  return false;
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Logical types register their value checks here (name -> predicate). */
const logicalValidators = new Map<string, (value: unknown) => boolean>();

export function registerLogicalValidator(name: string, check: (value: unknown) => boolean): void {
  logicalValidators.set(name, check);
}

/**
 * Checks that `value` fits `schema`, like `ConnectSchema.validateValue`. Throws DataException.
 * `fieldName` only improves the message.
 */
export function validateValue(schema: Schema, value: unknown, fieldName?: string): void {
  if (value === null || value === undefined) {
    if (!schema.optional) {
      const where = fieldName ? `field: "${fieldName}"` : 'value';
      throw new DataException(`Invalid value: null used for required ${where}, schema type: ${schema.type.toUpperCase()}`);
    }
    return;
  }
  if (schema.name) {
    const check = logicalValidators.get(schema.name);
    if (check) {
      if (!check(value)) throw invalidType(schema, value, fieldName);
      return;
    }
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32': {
      const [lo, hi] = INT_RANGES[schema.type]!;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
        throw invalidType(schema, value, fieldName);
      }
      return;
    }
    case 'int64':
      if (typeof value === 'number') {
        if (!Number.isInteger(value)) throw invalidType(schema, value, fieldName);
        return;
      }
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) throw invalidType(schema, value, fieldName);
        return;
      }
      throw invalidType(schema, value, fieldName);
    case 'float32':
    case 'float64':
      if (typeof value !== 'number') throw invalidType(schema, value, fieldName);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidType(schema, value, fieldName);
      return;
    case 'string':
      if (typeof value !== 'string') throw invalidType(schema, value, fieldName);
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw invalidType(schema, value, fieldName);
      return;
    case 'array':
      if (!Array.isArray(value)) throw invalidType(schema, value, fieldName);
      for (const v of value) validateValue(schema.valueSchema!, v, fieldName);
      return;
    case 'map':
      if (!(value instanceof Map)) throw invalidType(schema, value, fieldName);
      for (const [k, v] of value) {
        validateValue(schema.keySchema!, k, fieldName);
        validateValue(schema.valueSchema!, v, fieldName);
      }
      return;
    case 'struct': {
      const s = value as { schema?: Schema; validate?: () => void };
      if (typeof s !== 'object' || !s.schema || typeof s.validate !== 'function') throw invalidType(schema, value, fieldName);
      if (!schemaEquals(s.schema, schema)) throw new DataException('Struct schemas do not match.');
      s.validate();
      return;
    }
  }
}

function invalidType(schema: Schema, value: unknown, fieldName?: string): DataException {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'Array' : typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
  const where = fieldName ? ` for field: "${fieldName}"` : '';
  return new DataException(
    `Invalid Java object for schema "${schema.name ?? schema.type.toUpperCase()}" with type ${schema.type.toUpperCase()}: ${kind}${where}`,
  );
}

/** Fluent builder, like `org.apache.kafka.connect.data.SchemaBuilder`. */
export class SchemaBuilder {
  private _optional = false;
  private _default: unknown = undefined;
  private _name: string | null = null;
  private _version: number | null = null;
  private _doc: string | null = null;
  private _parameters: Record<string, string> | null = null;
  private readonly _fields: Field[] = [];
  private readonly _fieldNames = new Set<string>();

  constructor(
    readonly type: SchemaType,
    private readonly _keySchema: Schema | null = null,
    private readonly _valueSchema: Schema | null = null,
  ) {}

  static int8(): SchemaBuilder { return new SchemaBuilder('int8'); }
  static int16(): SchemaBuilder { return new SchemaBuilder('int16'); }
  static int32(): SchemaBuilder { return new SchemaBuilder('int32'); }
  static int64(): SchemaBuilder { return new SchemaBuilder('int64'); }
  static float32(): SchemaBuilder { return new SchemaBuilder('float32'); }
  static float64(): SchemaBuilder { return new SchemaBuilder('float64'); }
  static bool(): SchemaBuilder { return new SchemaBuilder('boolean'); }
  static string(): SchemaBuilder { return new SchemaBuilder('string'); }
  static bytes(): SchemaBuilder { return new SchemaBuilder('bytes'); }
  static struct(): SchemaBuilder { return new SchemaBuilder('struct'); }
  static array(valueSchema: Schema): SchemaBuilder { return new SchemaBuilder('array', null, valueSchema); }
  static map(keySchema: Schema, valueSchema: Schema): SchemaBuilder { return new SchemaBuilder('map', keySchema, valueSchema); }
  static type(type: SchemaType): SchemaBuilder { return new SchemaBuilder(type); }

  /** A builder pre-filled with everything of `schema` except its fields (like `SchemaUtil.copySchemaBasics`). */
  static copyBasics(schema: Schema): SchemaBuilder {
    const b = new SchemaBuilder(schema.type, schema.keySchema, schema.valueSchema);
    b._name = schema.name;
    b._version = schema.version;
    b._doc = schema.doc;
    b._parameters = schema.parameters ? { ...schema.parameters } : null;
    return b;
  }

  optional(): this { this._optional = true; return this; }
  required(): this { this._optional = false; return this; }
  get isOptional(): boolean { return this._optional; }

  name(name: string | null): this {
    if (this._name !== null && this._name !== name) throw new SchemaBuilderException('Invalid SchemaBuilder call: name has already been set.');
    this._name = name;
    return this;
  }
  version(version: number | null): this { this._version = version; return this; }
  doc(doc: string | null): this { this._doc = doc; return this; }
  defaultValue(value: unknown): this {
    if (value !== null && value !== undefined) {
      validateValue(new Schema({ type: this.type, name: this._name, keySchema: this._keySchema, valueSchema: this._valueSchema, fields: this._fields, optional: true }), value);
    }
    this._default = value;
    return this;
  }
  parameter(key: string, value: string): this {
    (this._parameters ??= {})[key] = value;
    return this;
  }
  parameters(params: Record<string, string>): this {
    this._parameters = { ...(this._parameters ?? {}), ...params };
    return this;
  }
  field(name: string, schema: Schema): this {
    if (this.type !== 'struct') throw new SchemaBuilderException('Cannot create fields on type ' + this.type.toUpperCase());
    if (this._fieldNames.has(name)) throw new SchemaBuilderException(`Cannot create field because of field name duplication ${name}`);
    this._fieldNames.add(name);
    this._fields.push({ name, index: this._fields.length, schema });
    return this;
  }
  get fields(): readonly Field[] { return this._fields; }

  build(): Schema {
    return new Schema({
      type: this.type,
      optional: this._optional,
      defaultValue: this._default,
      name: this._name,
      version: this._version,
      doc: this._doc,
      parameters: this._parameters,
      fields: this._fields.slice(),
      keySchema: this._keySchema,
      valueSchema: this._valueSchema,
    });
  }
}

/** A schema paired with a value, as converters return them (`SchemaAndValue`). */
export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export const NULL_SCHEMA_AND_VALUE: SchemaAndValue = Object.freeze({ schema: null, value: null });
