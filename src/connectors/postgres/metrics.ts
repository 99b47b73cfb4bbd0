/**
 * Debezium's snapshot and streaming metrics of the Postgres task (`SnapshotChangeEventSourceMetrics`,
 * `StreamingChangeEventSourceMetrics`), as the JMX MBeans
 * `debezium.postgres:type=connector-metrics,context=snapshot|streaming,server=<topic.prefix>` with Debezium's
 * attribute names. The snapshot and the streamer update plain fields (per fetched batch, per decoded
 * message); the worker reads them when `/metrics` is scraped.
 */
import type { MetricGroup, PluginMetrics } from '../../connect/api/metrics.js';
import type { ChangeQueue } from './change-queue.js';
import type { PgOutputMessage } from './pgoutput/decoder.js';

export class SnapshotMetrics {
  running = false;
  completed = false;
  aborted = false;
  private startMs = 0;
  private stopMs = 0;
  readonly captured: string[] = [];
  readonly remaining = new Set<string>();
  /** Rows read so far, per table (`schema.table`). */
  readonly rowsScanned = new Map<string, number>();
  /** The planner's row estimate per table (pg_class.reltuples) at snapshot start: the console's ETA. */
  readonly rowsEstimated = new Map<string, number>();
  eventsSeen = 0;
  lastEventMs = -1;

  started(tables: readonly string[]): void {
    this.running = true;
    this.completed = this.aborted = false;
    this.startMs = Date.now();
    this.stopMs = 0;
    this.captured.length = 0;
    this.captured.push(...tables);
    this.remaining.clear();
    for (const t of tables) this.remaining.add(t);
    this.rowsScanned.clear();
    this.rowsEstimated.clear();
  }

  estimate(table: string, rows: number): void {
    this.rowsEstimated.set(table, rows);
  }

  /** A batch of rows of `table` was read; `total` rows of it so far. */
  rows(table: string, count: number, total: number): void {
    this.rowsScanned.set(table, total);
    this.eventsSeen += count;
    this.lastEventMs = Date.now();
  }

  tableCompleted(table: string, rows: number): void {
    this.rowsScanned.set(table, rows);
    this.remaining.delete(table);
  }

  finished(): void {
    this.running = false;
    this.completed = true;
    this.stopMs = Date.now();
  }

  abort(): void {
    if (!this.running) return;
    this.running = false;
    this.aborted = true;
    this.stopMs = Date.now();
  }

  durationSeconds(now = Date.now()): number {
    if (this.startMs <= 0) return 0;
    return Math.floor(((this.stopMs || now) - this.startMs) / 1000);
  }
}

export class StreamingMetrics {
  connected = false;
  eventsSeen = 0;
  creates = 0;
  updates = 0;
  deletes = 0;
  committedTransactions = 0;
  /** MilliSecondsBehindSource: now minus the commit time of the last transaction with changes (-1: none yet). */
  behindSourceMs = -1;
  lastEventMs = -1;
  lastLsn = 0;
  lastTxId: number | null = null;
  lastCommitTimeUs = 0;
  private changesInTx = 0;

  /** One decoded message (called for each, after it was processed). */
  onMessage(msg: PgOutputMessage, lsn: number): void {
    switch (msg.tag) {
      case 'begin':
        this.changesInTx = 0;
        this.lastTxId = msg.xid;
        return;
      case 'insert':
        this.creates++;
        break;
      case 'update':
        this.updates++;
        break;
      case 'delete':
        this.deletes++;
        break;
      case 'truncate':
      case 'message':
        break;
      case 'commit':
        if (this.changesInTx > 0) {
          this.committedTransactions++;
          const now = Date.now();
          this.behindSourceMs = Math.max(0, now - Math.floor(msg.commitTimeUs / 1000));
          this.lastEventMs = now;
          this.lastCommitTimeUs = msg.commitTimeUs;
        }
        this.changesInTx = 0;
        this.lastLsn = lsn;
        return;
      default:
        return;
    }
    this.eventsSeen++;
    this.changesInTx++;
    this.lastLsn = lsn;
  }
}

