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
  /** The slot's catalog_xmin, when xmin.fetch.interval.ms tracks it. */
  xmin?: number | null;
  origin: string | null;
  originLsn: number | null;
  /** Element 1 of `sequence` when it differs from `lsn` (incremental snapshot reads: lsn null, the stream position in sequence). */
  sequenceLsn?: number | null;
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
    // One array literal in field order (no fill pass, no per-field call): this runs once per event.
    return Struct.fromValues(SOURCE_SCHEMA, [
      CONNECTOR_VERSION,
      'postgresql',
      this.serverName,
      Math.floor(f.tsUs / 1000),
      f.snapshot,
      this.dbName,
      this.sequence(f.lastCommitLsn, f.sequenceLsn === undefined ? f.lsn : f.sequenceLsn),
      f.tsUs,
      this.lastTsNs,
      f.schema,
      f.table,
      f.txId,
      f.lsn,
      f.xmin ?? null,
      f.origin,
      f.originLsn,
    ]);
  }

  /** `sequence`, with its first half kept while the last commit LSN stays the same (a whole transaction). */
  private lastCommitLsn: number | null | undefined = undefined;
  private sequencePrefix = '';

  private sequence(lastCommit: number | null, lsn: number | null): string {
    if (lastCommit !== this.lastCommitLsn) {
      this.lastCommitLsn = lastCommit;
      this.sequencePrefix = lastCommit === null ? '[null,' : '["' + lastCommit + '",';
    }
    return this.sequencePrefix + (lsn === null ? 'null]' : '"' + lsn + '"]');
  }
}

/** `["<lastCommitLsn>","<lsn>"]` with JSON nulls for missing elements. */
export function sequence(lastCommit: number | null, lsn: number | null): string {
  const e = (v: number | null) => (v === null ? 'null' : `"${v}"`);
  return `[${e(lastCommit)},${e(lsn)}]`;
}
