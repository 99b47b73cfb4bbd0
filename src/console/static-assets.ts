/**
 * The console's built files (`npm run build:ui` writes them to dist/ui), served from memory once read.
 * Found beside the sources (src/console -> dist/ui) or beside the compiled code (dist/src/console -> dist/ui).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

export function defaultAssetDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, '../../dist/ui'), join(here, '../../ui')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

export interface Asset {
  type: string;
  body: Buffer;
}

export class StaticAssets {
  private readonly cache = new Map<string, Asset>();

  constructor(readonly dir: string | null) {}

  /** A file by its plain name (no directories), or null. */
  async get(name: string): Promise<Asset | null> {
    if (this.dir === null || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name)) return null;
    const cached = this.cache.get(name);
    if (cached) return cached;
    const ext = name.slice(name.lastIndexOf('.'));
    const type = TYPES[ext];
    if (!type) return null;
    try {
      const asset = { type, body: await readFile(join(this.dir, name)) };
      this.cache.set(name, asset);
      return asset;
    } catch {
      return null;
    }
  }
}
