/**
 * The per-task metric groups of Kafka Connect (`ConnectMetricsRegistry`): `connector-task-metrics`,
 * `source-task-metrics`, `sink-task-metrics` and `task-error-metrics`, tags `connector` and `task`.
 * The task loops update plain fields once per batch; the groups read them when `/metrics` is scraped.
 * Totals count since the task (re)started; `-rate`, `-avg` and `-max` are over the sliding window of
 * `metrics.sample.window.ms` x `metrics.num.samples`, as in Kafka Connect, so ported dashboards keep working
 * (Prometheus users can also take `rate()` of the totals).
 */
import type { ConnectorTaskId } from '../herder/types.js';
import type { ConnectMetrics, Group } from './connect-metrics.js';
import { Meter, StateTimer, type WindowConfig, WindowedRatio, WindowedStat } from './sampled-stat.js';

const DOMAIN = 'kafka.connect';

/** A group of one task's metrics, tagged `connector` and `task` and closed with the task's other groups. */
function taskGroup(metrics: ConnectMetrics, type: string, id: ConnectorTaskId): Group {
  return metrics.group(DOMAIN, type, { connector: id.connector, task: String(id.task) }, { connector: id.connector, task: id.task });
}

/** Task states as the `status` attribute shows them (lowercase, as Kafka's metrics do). */
export type TaskMetricState = 'unassigned' | 'running' | 'paused' | 'failed' | 'destroyed' | 'restarting';

/** Counters of `task-error-metrics`, updated by the error-handling operator and its reporters. */
export class ErrorHandlingCounters {
  /** Every failed attempt of an operation, retried ones included. */
  recordFailures = 0;
  /** Records whose processing ended in an error (tolerated or not). */
  recordErrors = 0;
  recordsSkipped = 0;
  retries = 0;
  errorsLogged = 0;
  dlqProduceRequests = 0;
  dlqProduceFailures = 0;
  lastErrorTimestamp = 0;
}

/** `connector-task-metrics` and `task-error-metrics`, common to source and sink tasks. */
export class TaskMetrics {
  readonly errors = new ErrorHandlingCounters();
  state: TaskMetricState = 'unassigned';
  private readonly timer: StateTimer<TaskMetricState>;
  private readonly batchSize: WindowedStat;
  private readonly commitTime: WindowedStat;
  private readonly commitOutcome: WindowedRatio;

  constructor(window: WindowConfig, now = Date.now()) {
    this.timer = new StateTimer<TaskMetricState>('unassigned', now);
    this.batchSize = new WindowedStat(window);
    this.commitTime = new WindowedStat(window);
    this.commitOutcome = new WindowedRatio(window);
  }

  changeState(state: TaskMetricState, now = Date.now()): void {
    this.state = state;
    this.timer.change(state, now);
  }

  recordBatch(size: number, now: number): void {
    this.batchSize.record(size, now);
  }

  recordCommit(success: boolean, durationMs: number, now: number): void {
    this.commitOutcome.record(success, now);
    if (success) this.commitTime.record(durationMs, now);
  }

  register(metrics: ConnectMetrics, id: ConnectorTaskId): (() => void) {
    const now = Date.now;
    const task = taskGroup(metrics, 'connector-task-metrics', id)
      .info('status', () => this.state, "The status of the connector task. One of 'unassigned', 'running', 'paused', 'failed', or 'destroyed'.")
      .gauge('running-ratio', () => this.timer.ratio('running', now()), 'The fraction of time this task has spent in the running state.')
      .gauge('pause-ratio', () => this.timer.ratio('paused', now()), 'The fraction of time this task has spent in the pause state.')
      .gauge('offset-commit-max-time-ms', () => this.commitTime.maxValue(now()), 'The maximum time in milliseconds taken by this task to commit offsets.')
      .gauge('offset-commit-avg-time-ms', () => this.commitTime.avg(now()), 'The average time in milliseconds taken by this task to commit offsets.')
      .gauge('batch-size-max', () => this.batchSize.maxValue(now()), 'The number of records in the largest batch the task has processed so far.')
      .gauge('batch-size-avg', () => this.batchSize.avg(now()), 'The average number of records in the batches the task has processed so far.')
      .gauge('offset-commit-failure-percentage', () => this.commitOutcome.failureRatio(now()), "The average percentage of this task's offset commit attempts that failed.")
      .gauge('offset-commit-success-percentage', () => this.commitOutcome.successRatio(now()), "The average percentage of this task's offset commit attempts that succeeded.");
    const e = this.errors;
    const errors = taskGroup(metrics, 'task-error-metrics', id)
      .gauge('total-record-failures', () => e.recordFailures, 'The number of record processing failures in this task.')
      .gauge('total-record-errors', () => e.recordErrors, 'The number of record processing errors in this task.')
      .gauge('total-records-skipped', () => e.recordsSkipped, 'The number of records skipped due to errors.')
      .gauge('total-retries', () => e.retries, 'The number of operations retried.')
      .gauge('total-errors-logged', () => e.errorsLogged, 'The number of errors that were logged.')
      .gauge('deadletterqueue-produce-requests', () => e.dlqProduceRequests, 'The number of attempted writes to the dead letter queue.')
      .gauge('deadletterqueue-produce-failures', () => e.dlqProduceFailures, 'The number of failed writes to the dead letter queue.')
      .gauge('last-error-timestamp', () => e.lastErrorTimestamp, 'The epoch timestamp when this task last encountered an error.');
    return () => {
      task.close();
      errors.close();
    };
  }
}

