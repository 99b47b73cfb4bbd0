/**
 * The `source` block of every event (`io.debezium.connector.postgresql.Source`), field order as in
 * Debezium's code (specs/debezium-postgres.md §1.3).
 */
import { Schema, SchemaBuilder, Struct } from '../../connect/data/index.js';

/** `source.version`: the Debezium release whose output we match, marked as ours. */
export const CONNECTOR_VERSION = '3.6.0.Final-tsconnect';

export const SNAPSHOT_ENUM_SCHEMA = SchemaBuilder.string()
  .optional()
  .name('io.debezium.data.Enum')
  .version(1)
  .parameter('allowed', 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental')
  .defaultValue('false')
  .build();

export const SOURCE_SCHEMA = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .version(1)
  .field('version', Schema.STRING_SCHEMA)
  .field('connector', Schema.STRING_SCHEMA)
  .field('name', Schema.STRING_SCHEMA)
  .field('ts_ms', Schema.INT64_SCHEMA)
  .field('snapshot', SNAPSHOT_ENUM_SCHEMA)
  .field('db', Schema.STRING_SCHEMA)
  .field('sequence', Schema.OPTIONAL_STRING_SCHEMA)
  .field('ts_us', Schema.OPTIONAL_INT64_SCHEMA)
  .field('ts_ns', Schema.OPTIONAL_INT64_SCHEMA)
  .field('schema', Schema.STRING_SCHEMA)
  .field('table', Schema.STRING_SCHEMA)
  .field('txId', Schema.OPTIONAL_INT64_SCHEMA)
  .field('lsn', Schema.OPTIONAL_INT64_SCHEMA)
  .field('xmin', Schema.OPTIONAL_INT64_SCHEMA)
  .field('origin', Schema.OPTIONAL_STRING_SCHEMA)
  .field('origin_lsn', Schema.OPTIONAL_INT64_SCHEMA)
  .build();

export type SnapshotMarker = 'true' | 'first' | 'first_in_data_collection' | 'last_in_data_collection' | 'last' | 'incremental' | null;

export interface SourceFields {
  /** Commit (or snapshot) time in µs since the epoch. */
  tsUs: number;
  snapshot: SnapshotMarker;
  schema: string;
  table: string;
  txId: number | null;
  lsn: number | null;
  /** Commit LSN of the last completed transaction (element 0 of `sequence`). */
  lastCommitLsn: number | null;
  origin: string | null;
  originLsn: number | null;
}

/** Builds source Structs for one connector (the constant fields are fixed once). */
export class SourceInfoBuilder {
  constructor(
    private readonly serverName: string,
    private readonly dbName: string,
  ) {}

  /** Events of one transaction share the commit time: its ns form (a BigInt) is computed once. */
  private lastTsUs = NaN;
  private lastTsNs: number | bigint = 0;

  build(f: SourceFields): Struct {
    if (f.tsUs !== this.lastTsUs) {
      this.lastTsUs = f.tsUs;
      this.lastTsNs = f.tsUs * 1000 <= Number.MAX_SAFE_INTEGER ? f.tsUs * 1000 : BigInt(f.tsUs) * 1000n;
    }
    const s = new Struct(SOURCE_SCHEMA);
    const ms = Math.floor(f.tsUs / 1000);
    s.putUnchecked(0, CONNECTOR_VERSION);
    s.putUnchecked(1, 'postgresql');
    s.putUnchecked(2, this.serverName);
    s.putUnchecked(3, ms);
    s.putUnchecked(4, f.snapshot);
    s.putUnchecked(5, this.dbName);
    s.putUnchecked(6, sequence(f.lastCommitLsn, f.lsn));
    s.putUnchecked(7, f.tsUs);
    s.putUnchecked(8, this.lastTsNs);
    s.putUnchecked(9, f.schema);
    s.putUnchecked(10, f.table);
    s.putUnchecked(11, f.txId);
    s.putUnchecked(12, f.lsn);
    s.putUnchecked(13, null);
    s.putUnchecked(14, f.origin);
    s.putUnchecked(15, f.originLsn);
    return s;
  }
}

/** `["<lastCommitLsn>","<lsn>"]` with JSON nulls for missing elements. */
export function sequence(lastCommit: number | null, lsn: number | null): string {
  const e = (v: number | null) => (v === null ? 'null' : `"${v}"`);
  return `[${e(lastCommit)},${e(lsn)}]`;
}
