/**
 * Variable substitution in configs (Kafka's `ConfigTransformer`): a value may hold `${provider:path:key}` or
 * `${provider:key}` (empty path, e.g. `${env:VAR}`), anywhere in the string and more than once. The provider
 * is asked once per (provider, path) for every key referenced under it.
 *
 * Two modes:
 * - lenient (worker configs, as Kafka's AbstractConfig): a variable that cannot be resolved stays as written;
 * - strict (connector and task configs, this project's contract): a variable naming a configured provider
 *   whose answer lacks the key is a ConfigException naming the config key, provider, path and key — never a
 *   value. A variable naming a provider that is not configured stays as written in both modes, as in Kafka.
 */
import { ConfigException } from '../errors.js';
import { type ConfigProvider, explainsMissing } from './config-provider.js';

/** Kafka's `ConfigTransformer.DEFAULT_PATTERN`: `${provider:[path:]key}`. */
const VARIABLE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

export interface ConfigVariable {
  provider: string;
  path: string;
  key: string;
  /** The variable as written, e.g. `${file:/etc/secrets.properties:password}`. */
  text: string;
}

export function variablesOf(value: string): ConfigVariable[] {
  const out: ConfigVariable[] = [];
  for (const m of value.matchAll(VARIABLE)) out.push({ provider: m[1]!, path: m[2] ?? '', key: m[3]!, text: m[0] });
  return out;
}

const HAS_VARIABLE = new RegExp(VARIABLE.source);

export function hasVariables(value: string | null | undefined): boolean {
  return !!value && value.includes('${') && HAS_VARIABLE.test(value);
}

/** The keys whose values reference a provider (their values are secrets once resolved). */
export function keysWithVariables(config: Readonly<Record<string, string | null | undefined>>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(config)) if (hasVariables(v)) out.add(k);
  return out;
}

/** A variable that names a configured provider but resolves to nothing. Message free of values. */
export class UnresolvedVariableException extends ConfigException {
  constructor(
    readonly configKey: string,
    readonly variable: ConfigVariable,
    reason: string,
  ) {
    super(
      `Could not resolve the variable ${variable.text} in the configuration '${configKey}': ${reason} ` +
        `(config provider '${variable.provider}', path '${variable.path}', key '${variable.key}')`,
    );
  }
}

export class ConfigTransformer {
  constructor(private readonly providers: ReadonlyMap<string, ConfigProvider>) {}

  get providerNames(): string[] {
    return [...this.providers.keys()];
  }

  /** The config with its variables replaced. Values without variables are passed through untouched. */
  transform<V extends string | null>(config: Readonly<Record<string, V>>, strict: boolean): Record<string, V> {
    // Collect (provider -> path -> keys) over the whole config first: one lookup per provider and path.
    const wanted = new Map<string, Map<string, Set<string>>>();
    for (const value of Object.values(config)) {
      if (value === null || !value.includes('${')) continue;
      for (const v of variablesOf(value)) {
        if (!this.providers.has(v.provider)) continue;
        const byPath = wanted.get(v.provider) ?? new Map<string, Set<string>>();
        wanted.set(v.provider, byPath);
        const keys = byPath.get(v.path) ?? new Set<string>();
        byPath.set(v.path, keys);
        keys.add(v.key);
      }
    }
    if (wanted.size === 0) return { ...config };

    const found = new Map<string, Map<string, Map<string, string>>>();
    for (const [name, byPath] of wanted) {
      const provider = this.providers.get(name)!;
      const results = new Map<string, Map<string, string>>();
      for (const [path, keys] of byPath) results.set(path, provider.get(path, keys).data);
      found.set(name, results);
    }

    const out: Record<string, V> = {};
    for (const [configKey, value] of Object.entries(config)) {
      if (value === null || !value.includes('${')) {
        out[configKey] = value;
        continue;
      }
      out[configKey] = value.replace(VARIABLE, (text, provider: string, path: string | undefined, key: string) => {
        const data = found.get(provider)?.get(path ?? '');
        if (!data) return text; // provider not configured: left as written
        const resolved = data.get(key);
        if (resolved !== undefined) return resolved;
        if (strict) throw this.unresolved(configKey, { provider, path: path ?? '', key, text });
        return text;
      }) as V;
    }
    return out;
  }

  /**
   * Task configs as stored (Kafka's `AbstractHerder.reverseTransform`): a task key that the connector config
   * sets through a variable gets the variable back instead of the resolved value, so secrets never reach the
   * config topic or file and are resolved again when the task starts.
   */
  static reverseTransform(rawConnectorConfig: Readonly<Record<string, string>>, taskConfigs: Record<string, string>[]): Record<string, string>[] {
    const keys = keysWithVariables(rawConnectorConfig);
    if (keys.size === 0) return taskConfigs;
    return taskConfigs.map((c) => {
      const out = { ...c };
      for (const k of keys) if (Object.hasOwn(out, k)) out[k] = rawConnectorConfig[k]!;
      return out;
    });
  }

  private unresolved(configKey: string, v: ConfigVariable): UnresolvedVariableException {
    const provider = this.providers.get(v.provider)!;
    const reason = explainsMissing(provider) ? provider.explainPath(v.path, v.key) : null;
    return new UnresolvedVariableException(configKey, v, reason ?? 'the key does not exist');
  }
}
