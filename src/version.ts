/** The version shown by `GET /`, read from the package's package.json (found from this file, in src/ or dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const PACKAGE_ROOT: string = packageRoot();
export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Kafka shows a 16-hex git id; set TSCONNECT_COMMIT at build time to show one. */
export const COMMIT: string = process.env['TSCONNECT_COMMIT'] ?? '0000000000000000';