/** `source-task-metrics`. */
export class SourceTaskMetrics {
  private readonly polled: Meter;
  private readonly written: Meter;
  /** Records submitted but not yet written (read at scrape time). */
  active: () => number = () => 0;
  private readonly pollTime: WindowedStat;
  private readonly activeCount: WindowedStat;

  constructor(window: WindowConfig) {
    this.polled = new Meter(window);
    this.written = new Meter(window);
    this.pollTime = new WindowedStat(window);
    this.activeCount = new WindowedStat(window);
  }

  /** A poll returned `count` records after `durationMs`. */
  recordPoll(count: number, durationMs: number, now: number): void {
    this.polled.record(count, now);
    this.pollTime.record(durationMs, now);
  }

  recordWrite(count: number, now: number): void {
    this.written.record(count, now);
  }

  recordActive(count: number, now: number): void {
    this.activeCount.record(count, now);
  }

  register(metrics: ConnectMetrics, id: ConnectorTaskId): () => void {
    const now = Date.now;
    const g = taskGroup(metrics, 'source-task-metrics', id)
      .gauge('source-record-poll-rate', () => this.polled.rate(now()), 'The average per-second number of records produced/polled (before transformation) by this task.')
      .gauge('source-record-poll-total', () => this.polled.total, 'The total number of records produced/polled (before transformation) by this task.')
      .gauge('source-record-write-rate', () => this.written.rate(now()), 'The average per-second number of records written to Kafka for this task (after transformations).')
      .gauge('source-record-write-total', () => this.written.total, 'The number of records output from the transformations and written to Kafka for this task.')
      .gauge('poll-batch-max-time-ms', () => this.pollTime.maxValue(now()), 'The maximum time in milliseconds taken by this task to poll for a batch of source records.')
      .gauge('poll-batch-avg-time-ms', () => this.pollTime.avg(now()), 'The average time in milliseconds taken by this task to poll for a batch of source records.')
      .gauge('source-record-active-count', () => this.active(), 'The number of records that have been produced by this task but not yet completely written to Kafka.')
      .gauge('source-record-active-count-max', () => this.activeCount.maxValue(now()), 'The maximum number of records produced by this task but not yet completely written to Kafka.')
      .gauge('source-record-active-count-avg', () => this.activeCount.avg(now()), 'The average number of records produced by this task but not yet completely written to Kafka.');
    return () => g.close();
  }
}

/** `sink-task-metrics`. */
export class SinkTaskMetrics {
  /** Records read since the last offset commit. */
  activeCount = 0;
  partitionCount: () => number = () => 0;
  private readonly read: Meter;
  private readonly sent: Meter;
  private readonly commits: Meter;
  private readonly skips: Meter;
  private readonly putTime: WindowedStat;
  private readonly active: WindowedStat;

  constructor(window: WindowConfig) {
    this.read = new Meter(window);
    this.sent = new Meter(window);
    this.commits = new Meter(window);
    this.skips = new Meter(window);
    this.putTime = new WindowedStat(window);
    this.active = new WindowedStat(window);
  }

  recordRead(count: number, now: number): void {
    this.read.record(count, now);
    this.activeCount += count;
    this.active.record(this.activeCount, now);
  }

  recordSend(count: number, now: number): void {
    this.sent.record(count, now);
  }

  recordPut(durationMs: number, now: number): void {
    this.putTime.record(durationMs, now);
  }

  /** An offset commit completed (`skipped`: nothing new to commit). */
  recordCommit(skipped: boolean, now: number): void {
    (skipped ? this.skips : this.commits).record(1, now);
    this.activeCount = 0;
  }

  register(metrics: ConnectMetrics, id: ConnectorTaskId): () => void {
    const now = Date.now;
    const g = taskGroup(metrics, 'sink-task-metrics', id)
      .gauge('sink-record-read-rate', () => this.read.rate(now()), 'The average per-second number of records read from Kafka for this task (before transformations).')
      .gauge('sink-record-read-total', () => this.read.total, 'The total number of records read from Kafka by this task since it was last restarted.')
      .gauge('sink-record-send-rate', () => this.sent.rate(now()), 'The average per-second number of records output from the transformations and put to this task.')
      .gauge('sink-record-send-total', () => this.sent.total, 'The total number of records output from the transformations and put to this task.')
      .gauge('partition-count', () => this.partitionCount(), 'The number of topic partitions assigned to this task.')
      // Every completed commit takes the next sequence number.
      .gauge('offset-commit-seq-no', () => this.commits.total + this.skips.total, 'The current sequence number for offset commits.')
      .gauge('offset-commit-completion-rate', () => this.commits.rate(now()), 'The average per-second number of offset commit completions that were completed successfully.')
      .gauge('offset-commit-completion-total', () => this.commits.total, 'The total number of offset commit completions that were completed successfully.')
      .gauge('offset-commit-skip-rate', () => this.skips.rate(now()), 'The average per-second number of offset commit completions that were received too late and skipped/ignored.')
      .gauge('offset-commit-skip-total', () => this.skips.total, 'The total number of offset commit completions that were received too late and skipped/ignored.')
      .gauge('put-batch-max-time-ms', () => this.putTime.maxValue(now()), 'The maximum time taken by this task to put a batch of sinks records.')
      .gauge('put-batch-avg-time-ms', () => this.putTime.avg(now()), 'The average time taken by this task to put a batch of sinks records.')
      .gauge('sink-record-active-count', () => this.activeCount, 'The number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.')
      .gauge('sink-record-active-count-max', () => this.active.maxValue(now()), 'The maximum number of records read from Kafka but not yet committed by the sink task.')
      .gauge('sink-record-active-count-avg', () => this.active.avg(now()), 'The average number of records read from Kafka but not yet committed by the sink task.');
    return () => g.close();
  }
}
