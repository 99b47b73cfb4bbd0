/**
 * ConfigDef: the definition of a plugin's configuration keys (`org.apache.kafka.common.config.ConfigDef`).
 *
 * One definition drives three things: parsing a raw `{string: string}` config into typed values, validation
 * with Kafka's error strings (the raw map is checked by an ajv schema compiled once from the definition, then
 * by each key's validator), and the REST listings (`/connector-plugins/{p}/config`, `.../config/validate`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigException } from '../errors.js';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** A secret: rendered as `[hidden]` in listings and logs. */
export class Password {
  constructor(readonly value: string) {}
  toString(): string {
    return '[hidden]';
  }
  toJSON(): string {
    return '[hidden]';
  }
}

/** Marker for "no default": the key is required. */
export const NO_DEFAULT = Symbol('NO_DEFAULT');

/** Checks a parsed value; throws ConfigException (use `invalid(name, value, reason)`). */
export interface Validator {
  ensureValid(name: string, value: unknown): void;
  /** Text shown in documentation, e.g. `[1,...]`. */
  toString(): string;
}

export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** Parsed default value, or NO_DEFAULT when the key is required. */
  defaultValue: unknown;
  validator?: Validator;
  importance: Importance;
  documentation: string;
  group?: string | null;
  orderInGroup?: number;
  width?: Width;
  displayName?: string;
  dependents?: string[];
  /** Recommended values for the REST validation answer. */
  recommendedValues?: () => string[];
  /** Internal keys are not listed over REST. */
  internal?: boolean;
  /**
   * Replaces `parseType` for a value given in the config (e.g. CLASS keys resolving a plugin alias to its class
   * name); throws ConfigException like `parseType`.
   */
  parser?: (name: string, raw: string) => unknown;
}

export type ConfigKeyInit = Omit<ConfigKey, 'defaultValue' | 'importance' | 'documentation'> & {
  defaultValue?: unknown;
  importance?: Importance;
  documentation?: string;
};

/** The result of validating one key (`ConfigValue`). */
export interface ConfigValue {
  name: string;
  value: unknown;
  recommendedValues: string[];
  errorMessages: string[];
  visible: boolean;
}

export function invalid(name: string, value: unknown, reason?: string): ConfigException {
  return new ConfigException(name, value, reason);
}

export class ConfigDef {
  private readonly keys = new Map<string, ConfigKey>();
  private readonly groupOrder: string[] = [];
  private compiled: ValidateFunction | null = null;

  /** Defines a key; a key without `defaultValue` is required. Returns `this` for chaining. */
  define(init: ConfigKeyInit): this {
    if (this.keys.has(init.name)) throw new ConfigException(`Configuration ${init.name} is defined twice.`);
    const key: ConfigKey = {
      importance: 'MEDIUM',
      documentation: '',
      ...init,
      defaultValue: 'defaultValue' in init ? parseType(init.name, init.defaultValue, init.type) : NO_DEFAULT,
    };
    if (key.group && !this.groupOrder.includes(key.group)) this.groupOrder.push(key.group);
    this.keys.set(key.name, key);
    this.compiled = null;
    return this;
  }

  /** Adds every key of `other` that this definition does not have yet. */
  merge(other: ConfigDef): this {
    for (const k of other.configKeys()) if (!this.keys.has(k.name)) this.define(toInit(k));
    return this;
  }

  /**
   * Adds the keys of `base` prefixed (e.g. `transforms.unwrap.`), like Kafka's `ConfigDef.embed`: in `base`'s
   * sorted order, group `<group>` (or `<group>: <key's group>`), orders from `startingOrder`, validators that
   * see the unprefixed name.
   */
  embed(prefix: string, group: string, startingOrder: number, base: ConfigDef): this {
    let order = startingOrder;
    for (const k of base.sortedConfigKeys()) {
      const inner = k.validator;
      this.define({
        ...toInit(k),
        name: prefix + k.name,
        group: k.group ? `${group}: ${k.group}` : group,
        orderInGroup: order++,
        displayName: k.displayName ?? k.name,
        dependents: (k.dependents ?? []).map((d) => prefix + d),
        validator: inner && {
          ensureValid: (name: string, value: unknown) => inner.ensureValid(name.slice(prefix.length), value),
          toString: () => inner.toString(),
        },
      });
    }
    return this;
  }

