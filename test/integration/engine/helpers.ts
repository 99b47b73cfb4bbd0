/** Shared setup of the engine integration tests: a connector config per test, waiting, reading the slot. */
import type { PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import type { EngineProperties } from '../../../src/engine/index.js';

export { sql, confirmedFlush } from '../postgres/harness.js';

/** Engine properties for a Postgres connector on one table, with its own slot and topic prefix. */
export function engineProps(c: PostgresCluster, id: string, table: string, extra: EngineProperties = {}): EngineProperties {
  return {
    name: `engine-${id}`,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': c.host,
    'database.port': c.port,
    'database.user': c.user,
    'database.password': c.password,
    'database.dbname': c.database,
    'topic.prefix': id,
    'slot.name': `slot_${id}`,
    'table.include.list': `public.${table}`,
    'poll.interval.ms': 100,
    'offset.storage': 'memory',
    'offset.flush.interval.ms': 200,
    ...extra,
  };
}

/** Waits until `cond()` holds (checked every 20 ms), or fails after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The parsed JSON payload of a `json`-format event value. */
export function payloadOf(value: string | null): Record<string, unknown> {
  if (value === null) throw new Error('tombstone');
  return (JSON.parse(value) as { payload: Record<string, unknown> }).payload;
}
