/**
 * The worker's config providers (`config.providers=file,dir,env`, `config.providers.<name>.class`,
 * `config.providers.<name>.param.*`), and the two places they apply:
 *
 * - the worker config itself, once at start, leniently (Kafka's AbstractConfig leaves what it cannot resolve);
 * - connector and task configs when a connector or task starts (the Worker), and before validation (the
 *   herder), strictly: a reference to a missing key fails, naming the config key, provider, path and key.
 *
 * Stored and displayed configs always keep the variables; only running instances see resolved values.
 * `config.action.reload` is accepted and ignored: none of these providers returns a TTL, so Kafka's
 * scheduled restarts never happen either; a restart of the connector re-reads the secrets.
 */
import { ConfigException } from '../errors.js';
import { BadRequestError } from '../herder/types.js';
import type { ConfigProvider } from './config-provider.js';
import { ConfigTransformer } from './config-transformer.js';
import { DirectoryConfigProvider } from './directory-provider.js';
import { EnvVarConfigProvider } from './env-provider.js';
import { FileConfigProvider } from './file-provider.js';

type ProviderClass = { className: string; new (): ConfigProvider };
const BUILTIN: ProviderClass[] = [FileConfigProvider, DirectoryConfigProvider, EnvVarConfigProvider];

/** By Java class name, simple name, or simple name without the `ConfigProvider` suffix (Kafka's plugin aliases). */
function providerClass(name: string): ProviderClass | undefined {
  const n = name.trim();
  return BUILTIN.find((c) => {
    const simple = c.className.slice(c.className.lastIndexOf('.') + 1);
    return n === c.className || n === simple || n === simple.replace(/ConfigProvider$/, '');
  });
}

/** Instantiates and configures the providers the worker properties declare. */
export function configProvidersFrom(props: Readonly<Record<string, string>>): Map<string, ConfigProvider> {
  const providers = new Map<string, ConfigProvider>();
  const names = (props['config.providers'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    const classKey = `config.providers.${name}.class`;
    const cls = props[classKey];
    if (cls === undefined) continue; // as Kafka: a listed provider without a class is skipped
    const Cls = providerClass(cls);
    if (!Cls) {
      throw new ConfigException(
        classKey,
        cls,
        `Unknown config provider class; available: ${BUILTIN.map((c) => c.className).join(', ')}`,
      );
    }
    const prefix = `config.providers.${name}.param.`;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) params[k.slice(prefix.length)] = v;
    const provider = new Cls();
    provider.configure(params);
    providers.set(name, provider);
  }
  return providers;
}

export interface ResolvedWorkerConfig {
  /** The worker properties with their variables resolved (what the worker runs with). */
  props: Record<string, string>;
  /** For connector and task configs; null when no provider is configured. */
  transformer: ConfigTransformer | null;
}

/** Builds the providers from the worker properties and resolves the worker properties with them. */
export function resolveWorkerConfig(props: Readonly<Record<string, string>>): ResolvedWorkerConfig {
  const providers = configProvidersFrom(props);
  if (providers.size === 0) return { props: { ...props }, transformer: null };
  const transformer = new ConfigTransformer(providers);
  const resolved = transformer.transform(props, false);
  // The provider declarations themselves stay as written.
  for (const k of Object.keys(props)) if (k.startsWith('config.providers')) resolved[k] = props[k]!;
  return { props: resolved, transformer };
}

/** A variable that cannot be resolved in a submitted connector config: 400 on create, update and validate. */
export class ConfigResolutionError extends BadRequestError {}

/** The validation hook (`createConfigValidation({ transformConfig })`): resolve, or a 400 naming the key. */
export function validationTransform(transformer: ConfigTransformer): (config: Record<string, string | null>) => Record<string, string | null> {
  return (config) => {
    try {
      return transformer.transform(config, true);
    } catch (e) {
      if (e instanceof ConfigException) throw new ConfigResolutionError(e.message);
      throw e;
    }
  };
}
