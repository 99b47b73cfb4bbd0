/**
 * Prints every change of one PostgreSQL table, as JSON, with the embedded engine (no Kafka, no worker).
 *
 *   PGHOST=localhost PGPORT=5432 PGUSER=postgres PGPASSWORD=postgres PGDATABASE=postgres \
 *     node --import tsx examples/print-changes.ts public.customers
 *
 * The database needs `wal_level=logical`. Offsets go to ./print-changes.offsets.json, so a restart
 * continues where the last run stopped. Ctrl-C stops gracefully. In an application, import from 'tsconnect'.
 */
import { createEngine } from '../src/index.js';

const table = process.argv[2] ?? 'public.customers';
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());

const engine = createEngine({
  properties: {
    name: 'print-changes',
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': process.env.PGHOST ?? 'localhost',
    'database.port': process.env.PGPORT ?? '5432',
    'database.user': process.env.PGUSER ?? 'postgres',
    'database.password': process.env.PGPASSWORD ?? 'postgres',
    'database.dbname': process.env.PGDATABASE ?? 'postgres',
    'plugin.name': 'pgoutput',
    'topic.prefix': 'example',
    'table.include.list': table,
    'offset.storage.file.filename': 'print-changes.offsets.json',
    'offset.flush.interval.ms': 1000,
    'converter.schemas.enable': false,
  },
  format: 'json',
  recordHandler: (change) => console.log(change.destination, change.key, change.value),
  signal: stop.signal,
});

await engine.start();
const { success, message } = await engine.completion;
console.error(message);
process.exitCode = success ? 0 : 1;
