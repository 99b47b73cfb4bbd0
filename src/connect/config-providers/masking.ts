/**
 * Configs as they may appear in logs and error messages: secrets replaced by `[hidden]` (Kafka's
 * `Password.HIDDEN`). A value is secret when its key is PASSWORD-typed in a ConfigDef, when it comes from a
 * config provider (the raw value holds a `${provider:...}` variable), or when its key is named like a secret
 * (Debezium's pattern: `...password`, `...secret`, `sasl.jaas.config`, `basic.auth.user.info`,
 * `registry.auth.client-secret`), which also covers pass-through client keys no ConfigDef describes.
 */
import type { ConfigDef } from '../api/config-def.js';
import { hasVariables } from './config-transformer.js';

export const HIDDEN = '[hidden]';

const SECRET_NAME = /(?:secret|password|sasl\.jaas\.config|basic\.auth\.user\.info|registry\.auth\.client-secret)$/i;

export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key);
}

/** The PASSWORD-typed keys of some ConfigDefs. */
export function passwordKeys(...defs: (ConfigDef | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const def of defs) for (const k of def?.configKeys() ?? []) if (k.type === 'PASSWORD') out.add(k.name);
  return out;
}

/** A copy of `config` fit for a log line. */
export function maskConfig(config: Readonly<Record<string, string | null | undefined>>, secretKeys: ReadonlySet<string> = new Set()): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    out[k] = v !== null && (secretKeys.has(k) || isSecretName(k) || hasVariables(v)) ? HIDDEN : v;
  }
  return out;
}
