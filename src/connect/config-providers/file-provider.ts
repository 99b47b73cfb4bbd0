/**
 * `org.apache.kafka.common.config.provider.FileConfigProvider`: `${file:/path/to/file.properties:key}` reads
 * `key` from a Java properties file. Param `allowed.paths` restricts the files it may read.
 */
import { readFileSync } from 'node:fs';
import { parse as parseProperties } from 'dot-properties';
import { ConfigException } from '../errors.js';
import { AllowedPathsProvider } from './allowed-paths.js';
import type { ConfigData, ConfigProvider, ExplainsMissing } from './config-provider.js';

export class FileConfigProvider extends AllowedPathsProvider implements ConfigProvider, ExplainsMissing {
  static readonly className = 'org.apache.kafka.common.config.provider.FileConfigProvider';

  get(path: string, keys: ReadonlySet<string>): ConfigData {
    const data = new Map<string, string>();
    const file = this.resolve(path);
    if (file === null) return { data };
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // Kafka's message; the cause (ENOENT, EACCES) goes nowhere near the value.
      throw new ConfigException(`Could not read properties from file ${path}`);
    }
    const props = parseProperties(text) as Record<string, string>;
    for (const key of keys) if (Object.hasOwn(props, key)) data.set(key, props[key]!);
    return { data };
  }

  explainPath(path: string): string | null {
    if (path === '') return 'a file path is required';
    return this.resolve(path) === null ? 'the path is not allowed by allowed.paths' : null;
  }
}
