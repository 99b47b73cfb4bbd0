/**
 * docs/configuration.md is generated from the ConfigDefs (scripts/config-docs.ts): it must match what the
 * code defines now, so the operator reference never lists a key, default or valid value that is not true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configurationDocs } from '../../../scripts/config-docs.js';

test('docs/configuration.md is up to date (run `npm run docs:config` after changing a ConfigDef)', () => {
  const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const generated = configurationDocs();
  if (committed !== generated) {
    const a = committed.split('\n');
    const b = generated.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    assert.fail(`docs/configuration.md is stale from line ${at + 1}:\n  committed: ${a[at]}\n  generated: ${b[at]}`);
  }
});

test('the reference lists the keys users bring from the blogs and Kafka Connect', () => {
  const docs = configurationDocs();
  for (const key of ['offset.flush.interval.ms', 'slot.name', 'publication.autocreate.mode', 'transforms', 'errors.tolerance', 'schemas.enable', 'delete.tombstone.handling.mode']) {
    assert.ok(docs.includes(`| \`${key}\` |`), `missing ${key}`);
  }
});