/** Opens the two Debezium groups on the worker's metrics; returns them for `close()`. */
export function registerPostgresMetrics(
  metrics: PluginMetrics,
  server: string,
  snapshot: SnapshotMetrics,
  streaming: StreamingMetrics,
  queue: () => ChangeQueue | null,
): MetricGroup[] {
  // What both contexts show: Debezium's ChangeEventSourceMetrics (the queue) and CommonEventMeter (events seen).
  const common = (g: MetricGroup, events: { eventsSeen: number; lastEventMs: number }) =>
    g
      .gauge('TotalNumberOfEventsSeen', () => events.eventsSeen, 'The total number of events that this connector has seen since the last start or metrics reset.')
      .gauge('MilliSecondsSinceLastEvent', () => (events.lastEventMs < 0 ? -1 : Date.now() - events.lastEventMs), 'The number of milliseconds since the connector has read and processed the most recent event.')
      .gauge('QueueTotalCapacity', () => queue()?.maxSize ?? null, 'The length the queue used to pass events between the snapshotter/streamer and the main task loop.')
      .gauge('QueueRemainingCapacity', () => {
        const q = queue();
        return q ? Math.max(0, q.maxSize - q.size) : null;
      }, 'The free capacity of the queue used to pass events between the snapshotter/streamer and the main task loop.')
      .gauge('CurrentQueueSizeInBytes', () => queue()?.sizeInBytes ?? null, 'The current volume, in bytes, of records in the queue.')
      .gauge('MaxQueueSizeInBytes', () => queue()?.maxBytes ?? null, 'The maximum buffer of the queue in bytes (max.queue.size.in.bytes).');
  const snap = common(
    metrics
      .group('debezium.postgres', 'connector-metrics', { context: 'snapshot', server })
      .gauge('SnapshotRunning', () => snapshot.running, 'Whether the snapshot was started.')
      .gauge('SnapshotCompleted', () => snapshot.completed, 'Whether the snapshot completed.')
      .gauge('SnapshotAborted', () => snapshot.aborted, 'Whether the snapshot was aborted.')
      .gauge('SnapshotDurationInSeconds', () => snapshot.durationSeconds(), 'The total number of seconds that the snapshot has taken so far, even if not complete.')
      .gauge('TotalTableCount', () => snapshot.captured.length, 'The total number of tables that are being included in the snapshot.')
      .gauge('RemainingTableCount', () => snapshot.remaining.size, 'The number of tables that the snapshot has yet to copy.')
      .keyed('RowsScanned', 'table', () => snapshot.rowsScanned, 'The number of rows scanned so far, per table.')
      .keyed('RowsEstimated', 'table', () => snapshot.rowsEstimated, 'tsconnect: the planner estimate of each table\'s rows (pg_class.reltuples) when the snapshot started.'),
    snapshot,
  );
  const s = streaming;
  const stream = common(
    metrics
      .group('debezium.postgres', 'connector-metrics', { context: 'streaming', server })
      .gauge('Connected', () => s.connected, 'Whether the connector is currently connected to the database server.')
      .gauge('MilliSecondsBehindSource', () => s.behindSourceMs, 'The number of milliseconds between the last change event\'s timestamp and the connector processing it.')
      .gauge('TotalNumberOfCreateEventsSeen', () => s.creates, 'The total number of create events that this connector has seen since the last start or metrics reset.')
      .gauge('TotalNumberOfUpdateEventsSeen', () => s.updates, 'The total number of update events that this connector has seen since the last start or metrics reset.')
      .gauge('TotalNumberOfDeleteEventsSeen', () => s.deletes, 'The total number of delete events that this connector has seen since the last start or metrics reset.')
      .gauge('NumberOfCommittedTransactions', () => s.committedTransactions, 'The number of processed transactions that were committed.')
      .keyed('SourceEventPosition', 'key', () => {
        const out: [string, number][] = [['lsn', s.lastLsn]];
        if (s.lastTxId !== null) out.push(['txId', s.lastTxId]);
        if (s.lastCommitTimeUs > 0) out.push(['ts_usec', s.lastCommitTimeUs]);
        return out;
      }, 'The coordinates of the last received event (lsn, txId, ts_usec).'),
    s,
  );
  return [snap, stream];
}
