/**
 * The initial snapshot: reads every captured table in one REPEATABLE READ transaction (importing the
 * slot's exported snapshot when the slot was created in this run, so snapshot and stream neither overlap
 * nor leave a gap), through a cursor of `snapshot.fetch.size` rows, and emits `op: r` events. The last
 * record is held back so it can be marked `last` (specs/debezium-postgres.md §1.3).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SourceRecord } from '../../connect/data/index.js';
import { quoteIdent } from './catalog.js';
import type { PostgresConfig } from './config.js';
import type { EventFactory } from './events.js';
import { snapshotOffsetMap } from './offsets.js';
import type { Lsn, TupleValue } from './pgoutput/decoder.js';
import type { SnapshotMarker } from './source-info.js';
import type { TableSchema } from './table-schema.js';
import { parseTimestamp } from './types/temporal.js';

export interface SnapshotContext {
  client: pg.Client;
  cfg: PostgresConfig;
  events: EventFactory;
  tables: TableSchema[];
  /** Exported snapshot of a slot created in this run, or null. */
  snapshotName: string | null;
  /** The stream position the snapshot corresponds to. */
  lsn: Lsn;
  /** Hands records to the queue; resolves when there is room for more. */
  emit(records: SourceRecord[]): Promise<void>;
  stopped(): boolean;
  log: Logger;
}

interface Pending {
  table: TableSchema;
  row: TupleValue[];
  firstInTable: boolean;
}

export async function runSnapshot(ctx: SnapshotContext): Promise<{ rows: number }> {
  const { client, cfg, events, log } = ctx;
  await client.query('BEGIN');
  try {
    if (ctx.snapshotName) {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await client.query(`SET TRANSACTION SNAPSHOT '${ctx.snapshotName}'`);
    } else {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    }
    const info = await client.query('SELECT pg_current_xact_id()::text AS xid, CURRENT_TIMESTAMP::text AS ts');
    const row0 = info.rows[0] as { xid: string; ts: string };
    const txId = Number(row0.xid);
    const tsUs = parseTimestamp(row0.ts);
    log.info({ tables: ctx.tables.map((t) => t.id), lsn: ctx.lsn }, 'Snapshot started');

    let pending: Pending | null = null;
    let total = 0;
    let firstOverall = true;
    const flush = async (p: Pending, lastInTable: boolean, lastOverall: boolean): Promise<void> => {
      let marker: SnapshotMarker;
      if (lastOverall) marker = 'last';
      else if (firstOverall) marker = 'first';
      else if (lastInTable) marker = 'last_in_data_collection';
      else if (p.firstInTable) marker = 'first_in_data_collection';
      else marker = 'true';
      firstOverall = false;
      const t = p.table;
      const offset = snapshotOffsetMap({ lsn: ctx.lsn, txId, tsUsec: tsUs, lastSnapshotRecord: lastOverall });
      const rec = events.change(
        t, 'r', t.key(p.row), null, t.value(p.row, null, false),
        { tsUs, snapshot: marker, schema: t.info.schema, table: t.info.table, txId, lsn: ctx.lsn, lastCommitLsn: null, origin: null, originLsn: null },
        offset, null,
      );
      await ctx.emit([rec]);
    };

    for (const table of ctx.tables) {
      if (ctx.stopped()) return { rows: total };
      const cols = table.columnNames.map(quoteIdent).join(', ');
      const override = cfg.snapshotOverrides.get(table.id);
      const sql = override ?? `SELECT ${cols} FROM ${quoteIdent(table.info.schema)}.${quoteIdent(table.info.table)}`;
      const est = await client.query('SELECT GREATEST(reltuples, 0)::int8 AS n FROM pg_class WHERE oid = $1::regclass', [`${quoteIdent(table.info.schema)}.${quoteIdent(table.info.table)}`]);
      const estimate = Number((est.rows[0] as { n: string } | undefined)?.n ?? 0);
      await client.query(`DECLARE dbz_snapshot NO SCROLL CURSOR FOR ${sql}`);
      const started = Date.now();
      let lastLog = started;
      let rows = 0;
      let first = true;
      for (;;) {
        const r = await client.query({ text: `FETCH ${cfg.snapshotFetchSize} FROM dbz_snapshot`, rowMode: 'array' });
        const batch = r.rows as TupleValue[][];
        for (const row of batch) {
          if (pending) await flush(pending, pending.table !== table, false);
          pending = { table, row, firstInTable: first };
          first = false;
          rows++;
        }
        if (batch.length < cfg.snapshotFetchSize || ctx.stopped()) break;
        const now = Date.now();
        if (now - lastLog >= 10_000) {
          lastLog = now;
          const rate = rows / ((now - started) / 1000);
          const eta = estimate > rows && rate > 0 ? Math.round((estimate - rows) / rate) : null;
          log.info({ table: table.id, rows, rowsPerSecond: Math.round(rate), estimatedRows: estimate, etaSeconds: eta }, 'Snapshot progress');
        }
      }
      await client.query('CLOSE dbz_snapshot');
      total += rows;
      const secs = (Date.now() - started) / 1000;
      log.info({ table: table.id, rows, seconds: secs, rowsPerSecond: secs > 0 ? Math.round(rows / secs) : rows }, 'Snapshot of table finished');
    }
    // The held-back record is the last of the whole snapshot, even when later tables were empty.
    if (pending) await flush(pending, true, true);
    await client.query('COMMIT');
    log.info({ rows: total }, 'Snapshot completed');
    return { rows: total };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
