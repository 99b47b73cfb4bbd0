#!/usr/bin/env node
// Runs the test suite with Node's test runner: every test/**/*.test.ts (unit first, then integration and
// end-to-end), or the files/directories given as arguments. Node 20's runner does not expand globs itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const order = ['unit', 'integration', 'e2e'];
function collect(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).sort().flatMap((name) => collect(join(path, name)));
}
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];
const rank = (f) => {
  const i = order.findIndex((o) => relative('test', f).startsWith(o + '/'));
  return i < 0 ? order.length : i;
};
const files = roots.flatMap(collect).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error(`No test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files],
  { stdio: 'inherit', env: { ...process.env, TSCONNECT_LOG_LEVEL: process.env.TSCONNECT_LOG_LEVEL ?? 'warn' } },
);
process.exit(result.status ?? 1);
