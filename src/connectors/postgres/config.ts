/**
 * The connector's configuration: Debezium's key names and defaults (specs/debezium-postgres.md §4), one
 * ConfigDef for validation and REST listings, and a typed view (`PostgresConfig`) used by the task.
 */
import type { PgTlsSettings } from './tls.js';
import { type SignalConfig, parseSignalConfig } from './signals/signal-config.js';
import { NAME_ADJUSTMENT_MODES, type NameAdjustmentMode } from './name-adjustment.js';
import { REPLICA_IDENTITY_AUTOSET, type ReplicaIdentityRule, parseReplicaIdentityRules } from './replica-identity.js';
import { ConfigDef, type ParsedConfig, Password, Validators, invalid } from '../../connect/api/config-def.js';
import { ConfigException } from '../../connect/errors.js';

const SNAPSHOT_MODES = ['initial', 'always', 'no_data', 'never', 'initial_only', 'when_needed', 'configuration_based'] as const;
const ISOLATION_MODES = ['serializable', 'repeatable_read', 'read_committed', 'read_uncommitted'] as const;
export type SnapshotIsolation = (typeof ISOLATION_MODES)[number];
const CONFIGURATION_BASED = 'snapshot.mode.configuration.based.';
export type SnapshotMode = 'initial' | 'always' | 'no_data' | 'initial_only' | 'when_needed' | 'configuration_based';
export type DecimalMode = 'precise' | 'double' | 'string';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect' | 'isostring' | 'microseconds' | 'nanoseconds';
export type BinaryMode = 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
export type AutocreateMode = 'all_tables' | 'filtered' | 'disabled' | 'no_tables';

const regexList = {
  ensureValid(name: string, value: unknown): void {
    for (const v of (value as string[] | null) ?? []) {
      try {
        new RegExp(v);
      } catch (e) {
        throw invalid(name, (value as string[]).join(','), `Invalid regular expression '${v}': ${(e as Error).message}`);
      }
    }
  },
  toString: () => 'comma-separated list of regular expressions',
};

const topicPrefix = {
  ensureValid(name: string, value: unknown): void {
    if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+$/.test(value)) {
      throw invalid(name, value, 'Topic prefix may only contain ASCII alphanumerics, \'.\', \'_\' and \'-\'');
    }
  },
  toString: () => '[A-Za-z0-9._-]+',
};

const slotName = {
  ensureValid(name: string, value: unknown): void {
    if (typeof value !== 'string' || !/^[a-z0-9_]{1,63}$/.test(value)) {
      throw invalid(name, value, 'Valid replication slot name must contain only digits, lowercase characters and underscores with length <= 63');
    }
  },
  toString: () => '[a-z0-9_]{1,63}',
};

let cached: ConfigDef | null = null;