  /**
   * Keys in Kafka's documentation order (`sortedConfigs`): keys without a group first, then by group, order in
   * group, required before defaulted, importance, name.
   */
  sortedConfigKeys(): ConfigKey[] {
    const groupOrd = new Map(this.groupOrder.map((g, i) => [g, i]));
    const rank = { HIGH: 0, MEDIUM: 1, LOW: 2 } as const;
    return [...this.keys.values()].sort((a, b) => {
      const ga = a.group ? groupOrd.get(a.group)! : -1;
      const gb = b.group ? groupOrd.get(b.group)! : -1;
      if (ga !== gb) return ga - gb;
      const oa = a.orderInGroup ?? -1;
      const ob = b.orderInGroup ?? -1;
      if (oa !== ob) return oa - ob;
      const ra = a.defaultValue === NO_DEFAULT ? 0 : 1;
      const rb = b.defaultValue === NO_DEFAULT ? 0 : 1;
      if (ra !== rb) return ra - rb;
      if (a.importance !== b.importance) return rank[a.importance] - rank[b.importance];
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }

  has(name: string): boolean {
    return this.keys.has(name);
  }

  key(name: string): ConfigKey | undefined {
    return this.keys.get(name);
  }

  configKeys(): ConfigKey[] {
    return [...this.keys.values()];
  }

  groups(): string[] {
    return [...this.groupOrder];
  }

  /** Parses and validates; throws the first ConfigException (like `ConfigDef.parse`). */
  parse(props: Record<string, string | undefined>): ParsedConfig {
    const values: Record<string, unknown> = {};
    this.checkRawTypes(props);
    for (const key of this.keys.values()) values[key.name] = this.parseKey(key, props);
    return new ParsedConfig(this, values, props);
  }

  /**
   * Validates every key and collects all errors (like `ConfigDef.validateAll`). Never throws ConfigException.
   * As in Kafka, a value that fails to parse (or is missing, or null) becomes null and the key's validator
   * still runs on it, so e.g. `tasks.max=abc` yields both the type error and the range's "must be non-null".
   */
  validateAll(props: Record<string, string | null | undefined>): Map<string, ConfigValue> {
    const result = new Map<string, ConfigValue>();
    const rawErrors = this.rawTypeErrors(props);
    for (const key of this.keys.values()) {
      const cv: ConfigValue = {
        name: key.name,
        value: null,
        recommendedValues: key.recommendedValues ? key.recommendedValues() : [],
        errorMessages: [],
        visible: true,
      };
      const raw = props[key.name];
      let value: unknown = null;
      if (raw === null) {
        value = null;
      } else if (rawErrors.has(key.name)) {
        cv.errorMessages.push(rawErrors.get(key.name)!);
      } else if (raw !== undefined) {
        try {
          value = key.parser ? key.parser(key.name, raw) : parseType(key.name, raw, key.type);
        } catch (e) {
          cv.errorMessages.push(e instanceof Error ? e.message : String(e));
        }
      } else if (key.defaultValue === NO_DEFAULT) {
        cv.errorMessages.push(`Missing required configuration "${key.name}" which has no default value.`);
      } else {
        value = key.defaultValue;
      }
      if (key.validator) {
        try {
          key.validator.ensureValid(key.name, value);
        } catch (e) {
          // Only ConfigExceptions are validation errors; a validator that cannot cope with the null left by an
          // earlier error is not reported a second time.
          if (e instanceof ConfigException) cv.errorMessages.push(e.message);
          else if (value !== null) cv.errorMessages.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (raw === null) cv.errorMessages.push('Null value can not be supplied as the configuration value.');
      cv.value = value;
      result.set(key.name, cv);
    }
    return result;
  }

  private parseKey(key: ConfigKey, props: Record<string, string | undefined>): unknown {
    const raw = props[key.name];
    let value: unknown;
    if (raw !== undefined) {
      value = key.parser ? key.parser(key.name, raw) : parseType(key.name, raw, key.type);
    } else if (key.defaultValue === NO_DEFAULT) {
      throw new ConfigException(`Missing required configuration "${key.name}" which has no default value.`);
    } else {
      value = key.defaultValue;
    }
    if (key.validator) key.validator.ensureValid(key.name, value);
    return value;
  }

  /**
   * The raw config map is checked against a JSON schema compiled from the definition: numbers and booleans
   * must look like what Java's parsers accept. This catches type errors before any value is converted.
   */
  private rawTypeErrors(props: Record<string, unknown>): Map<string, string> {
    this.compiled ??= new Ajv({ allErrors: true, strict: false }).compile(this.toJsonSchema());
    const errors = new Map<string, string>();
    if (this.compiled(props)) return errors;
    for (const e of this.compiled.errors as ErrorObject[]) {
      const name = e.instancePath.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~');
      const key = this.keys.get(name);
      if (!key || errors.has(name)) continue;
      errors.set(name, invalid(name, String(props[name]).trim(), typeMismatchReason(key.type)).message);
    }
    return errors;
  }

  private checkRawTypes(props: Record<string, unknown>): void {
    const errors = this.rawTypeErrors(props);
    const first = errors.values().next();
    if (!first.done) throw new ConfigException(first.value);
  }

  /** JSON schema of the raw string map: one property per key, with a pattern for typed keys. */
  toJsonSchema(): Record<string, unknown> {
    const properties: Record<string, unknown> = {};
    for (const k of this.keys.values()) {
      const pattern = RAW_PATTERNS[k.type];
      properties[k.name] = pattern ? { type: 'string', pattern } : { type: 'string' };
    }
    return { type: 'object', properties };
  }
}

const RAW_PATTERNS: Partial<Record<ConfigType, string>> = {
  BOOLEAN: '^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$',
  INT: '^\\s*[+-]?\\d+\\s*$',
  SHORT: '^\\s*[+-]?\\d+\\s*$',
  LONG: '^\\s*[+-]?\\d+\\s*$',
  DOUBLE: '^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*$',
};

function typeMismatchReason(type: ConfigType): string {
  return type === 'BOOLEAN' ? 'Expected value to be either true or false' : `Not a number of type ${type}`;
}

function toInit(k: ConfigKey): ConfigKeyInit {
  const { defaultValue, ...rest } = k;
  return defaultValue === NO_DEFAULT ? rest : { ...rest, defaultValue };
}

const RANGES: Partial<Record<ConfigType, [bigint, bigint]>> = {
  SHORT: [-32768n, 32767n],
  INT: [-2147483648n, 2147483647n],
  LONG: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Converts a raw (string) or already-typed value to the key's type, like `ConfigDef.parseType`. */
export function parseType(name: string, value: unknown, type: ConfigType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const t = value.trim().toLowerCase();
        if (t === 'true') return true;
        if (t === 'false') return false;
      }
      throw invalid(name, value, 'Expected value to be either true or false');
    case 'STRING':
    case 'CLASS':
      if (typeof value === 'string') return value.trim();
      if (typeof value === 'function') return (value as { name: string }).name;
      throw invalid(name, value, 'Expected value to be a string, but it was a ' + typeof value);
    case 'PASSWORD':
      if (value instanceof Password) return value;
      if (typeof value === 'string') return new Password(value);
      throw invalid(name, value, 'Expected value to be a string, but it was a ' + typeof value);
    case 'SHORT':
    case 'INT':
    case 'LONG': {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      const t = typeof value === 'string' ? value.trim() : '';
      const [lo, hi] = RANGES[type]!;
      if (/^[+-]?\d+$/.test(t)) {
        const n = BigInt(t);
        if (n >= lo && n <= hi) return Number(n);
      }
      throw invalid(name, typeof value === 'string' ? t : value, `Not a number of type ${type}`);
    }
    case 'DOUBLE': {
      if (typeof value === 'number') return value;
      const t = typeof value === 'string' ? value.trim() : '';
      const n = Number(t);
      if (t !== '' && !Number.isNaN(n)) return n;
      throw invalid(name, t, 'Not a number of type DOUBLE');
    }
    case 'LIST':
      if (Array.isArray(value)) return value.map(String);
      if (typeof value === 'string') {
        const t = value.trim();
        return t === '' ? [] : t.split(/\s*,\s*/);
      }
      throw invalid(name, value, 'Expected a comma separated list.');
  }
}

/** Renders a parsed value the way Kafka lists it over REST (lists comma-joined, passwords hidden). */
export function renderValue(value: unknown, type: ConfigType): string | null {
  if (value === null || value === undefined || value === NO_DEFAULT) return null;
  if (type === 'PASSWORD') return '[hidden]';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Typed access to a parsed configuration (`AbstractConfig`). */
export class ParsedConfig {
  constructor(
    readonly definition: ConfigDef,
    readonly values: Readonly<Record<string, unknown>>,
    readonly originals: Readonly<Record<string, string | undefined>>,
  ) {}

  get(name: string): unknown {
    if (!(name in this.values)) throw new ConfigException(`Unknown configuration '${name}'`);
    return this.values[name];
  }
  getString(name: string): string | null {
    return this.get(name) as string | null;
  }
  getInt(name: string): number | null {
    return this.get(name) as number | null;
  }
  getLong(name: string): number | null {
    return this.get(name) as number | null;
  }
  getDouble(name: string): number | null {
    return this.get(name) as number | null;
  }
  getBoolean(name: string): boolean {
    return this.get(name) as boolean;
  }
  getList(name: string): string[] {
    return (this.get(name) as string[] | null) ?? [];
  }
  getPassword(name: string): Password | null {
    return this.get(name) as Password | null;
  }
  /** Original keys starting with `prefix`, with the prefix removed (`originalsWithPrefix`). */
  originalsWithPrefix(prefix: string, strip = true): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.originals)) {
      if (v !== undefined && k.startsWith(prefix)) out[strip ? k.slice(prefix.length) : k] = v;
    }
    return out;
  }
}

/** Validators with Kafka's wording. */
export const Validators = {
  atLeast(min: number): Validator {
    return {
      ensureValid(name, value) {
        if (value !== null && (value as number) < min) throw invalid(name, value, `Value must be at least ${min}`);
      },
      toString: () => `[${min},...]`,
    };
  },
  between(min: number, max: number): Validator {
    return {
      ensureValid(name, value) {
        if (value === null) return;
        if ((value as number) < min) throw invalid(name, value, `Value must be at least ${min}`);
        if ((value as number) > max) throw invalid(name, value, `Value must be no more than ${max}`);
      },
      toString: () => `[${min},...,${max}]`,
    };
  },
  /** Case-sensitive choice (`ValidString.in`). */
  in(...allowed: string[]): Validator {
    return {
      ensureValid(name, value) {
        if (value !== null && !allowed.includes(value as string)) throw invalid(name, value, `String must be one of: ${allowed.join(', ')}`);
      },
      toString: () => `[${allowed.join(', ')}]`,
    };
  },
  /** Case-insensitive choice (`CaseInsensitiveValidString.in`). */
  inIgnoreCase(...allowed: string[]): Validator {
    const lower = allowed.map((a) => a.toLowerCase());
    return {
      ensureValid(name, value) {
        if (value !== null && !lower.includes(String(value).toLowerCase())) {
          throw invalid(name, value, `String must be one of (case insensitive): ${allowed.join(', ')}`);
        }
      },
      toString: () => `(case insensitive) [${allowed.join(', ')}]`,
    };
  },
  nonEmptyString(): Validator {
    return {
      ensureValid(name, value) {
        // Kafka's NonEmptyString lets null through (a missing required key is reported on its own).
        if (value !== null && value !== undefined && String(value).length === 0) throw invalid(name, value, 'String may not be empty');
      },
      toString: () => 'non-empty string',
    };
  },
  /** Non-empty and free of ISO control characters (connector names). */
  nonEmptyStringWithoutControlChars(): Validator {
    return {
      ensureValid(name, value) {
        if (value === null || value === undefined) return; // reported as missing, as in Kafka
        const s = String(value);
        if (s.length === 0) throw invalid(name, s, 'String may not be empty');
        const bad = [...s].filter((c) => /[\u0000-\u001f\u007f-\u009f]/.test(c)).map((c) => c.charCodeAt(0));
        if (bad.length > 0) {
          throw invalid(name, s, `String may not contain control sequences but had the following ASCII chars: ${bad.join(', ')}`);
        }
      },
      toString: () => 'non-empty string without ISO control characters',
    };
  },
  /** Every list element passes `inner` (`ValidList`). */
  list(inner: Validator): Validator {
    return {
      ensureValid(name, value) {
        for (const v of (value as string[] | null) ?? []) inner.ensureValid(name, v);
      },
      toString: () => inner.toString(),
    };
  },
  /** A list without duplicates; Kafka's message for transform/predicate aliases. */
  uniqueList(): Validator {
    return {
      ensureValid(name, value) {
        const list = (value as string[] | null) ?? [];
        if (new Set(list).size !== list.length) throw invalid(name, list, 'Duplicate alias provided.');
      },
      toString: () => 'unique list',
    };
  },
  regex(): Validator {
    return {
      ensureValid(name, value) {
        if (value === null || value === '') return;
        try {
          new RegExp(String(value));
        } catch (e) {
          throw invalid(name, value, (e as Error).message);
        }
      },
      toString: () => 'valid regular expression',
    };
  },
  compose(...validators: Validator[]): Validator {
    return {
      ensureValid(name, value) {
        for (const v of validators) v.ensureValid(name, value);
      },
      toString: () => validators.map(String).join(', '),
    };
  },
};
