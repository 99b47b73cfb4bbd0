#!/usr/bin/env node
// The `tsconnect` command: runs the compiled CLI (dist/, built by `npm ci` through the prepare script), or the
// TypeScript sources through tsx in a development checkout where dist/ is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