export function postgresConfigDef(): ConfigDef {
  if (cached) return cached;
  const d = new ConfigDef();
  const conn = 'Postgres';
  d.define({ name: 'topic.prefix', type: 'STRING', validator: topicPrefix, importance: 'HIGH', group: conn, documentation: 'Topic prefix that identifies and provides a namespace for the database server; used as source.name, the offset partition and the topic name prefix.' });
  d.define({ name: 'database.hostname', type: 'STRING', importance: 'HIGH', group: conn, documentation: 'Resolvable hostname or IP address of the database server.' });
  d.define({ name: 'database.port', type: 'INT', defaultValue: 5432, validator: Validators.between(1, 65535), group: conn, documentation: 'Port of the database server.' });
  d.define({ name: 'database.user', type: 'STRING', importance: 'HIGH', group: conn, documentation: 'Name of the database user to be used when connecting to the database.' });
  d.define({ name: 'database.password', type: 'PASSWORD', defaultValue: null, importance: 'HIGH', group: conn, documentation: 'Password of the database user to be used when connecting to the database.' });
  d.define({ name: 'database.dbname', type: 'STRING', importance: 'HIGH', group: conn, documentation: 'The name of the database from which the connector should capture changes.' });
  d.define({ name: 'database.sslmode', type: 'STRING', defaultValue: 'prefer', validator: Validators.inIgnoreCase('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'), group: conn, documentation: "Whether to use an encrypted connection to Postgres: 'disable' (unencrypted); 'allow' (unencrypted first, encrypted if the server rejects that); 'prefer' (encrypted first, unencrypted if the server offers no TLS or rejects it); 'require' (encrypted, certificate not checked, as in pgjdbc); 'verify-ca' (encrypted, certificate checked against database.sslrootcert); 'verify-full' (like verify-ca, and the certificate must name database.hostname)." });
  d.define({ name: 'database.sslrootcert', type: 'STRING', defaultValue: null, group: conn, documentation: 'File containing the root certificate(s) against which the server is validated (PEM; \'system\' for the system\'s trusted CAs). Default ~/.postgresql/root.crt for verify-ca/verify-full.' });
  d.define({ name: 'database.sslcert', type: 'STRING', defaultValue: null, group: conn, documentation: 'File containing the SSL Certificate for the client (PEM). Default ~/.postgresql/postgresql.crt when it exists.' });
  d.define({ name: 'database.sslkey', type: 'STRING', defaultValue: null, group: conn, documentation: 'File containing the SSL private key for the client: PEM, DER PKCS#8 (.pk8) or PKCS#12 (.p12/.pfx, which then also holds the certificate).' });
  d.define({ name: 'database.sslpassword', type: 'PASSWORD', defaultValue: null, group: conn, documentation: 'Password to access the client private key from the file specified by \'database.sslkey\'.' });
  d.define({ name: 'database.sslfactory', type: 'STRING', defaultValue: null, group: conn, documentation: 'A name of class that creates SSL Sockets (pgjdbc). Accepted and ignored: certificate checks follow database.sslmode.' });
  d.define({ name: 'database.tcpKeepAlive', type: 'BOOLEAN', defaultValue: true, group: conn, documentation: 'Enable or disable TCP keep-alive probe.' });
  d.define({ name: 'database.initial.statements', type: 'STRING', defaultValue: null, group: conn, documentation: 'Semicolon-separated SQL statements executed when a JDBC connection is established (not the replication connection).' });
  d.define({ name: 'plugin.name', type: 'STRING', defaultValue: 'decoderbufs', validator: Validators.inIgnoreCase('decoderbufs', 'pgoutput'), group: conn, documentation: 'The name of the logical decoding plugin. Only pgoutput is implemented; decoderbufs is accepted and pgoutput used instead.' });
  d.define({ name: 'slot.name', type: 'STRING', defaultValue: 'debezium', validator: slotName, group: conn, documentation: 'The name of the Postgres logical decoding slot created for streaming changes.' });
  d.define({ name: 'slot.drop.on.stop', type: 'BOOLEAN', defaultValue: false, group: conn, documentation: 'Whether to drop the logical replication slot when the connector finishes orderly.' });
  d.define({ name: 'slot.stream.params', type: 'STRING', defaultValue: null, group: conn, documentation: 'Extra parameters for the logical decoding plugin, as k=v pairs separated by \';\'.' });
  d.define({ name: 'slot.max.retries', type: 'INT', defaultValue: 6, validator: Validators.atLeast(1), group: conn, documentation: 'How many times to retry connecting to a replication slot when an attempt fails.' });
  d.define({ name: 'slot.retry.delay.ms', type: 'LONG', defaultValue: 10000, validator: Validators.atLeast(1), group: conn, documentation: 'Time to wait between retry attempts when the connector fails to connect to a replication slot.' });
  d.define({ name: 'publication.name', type: 'STRING', defaultValue: 'dbz_publication', group: conn, documentation: 'The name of the Postgres publication used for streaming changes (pgoutput).' });
  d.define({ name: 'xmin.fetch.interval.ms', type: 'LONG', defaultValue: 0, validator: Validators.atLeast(0), group: conn, documentation: 'How often (ms) the replication slot\'s catalog_xmin is read into source.xmin and the offset\'s xmin while streaming; 0 (the default) does not track it.' });
  d.define({ name: 'publish.via.partition.root', type: 'BOOLEAN', defaultValue: false, group: conn, documentation: 'Create the publication WITH (publish_via_partition_root = true): changes of a partition are published as changes of its partitioned (root) table, so they go to the root table\'s topic.' });
  d.define({ name: 'publication.autocreate.mode', type: 'STRING', defaultValue: 'all_tables', validator: Validators.inIgnoreCase('all_tables', 'disabled', 'filtered', 'no_tables'), group: conn, documentation: 'Applies only with pgoutput: all_tables, disabled, filtered or no_tables.' });
  d.define({
    name: REPLICA_IDENTITY_AUTOSET, type: 'STRING', defaultValue: null, group: conn,
    validator: { ensureValid: (_name, value) => void parseReplicaIdentityRules(value as string | null), toString: () => '<schema.table regex>:DEFAULT|FULL|NOTHING|INDEX <index>, ...' },
    documentation: 'REPLICA IDENTITY to set on captured tables at start: comma-separated <schema.table regex>:<identity> entries, the identity DEFAULT, FULL, NOTHING or INDEX <index name>.',
  });
  d.define({ name: 'status.update.interval.ms', type: 'INT', defaultValue: 10000, validator: Validators.atLeast(0), group: conn, documentation: 'Frequency for sending replication connection status updates to the server.' });
  d.define({ name: 'lsn.flush.mode', type: 'STRING', defaultValue: 'connector', validator: Validators.inIgnoreCase('connector', 'manual', 'connector_and_driver'), group: conn, documentation: 'Who confirms LSNs to the server: connector (after offsets are committed) or manual (never). connector_and_driver behaves as connector here.' });

  const filters = 'Filters';
  d.define({ name: 'schema.include.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'The schemas for which events should be captured.' });
  d.define({ name: 'schema.exclude.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'The schemas for which events must not be captured.' });
  d.define({ name: 'table.include.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'The tables for which changes are to be captured (schema.table regexes).' });
  d.define({ name: 'table.exclude.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'The tables for which changes are not to be captured.' });
  d.define({ name: 'column.include.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'Regular expressions matching columns to include (schema.table.column).' });
  d.define({ name: 'column.exclude.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'Regular expressions matching columns to exclude (schema.table.column).' });
  d.define({ name: 'table.ignore.builtin', type: 'BOOLEAN', defaultValue: true, group: filters, documentation: 'Whether built-in tables should be ignored.' });
  d.define({ name: 'message.key.columns', type: 'STRING', defaultValue: null, group: filters, documentation: 'Custom key columns: <tableRegex>:<col>[,<col>...] entries separated by \';\'.' });
  d.define({ name: 'message.prefix.include.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'Logical decoding message prefixes to capture.' });
  d.define({ name: 'message.prefix.exclude.list', type: 'LIST', defaultValue: null, validator: regexList, group: filters, documentation: 'Logical decoding message prefixes to skip.' });
  d.define({ name: 'skipped.operations', type: 'LIST', defaultValue: 't', validator: Validators.list(Validators.inIgnoreCase('c', 'u', 'd', 't', 'none')), group: filters, documentation: 'Operations to skip while streaming: c (insert), u (update), d (delete), t (truncate), or none.' });

  const events = 'Events';
  d.define({ name: 'schema.name.adjustment.mode', type: 'STRING', defaultValue: 'none', validator: Validators.inIgnoreCase(...NAME_ADJUSTMENT_MODES), group: events, documentation: 'Adjust schema names (<topic>.Key/Value/Envelope) to Avro: none, avro (invalid characters become _) or avro_unicode (_uXXXX).' });
  d.define({ name: 'field.name.adjustment.mode', type: 'STRING', defaultValue: 'none', validator: Validators.inIgnoreCase(...NAME_ADJUSTMENT_MODES), group: events, documentation: 'Adjust field (column) names to Avro: none, avro (invalid characters become _) or avro_unicode (_uXXXX).' });
  d.define({ name: 'event.processing.failure.handling.mode', type: 'STRING', defaultValue: 'fail', validator: Validators.inIgnoreCase('fail', 'warn', 'skip', 'ignore'), group: events, documentation: 'A streamed change the connector cannot turn into an event (e.g. a numeric NaN under decimal.handling.mode=precise): fail stops the task naming the event\'s offset; warn logs it and skips the event; skip (or ignore) skips it, logged at debug level.' });
  d.define({ name: 'skip.messages.without.change', type: 'BOOLEAN', defaultValue: false, group: events, documentation: 'Drop an update whose captured columns (after column.include/exclude.list) did not change; needs REPLICA IDENTITY FULL for the old row.' });
  d.define({ name: 'tombstones.on.delete', type: 'BOOLEAN', defaultValue: true, group: events, documentation: 'Whether delete operations should be followed by a tombstone event.' });
  d.define({ name: 'provide.transaction.metadata', type: 'BOOLEAN', defaultValue: false, group: events, documentation: 'Enables transaction metadata extraction together with event counting.' });
  d.define({ name: 'include.unknown.datatypes', type: 'BOOLEAN', defaultValue: false, group: events, documentation: 'Include columns of types the connector does not know, as their text bytes.' });
  d.define({ name: 'unavailable.value.placeholder', type: 'STRING', defaultValue: '__debezium_unavailable_value', group: events, documentation: 'Value used for unchanged TOASTed columns whose value is not available.' });
  d.define({ name: 'decimal.handling.mode', type: 'STRING', defaultValue: 'precise', validator: Validators.inIgnoreCase('precise', 'double', 'string'), group: events, documentation: 'How DECIMAL/NUMERIC columns are represented: precise, double or string.' });
  d.define({ name: 'time.precision.mode', type: 'STRING', defaultValue: 'adaptive', validator: Validators.inIgnoreCase('adaptive', 'adaptive_time_microseconds', 'connect', 'isostring', 'microseconds', 'nanoseconds'), group: events, documentation: 'Time, date and timestamp representation.' });
  d.define({ name: 'binary.handling.mode', type: 'STRING', defaultValue: 'bytes', validator: Validators.inIgnoreCase('bytes', 'base64', 'base64-url-safe', 'hex'), group: events, documentation: 'How binary columns are represented.' });
  d.define({ name: 'hstore.handling.mode', type: 'STRING', defaultValue: 'json', validator: Validators.inIgnoreCase('json', 'map'), group: events, documentation: 'How HSTORE columns are represented: json or map.' });
  d.define({ name: 'interval.handling.mode', type: 'STRING', defaultValue: 'numeric', validator: Validators.inIgnoreCase('numeric', 'string'), group: events, documentation: 'How INTERVAL columns are represented: numeric (µs) or string (ISO 8601).' });
  d.define({ name: 'money.fraction.digits', type: 'SHORT', defaultValue: 2, group: events, documentation: 'Number of fractional digits for money columns.' });
  d.define({ name: 'topic.delimiter', type: 'STRING', defaultValue: '.', group: events, documentation: 'Delimiter between the parts of a topic name.' });
  d.define({ name: 'topic.heartbeat.prefix', type: 'STRING', defaultValue: '__debezium-heartbeat', group: events, documentation: 'Prefix of the heartbeat topic.' });
  d.define({ name: 'topic.transaction', type: 'STRING', defaultValue: 'transaction', group: events, documentation: 'Suffix of the transaction metadata topic.' });
  d.define({ name: 'extended.headers.enabled', type: 'BOOLEAN', defaultValue: true, group: events, documentation: 'Add __debezium.context.* headers to data records.' });

  const snap = 'Snapshot';
  d.define({ name: 'snapshot.mode', type: 'STRING', defaultValue: 'initial', validator: Validators.inIgnoreCase(...SNAPSHOT_MODES), group: snap, documentation: 'When to run a snapshot: initial, always, no_data (never), initial_only, when_needed, configuration_based (the snapshot.mode.configuration.based.* keys decide).' });
  d.define({ name: `${CONFIGURATION_BASED}snapshot.data`, type: 'BOOLEAN', defaultValue: false, group: snap, documentation: 'configuration_based: snapshot the data on every start.' });
  d.define({ name: `${CONFIGURATION_BASED}snapshot.schema`, type: 'BOOLEAN', defaultValue: false, group: snap, documentation: 'configuration_based: snapshot the schema (PostgreSQL keeps no schema history; accepted for compatibility).' });
  d.define({ name: `${CONFIGURATION_BASED}start.stream`, type: 'BOOLEAN', defaultValue: false, group: snap, documentation: 'configuration_based: stream changes (after any snapshot); false stops after the snapshot, as initial_only.' });
  d.define({ name: `${CONFIGURATION_BASED}snapshot.on.schema.error`, type: 'BOOLEAN', defaultValue: false, group: snap, documentation: 'configuration_based: snapshot the schema when its history is unusable (no schema history here; accepted for compatibility).' });
  d.define({ name: `${CONFIGURATION_BASED}snapshot.on.data.error`, type: 'BOOLEAN', defaultValue: false, group: snap, documentation: 'configuration_based: snapshot the data when the stored position is no longer available on the server, as when_needed, instead of failing.' });
  d.define({ name: 'snapshot.isolation.mode', type: 'STRING', defaultValue: 'serializable', validator: Validators.inIgnoreCase(...ISOLATION_MODES), group: snap, documentation: 'Isolation of the snapshot transaction when it does not read the snapshot a replication slot created in this run exported: serializable (read only, deferrable), repeatable_read, read_committed or read_uncommitted.' });
  d.define({ name: 'snapshot.locking.mode', type: 'STRING', defaultValue: 'none', validator: Validators.inIgnoreCase('none', 'shared'), group: snap, documentation: 'shared: lock each snapshotted table IN ACCESS SHARE MODE for the snapshot transaction (no schema change while it is read); none: no locks.' });
  d.define({ name: 'snapshot.lock.timeout.ms', type: 'LONG', defaultValue: 10000, validator: Validators.atLeast(0), group: snap, documentation: 'How long the shared locks may be waited for before the snapshot fails.' });
  d.define({ name: 'snapshot.delay.ms', type: 'LONG', defaultValue: 0, validator: Validators.atLeast(0), group: snap, documentation: 'Time to wait after the task starts before the snapshot begins.' });
  d.define({ name: 'streaming.delay.ms', type: 'LONG', defaultValue: 0, validator: Validators.atLeast(0), group: snap, documentation: 'Time to wait before streaming begins (after any snapshot).' });
  d.define({ name: 'snapshot.tables.order.by.row.count', type: 'STRING', defaultValue: 'disabled', validator: Validators.inIgnoreCase('disabled', 'ascending', 'descending'), group: snap, documentation: 'Snapshot the tables in the order of their estimated row count (ascending or descending) instead of the include list order.' });
  d.define({ name: 'snapshot.fetch.size', type: 'INT', defaultValue: 10240, validator: Validators.atLeast(1), group: snap, documentation: 'Rows fetched per round trip while reading a table during a snapshot.' });
  d.define({ name: 'snapshot.max.threads', type: 'INT', defaultValue: 1, validator: Validators.atLeast(1), group: snap, documentation: 'Connections reading in parallel during a snapshot: whole tables, and ctid-range chunks of large tables, all from one exported snapshot.' });
  d.define({ name: 'snapshot.max.threads.multiplier', type: 'INT', defaultValue: 4, validator: Validators.atLeast(1), group: snap, documentation: 'With snapshot.max.threads > 1, a large table is read in snapshot.max.threads × this many ctid-range chunks.' });
  d.define({ name: 'snapshot.select.statement.overrides', type: 'LIST', defaultValue: null, group: snap, documentation: 'Tables (schema.table) whose snapshot SELECT is given by snapshot.select.statement.overrides.<schema>.<table>.' });
  d.define({ name: 'snapshot.include.collection.list', type: 'LIST', defaultValue: null, validator: regexList, group: snap, documentation: 'Captured tables to include in the snapshot.' });

  const rt = 'Runtime';
  d.define({ name: 'max.batch.size', type: 'INT', defaultValue: 2048, validator: Validators.atLeast(1), group: rt, documentation: 'Maximum size of each batch of source records.' });
  d.define({ name: 'max.queue.size', type: 'INT', defaultValue: 8192, validator: Validators.atLeast(1), group: rt, documentation: 'Maximum size of the queue for change events read from the database log.' });
  d.define({ name: 'max.queue.size.in.bytes', type: 'LONG', defaultValue: 0, validator: Validators.atLeast(0), group: rt, documentation: 'Maximum size of the queue in bytes for change events read from the database log (the estimated in-memory size of the records); 0 disables the byte bound.' });
  d.define({ name: 'poll.interval.ms', type: 'LONG', defaultValue: 500, validator: Validators.atLeast(1), group: rt, documentation: 'Time to wait for new change events when none are available.' });
  d.define({ name: 'heartbeat.interval.ms', type: 'INT', defaultValue: 0, validator: Validators.atLeast(0), group: rt, documentation: 'Interval between heartbeat records; 0 disables heartbeats.' });
  d.define({ name: 'heartbeat.action.query', type: 'STRING', defaultValue: null, group: rt, documentation: 'SQL run on each heartbeat.' });
  d.define({ name: 'errors.max.retries', type: 'INT', defaultValue: -1, validator: Validators.atLeast(-1), group: rt, documentation: 'Retries on retriable errors before failing (-1 = unlimited, 0 = none).' });
  d.define({ name: 'retriable.restart.connector.wait.ms', type: 'LONG', defaultValue: 10000, validator: Validators.atLeast(0), group: rt, documentation: 'Time to wait before reconnecting after a retriable error.' });
  // Signals and incremental snapshots (read by signals/signal-config.ts).
  const sig = 'Signals';
  d.define({ name: 'signal.data.collection', type: 'STRING', defaultValue: null, group: sig, documentation: 'The signal table (schema.table, columns id, type, data); always captured. INSERTs into it are signals (source channel) and it receives the incremental snapshot watermarks.' });
  d.define({ name: 'signal.enabled.channels', type: 'LIST', defaultValue: 'source', group: sig, documentation: 'Channels signals are read from: source (the signal table), file (signal.file) and kafka (signal.kafka.topic).' });
  d.define({ name: 'signal.file', type: 'STRING', defaultValue: 'file-signals.txt', group: sig, documentation: 'The file the file channel reads signals from (one JSON signal per line; emptied after reading).' });
  d.define({ name: 'signal.poll.interval.ms', type: 'LONG', defaultValue: 5000, validator: Validators.atLeast(1), group: sig, documentation: 'How often the file channel is read.' });
  d.define({ name: 'signal.kafka.topic', type: 'STRING', defaultValue: null, group: sig, documentation: 'The topic the kafka channel reads signals from (records keyed by topic.prefix); default <topic.prefix>-signal.' });
  d.define({ name: 'signal.kafka.bootstrap.servers', type: 'STRING', defaultValue: null, group: sig, documentation: 'The Kafka cluster of the signal topic; required with the kafka channel. Client settings (security.protocol, sasl.*, ssl.*, ...) go in signal.consumer.*.' });
  d.define({ name: 'signal.kafka.groupId', type: 'STRING', defaultValue: null, group: sig, documentation: 'Consumer group of the kafka channel; default kafka-signal-<topic.prefix> (one group per connector, so that each connector sharing a signal topic sees every signal).' });
  d.define({ name: 'signal.kafka.poll.timeout.ms', type: 'INT', defaultValue: 0, validator: Validators.atLeast(0), group: sig, documentation: 'How long one poll of the signal topic waits for signals (at least 100 ms here).' });
  d.define({ name: 'incremental.snapshot.chunk.size', type: 'INT', defaultValue: 1024, validator: Validators.atLeast(1), group: sig, documentation: 'Rows read per incremental snapshot chunk.' });
  d.define({ name: 'incremental.snapshot.watermarking.strategy', type: 'STRING', defaultValue: 'insert_insert', validator: Validators.inIgnoreCase('insert_insert', 'insert_delete'), group: sig, documentation: 'How chunk windows are marked in the signal table: insert_insert (open and close rows) or insert_delete (the open row is deleted to close).' });
  d.define({ name: 'incremental.snapshot.allow.schema.changes', type: 'BOOLEAN', defaultValue: false, group: sig, documentation: 'Detect schema changes during an incremental snapshot (not supported here; accepted for compatibility).' });
  d.define({ name: 'read.only', type: 'BOOLEAN', defaultValue: false, group: sig, documentation: 'Read-only incremental snapshots without writes to a signal table (not supported here).' });
  cached = d;
  return d;
}

/** Compiles a Debezium regex list (case-insensitive, anchored full match). */
export function compileList(list: string[]): RegExp[] {
  return list.filter((s) => s.length > 0).map((s) => new RegExp(`^(?:${s})$`, 'i'));
}

export interface KeyColumnRule {
  table: RegExp;
  columns: RegExp[];
}

export interface PostgresConfig {
  topicPrefix: string;
  connection: {
    host: string;
    port: number;
    user: string;
    password?: string;
    database: string;
    keepAlive: boolean;
  } & PgTlsSettings; // database.sslmode (lower case) and the TLS files; read by tls.ts (resolvePgTls)
  initialStatements: string[];
  pluginNameRequested: string;
  slotName: string;
  slotDropOnStop: boolean;
  slotStreamParams: Record<string, string>;
  slotMaxRetries: number;
  slotRetryDelayMs: number;
  publicationName: string;
  publicationAutocreateMode: AutocreateMode;
  publishViaPartitionRoot: boolean;
  xminFetchIntervalMs: number;
  statusUpdateIntervalMs: number;
  lsnFlushManual: boolean;
  schemaInclude: RegExp[];
  schemaExclude: RegExp[];
  tableInclude: RegExp[];
  tableExclude: RegExp[];
  /** The include patterns in order (snapshot table order follows them). */
  tableIncludeSources: string[];
  columnInclude: RegExp[];
  columnExclude: RegExp[];
  messageKeyColumns: KeyColumnRule[];
  messagePrefixInclude: RegExp[];
  messagePrefixExclude: RegExp[];
  skippedOperations: Set<string>;
  skippedOperationsExplicit: boolean;
  tombstonesOnDelete: boolean;
  /** `signal.*`, `incremental.snapshot.*` and `read.only` (signals/signal-config.ts). */
  signals: SignalConfig;
  provideTransactionMetadata: boolean;
  includeUnknownDatatypes: boolean;
  unavailablePlaceholder: string;
  decimalMode: DecimalMode;
  timePrecisionMode: TimePrecisionMode;
  binaryMode: BinaryMode;
  hstoreMode: 'json' | 'map';
  intervalMode: 'numeric' | 'string';
  moneyFractionDigits: number;
  topicDelimiter: string;
  heartbeatTopicPrefix: string;
  transactionTopic: string;
  extendedHeaders: boolean;
  snapshotMode: SnapshotMode;
  snapshotFetchSize: number;
  snapshotMaxThreads: number;
  snapshotThreadsMultiplier: number;
  snapshotOverrides: Map<string, string>;
  snapshotInclude: RegExp[];
  replicaIdentityRules: ReplicaIdentityRule[];
  skipMessagesWithoutChange: boolean;
  eventProcessingFailureMode: 'fail' | 'warn' | 'skip';
  schemaNameAdjustment: NameAdjustmentMode;
  fieldNameAdjustment: NameAdjustmentMode;
  snapshotIsolation: SnapshotIsolation;
  snapshotSharedLocks: boolean;
  snapshotLockTimeoutMs: number;
  snapshotDelayMs: number;
  streamingDelayMs: number;
  snapshotTableOrder: 'disabled' | 'ascending' | 'descending';
  /** `snapshot.mode.configuration.based.*` (used with snapshot.mode=configuration_based). */
  configurationBased: { snapshotData: boolean; startStream: boolean; snapshotOnDataError: boolean };
  maxBatchSize: number;
  maxQueueSize: number;
  /** `max.queue.size.in.bytes`; 0 = no byte bound. */
  maxQueueSizeInBytes: number;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  heartbeatActionQuery: string | null;
  errorsMaxRetries: number;
  retriableRestartWaitMs: number;
}

function parseKeyColumns(text: string | null): KeyColumnRule[] {
  if (!text) return [];
  const rules: KeyColumnRule[] = [];
  for (const entry of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const idx = entry.lastIndexOf(':');
    if (idx <= 0) throw new ConfigException('message.key.columns', text, `Invalid entry '${entry}', expected <tableRegex>:<column>[,<column>]`);
    const table = new RegExp(`^(?:${entry.slice(0, idx)})$`, 'i');
    const columns = entry
      .slice(idx + 1)
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)
      .map((c) => new RegExp(`^(?:${c})$`, 'i'));
    rules.push({ table, columns });
  }
  return rules;
}

/** Parses and checks a raw connector/task config into the typed form; throws ConfigException. */
export function parsePostgresConfig(props: Record<string, string>): PostgresConfig {
  const c: ParsedConfig = postgresConfigDef().parse(props);
  if (c.getList('schema.include.list').length && c.getList('schema.exclude.list').length) {
    throw new ConfigException('schema.exclude.list', c.getList('schema.exclude.list').join(','), 'Schema include and exclude lists are mutually exclusive');
  }
  if (c.getList('table.include.list').length && c.getList('table.exclude.list').length) {
    throw new ConfigException('table.exclude.list', c.getList('table.exclude.list').join(','), 'Table include and exclude lists are mutually exclusive');
  }
  if (c.getList('column.include.list').length && c.getList('column.exclude.list').length) {
    throw new ConfigException('column.exclude.list', c.getList('column.exclude.list').join(','), 'Column include and exclude lists are mutually exclusive');
  }
  const maxQueue = c.getInt('max.queue.size')!;
  const maxBatch = c.getInt('max.batch.size')!;
  if (maxQueue <= maxBatch) throw new ConfigException('max.queue.size', maxQueue, 'Must be larger than the maximum batch size');
  const skipped = c.getList('skipped.operations').map((s) => s.trim().toLowerCase());
  // Debezium's IGNORE is SKIP under its older name.
  const failureMode = c.getString('event.processing.failure.handling.mode')!.toLowerCase();
  let mode = c.getString('snapshot.mode')!.toLowerCase();
  if (mode === 'never') mode = 'no_data';
  const overrides = new Map<string, string>();
  for (const t of c.getList('snapshot.select.statement.overrides')) {
    const sql = props[`snapshot.select.statement.overrides.${t}`];
    if (sql) overrides.set(t, sql);
  }
  const streamParams: Record<string, string> = {};
  for (const kv of (c.getString('slot.stream.params') ?? '').split(';')) {
    const i = kv.indexOf('=');
    if (i > 0) streamParams[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  const pw = c.getPassword('database.password');
  const sslPw = c.getPassword('database.sslpassword');
  return {
    topicPrefix: c.getString('topic.prefix')!,
    connection: {
      host: c.getString('database.hostname')!,
      port: c.getInt('database.port')!,
      user: c.getString('database.user')!,
      password: pw instanceof Password ? pw.value : undefined,
      database: c.getString('database.dbname')!,
      sslmode: c.getString('database.sslmode')!.toLowerCase(),
      sslrootcert: c.getString('database.sslrootcert'),
      sslcert: c.getString('database.sslcert'),
      sslkey: c.getString('database.sslkey'),
      sslpassword: sslPw instanceof Password ? sslPw.value : null,
      sslfactory: c.getString('database.sslfactory'),
      keepAlive: c.getBoolean('database.tcpKeepAlive'),
    },
    initialStatements: splitStatements(c.getString('database.initial.statements')),
    pluginNameRequested: c.getString('plugin.name')!.toLowerCase(),
    slotName: c.getString('slot.name')!,
    slotDropOnStop: c.getBoolean('slot.drop.on.stop'),
    slotStreamParams: streamParams,
    slotMaxRetries: c.getInt('slot.max.retries')!,
    slotRetryDelayMs: c.getLong('slot.retry.delay.ms')!,
    publicationName: c.getString('publication.name')!,
    publicationAutocreateMode: c.getString('publication.autocreate.mode')!.toLowerCase() as AutocreateMode,
    publishViaPartitionRoot: c.getBoolean('publish.via.partition.root')!,
    xminFetchIntervalMs: c.getLong('xmin.fetch.interval.ms')!,
    statusUpdateIntervalMs: c.getInt('status.update.interval.ms')!,
    lsnFlushManual: c.getString('lsn.flush.mode')!.toLowerCase() === 'manual',
    schemaInclude: compileList(c.getList('schema.include.list')),
    schemaExclude: compileList(c.getList('schema.exclude.list')),
    tableInclude: compileList(c.getList('table.include.list')),
    tableExclude: compileList(c.getList('table.exclude.list')),
    tableIncludeSources: c.getList('table.include.list'),
    columnInclude: compileList(c.getList('column.include.list')),
    columnExclude: compileList(c.getList('column.exclude.list')),
    messageKeyColumns: parseKeyColumns(c.getString('message.key.columns')),
    messagePrefixInclude: compileList(c.getList('message.prefix.include.list')),
    messagePrefixExclude: compileList(c.getList('message.prefix.exclude.list')),
    skippedOperations: new Set(skipped.filter((s) => s !== 'none')),
    skippedOperationsExplicit: props['skipped.operations'] !== undefined,
    tombstonesOnDelete: c.getBoolean('tombstones.on.delete'),
    signals: parseSignalConfig(c),
    provideTransactionMetadata: c.getBoolean('provide.transaction.metadata'),
    includeUnknownDatatypes: c.getBoolean('include.unknown.datatypes'),
    unavailablePlaceholder: c.getString('unavailable.value.placeholder')!,
    decimalMode: c.getString('decimal.handling.mode')!.toLowerCase() as DecimalMode,
    timePrecisionMode: c.getString('time.precision.mode')!.toLowerCase() as TimePrecisionMode,
    binaryMode: c.getString('binary.handling.mode')!.toLowerCase() as BinaryMode,
    hstoreMode: c.getString('hstore.handling.mode')!.toLowerCase() as 'json' | 'map',
    intervalMode: c.getString('interval.handling.mode')!.toLowerCase() as 'numeric' | 'string',
    moneyFractionDigits: c.getInt('money.fraction.digits')!,
    topicDelimiter: c.getString('topic.delimiter')!,
    heartbeatTopicPrefix: c.getString('topic.heartbeat.prefix')!,
    transactionTopic: c.getString('topic.transaction')!,
    extendedHeaders: c.getBoolean('extended.headers.enabled'),
    snapshotMode: mode as SnapshotMode,
    snapshotFetchSize: c.getInt('snapshot.fetch.size')!,
    snapshotMaxThreads: c.getInt('snapshot.max.threads')!,
    snapshotThreadsMultiplier: c.getInt('snapshot.max.threads.multiplier')!,
    snapshotOverrides: overrides,
    snapshotInclude: compileList(c.getList('snapshot.include.collection.list')),
    replicaIdentityRules: parseReplicaIdentityRules(c.getString(REPLICA_IDENTITY_AUTOSET)),
    skipMessagesWithoutChange: c.getBoolean('skip.messages.without.change'),
    eventProcessingFailureMode: failureMode === 'ignore' ? 'skip' : (failureMode as PostgresConfig['eventProcessingFailureMode']),
    schemaNameAdjustment: c.getString('schema.name.adjustment.mode')!.toLowerCase() as NameAdjustmentMode,
    fieldNameAdjustment: c.getString('field.name.adjustment.mode')!.toLowerCase() as NameAdjustmentMode,
    snapshotIsolation: c.getString('snapshot.isolation.mode')!.toLowerCase() as SnapshotIsolation,
    snapshotSharedLocks: c.getString('snapshot.locking.mode')!.toLowerCase() === 'shared',
    snapshotLockTimeoutMs: c.getLong('snapshot.lock.timeout.ms')!,
    snapshotDelayMs: c.getLong('snapshot.delay.ms')!,
    streamingDelayMs: c.getLong('streaming.delay.ms')!,
    snapshotTableOrder: c.getString('snapshot.tables.order.by.row.count')!.toLowerCase() as PostgresConfig['snapshotTableOrder'],
    configurationBased: {
      snapshotData: c.getBoolean(`${CONFIGURATION_BASED}snapshot.data`),
      startStream: c.getBoolean(`${CONFIGURATION_BASED}start.stream`),
      snapshotOnDataError: c.getBoolean(`${CONFIGURATION_BASED}snapshot.on.data.error`),
    },
    maxBatchSize: maxBatch,
    maxQueueSize: maxQueue,
    maxQueueSizeInBytes: c.getLong('max.queue.size.in.bytes')!,
    pollIntervalMs: Math.min(c.getLong('poll.interval.ms')!, 5000),
    heartbeatIntervalMs: c.getInt('heartbeat.interval.ms')!,
    heartbeatActionQuery: c.getString('heartbeat.action.query'),
    errorsMaxRetries: c.getInt('errors.max.retries')!,
    retriableRestartWaitMs: c.getLong('retriable.restart.connector.wait.ms')!,
  };
}

/** `database.initial.statements`: `;` separates, `;;` is a literal semicolon. */
function splitStatements(text: string | null): string[] {
  if (!text) return [];
  return text
    .replace(/;;/g, '\u0000')
    .split(';')
    .map((s) => s.replace(/\u0000/g, ';').trim())
    .filter(Boolean);
}
