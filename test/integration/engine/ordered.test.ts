/**
 * record.processing.order with several handler calls in flight: ORDERED keeps each key's changes in source
 * order while handlers of different keys overlap; UNORDERED delivers everything with overlapping calls.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { createEngine } from '../../../src/engine/index.js';
import type { Struct } from '../../../src/connect/data/index.js';
import { engineProps, sql, waitFor } from './helpers.js';

const KEYS = 8;
const ROUNDS = 20;

describe('record processing order with several threads', () => {
  let pgc: PostgresCluster;
  before(async () => {
    pgc = await startPostgres();
  });
  after(async () => {
    await pgc?.stop();
  });

  for (const order of ['ORDERED', 'UNORDERED'] as const) {
    test(`${order}: ${KEYS} keys x ${ROUNDS} updates through 4 concurrent handlers`, async () => {
      const table = `kv_${order.toLowerCase()}`;
      await sql(pgc, `CREATE TABLE ${table}(k int PRIMARY KEY, v int NOT NULL)`);
      const byKey = new Map<number, number[]>();
      let inFlight = 0;
      let maxInFlight = 0;
      let total = 0;
      const engine = createEngine({
        properties: engineProps(pgc, table, table, { 'record.processing.threads': 4, 'record.processing.order': order }),
        recordHandler: async (r) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // Handlers of later records may finish first.
          await new Promise((res) => setTimeout(res, Math.floor(Math.random() * 4)));
          const after = (r.value as Struct).get('after') as Struct;
          const k = after.get('k') as number;
          if (!byKey.has(k)) byKey.set(k, []);
          byKey.get(k)!.push(after.get('v') as number);
          total++;
          inFlight--;
        },
      });
      await engine.start();
      try {
        await sql(pgc, `INSERT INTO ${table} SELECT k, 0 FROM generate_series(1, ${KEYS}) k`);
        // Each round is one transaction that updates every key, so keys interleave in the stream.
        for (let i = 0; i < ROUNDS; i++) await sql(pgc, `UPDATE ${table} SET v = v + 1`);
        await waitFor(() => total >= KEYS * (ROUNDS + 1), 'all changes');
      } finally {
        await engine.stop();
      }
      assert.equal(total, KEYS * (ROUNDS + 1));
      assert.ok(maxInFlight > 1, `handler calls overlapped (max ${maxInFlight} at once)`);
      assert.ok(maxInFlight <= 4, 'never more than record.processing.threads at once');
      const expected = Array.from({ length: ROUNDS + 1 }, (_, i) => i);
      for (let k = 1; k <= KEYS; k++) {
        const values = byKey.get(k)!;
        if (order === 'ORDERED') assert.deepEqual(values, expected, `key ${k} in source order`);
        else assert.deepEqual([...values].sort((a, b) => a - b), expected, `key ${k} complete`);
      }
    });
  }
});
