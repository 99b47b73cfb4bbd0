/**
 * `org.apache.kafka.common.config.provider.DirectoryConfigProvider`: `${directory:/run/secrets:db-password}`
 * is the whole content of the regular file `db-password` in that directory (Kubernetes/Docker secret mounts).
 * Param `allowed.paths` restricts the directories it may read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigException } from '../errors.js';
import { AllowedPathsProvider } from './allowed-paths.js';
import type { ConfigData, ConfigProvider, ExplainsMissing } from './config-provider.js';

export class DirectoryConfigProvider extends AllowedPathsProvider implements ConfigProvider, ExplainsMissing {
  static readonly className = 'org.apache.kafka.common.config.provider.DirectoryConfigProvider';

  get(path: string, keys: ReadonlySet<string>): ConfigData {
    const data = new Map<string, string>();
    const dir = this.resolve(path);
    if (dir === null || !isDirectory(dir)) return { data };
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      throw new ConfigException(`Could not list directory ${dir}`);
    }
    for (const name of names) {
      if (!keys.has(name)) continue;
      const file = join(dir, name);
      if (!isFile(file)) continue;
      try {
        data.set(name, readFileSync(file, 'utf8'));
      } catch {
        throw new ConfigException(`Could not read file ${file} for property ${name}`);
      }
    }
    return { data };
  }

  explainPath(path: string): string | null {
    if (path === '') return 'a directory path is required';
    const dir = this.resolve(path);
    if (dir === null) return 'the path is not allowed by allowed.paths';
    return isDirectory(dir) ? null : 'the path is not a directory';
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
