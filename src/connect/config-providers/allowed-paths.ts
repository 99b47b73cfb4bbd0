/**
 * `allowed.paths` of the file and directory providers (Kafka's `AllowedPaths`): a comma-separated list of
 * absolute, existing paths; a requested path is allowed when its normalised form lies under one of them.
 * Unset: every path is allowed.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, normalize, sep } from 'node:path';
import { ConfigException } from '../errors.js';

export class AllowedPaths {
  private readonly allowed: string[] | null;

  constructor(value: string | undefined) {
    if (value === undefined || value === '') {
      this.allowed = null;
      return;
    }
    this.allowed = value.split(',').map((entry) => {
      const p = normalize(entry.trim());
      if (!isAbsolute(p)) throw new ConfigException(`Path ${p} is not absolute`);
      if (!existsSync(p)) throw new ConfigException(`Path ${p} does not exist`);
      return p.length > 1 && p.endsWith(sep) ? p.slice(0, -1) : p;
    });
  }

  /** The path to read, or null when it lies outside `allowed.paths` (Java's `Path.startsWith`: whole components). */
  parseUntrustedPath(path: string): string | null {
    if (this.allowed === null) return path;
    const p = normalize(path);
    const ok = this.allowed.some((root) => p === root || p.startsWith(root === sep ? root : root + sep));
    return ok ? p : null;
  }
}

/** What the file and directory providers share: `allowed.paths` from their params, and paths checked against it. */
export abstract class AllowedPathsProvider {
  private allowedPaths: AllowedPaths | null = null;

  configure(params: Record<string, string>): void {
    this.allowedPaths = new AllowedPaths(params['allowed.paths']);
  }

  /** The path to read, or null when it is empty or outside `allowed.paths`. */
  protected resolve(path: string): string | null {
    if (!this.allowedPaths) throw new Error('The provider has not been configured yet.');
    if (path === '') return null;
    return this.allowedPaths.parseUntrustedPath(path);
  }
}
