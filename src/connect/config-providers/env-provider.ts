/**
 * `org.apache.kafka.common.config.provider.EnvVarConfigProvider`: `${env:VAR}` (no path) is the environment
 * variable VAR. Param `allowlist.pattern` (a regular expression matching the whole name) limits which
 * variables may be read; default: all.
 */
import { ConfigException } from '../errors.js';
import type { ConfigData, ConfigProvider, ExplainsMissing } from './config-provider.js';

export class EnvVarConfigProvider implements ConfigProvider, ExplainsMissing {
  static readonly className = 'org.apache.kafka.common.config.provider.EnvVarConfigProvider';
  private allowlist: RegExp = /^(?:.*)$/s;

  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  configure(params: Record<string, string>): void {
    const pattern = params['allowlist.pattern'];
    if (pattern === undefined) return;
    try {
      this.allowlist = new RegExp(`^(?:${pattern})$`, 's');
    } catch (e) {
      throw new ConfigException('allowlist.pattern', pattern, (e as Error).message);
    }
  }

  get(path: string, keys: ReadonlySet<string>): ConfigData {
    if (path !== '') throw new ConfigException(`Path is not supported for EnvVarConfigProvider, invalid value '${path}'`);
    const data = new Map<string, string>();
    for (const key of keys) {
      const value = this.env[key];
      if (value !== undefined && this.allowlist.test(key)) data.set(key, value);
    }
    return { data };
  }

  /** A variable that exists but is hidden by the allowlist says so. */
  explainPath(_path: string, key: string): string | null {
    return this.env[key] !== undefined && !this.allowlist.test(key) ? 'the variable is not allowed by allowlist.pattern' : null;
  }
}
