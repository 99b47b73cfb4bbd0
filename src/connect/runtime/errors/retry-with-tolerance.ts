/**
 * Error handling as one object over all stages of a task (Kafka's `RetryWithToleranceOperator`): it runs an
 * operation, retries RetriableExceptions with exponential backoff (300 ms doubling, at most
 * `errors.retry.delay.max.ms`, for at most `errors.retry.timeout`), and with `errors.tolerance=all` reports a
 * failed record (log, dead-letter queue) and skips it; with `none` it fails the task.
 */
import { ConversionPending } from '../../api/converter.js';
import { ConnectException } from '../../errors.js';
import type { SourceRecord } from '../../data/records.js';
import type { ConsumedRecord } from '../../topics/types.js';
import type { ErrorHandlingCounters } from '../../metrics/task-metrics.js';

export type Stage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_PUT'
  | 'TASK_POLL'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

export interface ProcessingContext {
  stage: Stage;
  /** Class of the plugin that failed (transform, converter, task). */
  executingClass: string;
  error: Error;
  /** The raw consumed record (sink side), for the DLQ. */
  consumerRecord?: ConsumedRecord;
  /** The record the source task produced (source side). */
  sourceRecord?: SourceRecord;
}

export interface ErrorReporter {
  report(context: ProcessingContext): Promise<void>;
  close?(): Promise<void>;
}

export class ToleranceExceededError extends ConnectException {
  constructor(cause: unknown) {
    super('Tolerance exceeded in error handler', { cause });
  }
}

/** Thrown by `run` when the error is retriable and retries are configured: the caller repeats with `runAsync`. */
export class RetryNeeded extends Error {
  constructor(readonly original: unknown) {
    super('retry needed');
  }
}

/** Returned instead of a value when a failed record was tolerated and must be skipped. */
export const SKIP: unique symbol = Symbol('SKIP');
export type Skip = typeof SKIP;

export interface ToleranceSettings {
  /** `errors.retry.timeout`: 0 = no retries, -1 = forever. */
  retryTimeoutMs: number;
  /** `errors.retry.delay.max.ms`. */
  retryDelayMaxMs: number;
  /** `errors.tolerance`. */
  tolerance: 'none' | 'all';
}

const INITIAL_RETRY_DELAY_MS = 300;

export class RetryWithToleranceOperator {
  private readonly pending = new Set<Promise<void>>();
  private failures = 0;
  private stopped = false;
  /** `task-error-metrics` counters, when the worker keeps metrics. */
  metrics: ErrorHandlingCounters | null = null;

  constructor(
    private readonly settings: ToleranceSettings,
    private readonly reporters: ErrorReporter[] = [],
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** `errors.tolerance=all`. */
  get toleratesAll(): boolean {
    return this.settings.tolerance === 'all';
  }

  get toleratedFailures(): number {
    return this.failures;
  }

  /**
   * Runs a synchronous stage (converter, transform). On failure: tolerated -> reported and SKIP; retriable
   * with retries configured -> throws RetryNeeded; otherwise throws ToleranceExceededError. A converter
   * waiting for I/O (ConversionPending) is not a failure: it is passed on for the caller to await.
   */
  run<T>(stage: Stage, executingClass: string, fn: () => T, extra: Partial<ProcessingContext> = {}): T | Skip {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ConversionPending) throw e;
      if (isRetriable(e) && this.settings.retryTimeoutMs !== 0) throw new RetryNeeded(e);
      return this.fail({ ...extra, stage, executingClass, error: asError(e) });
    }
  }

  /**
   * Runs a stage that may be asynchronous, with retries of RetriableExceptions (also when `fn` ran a
   * synchronous stage that signalled RetryNeeded), waiting for converters' I/O (ConversionPending).
   */
  async runAsync<T>(stage: Stage, executingClass: string, fn: () => T | Promise<T>, extra: Partial<ProcessingContext> = {}): Promise<T | Skip> {
    const deadline = this.settings.retryTimeoutMs < 0 ? Infinity : Date.now() + this.settings.retryTimeoutMs;
    let delay = INITIAL_RETRY_DELAY_MS;
    for (;;) {
      try {
        return await fn();
      } catch (thrown) {
        if (thrown instanceof ConversionPending) {
          await thrown.ready;
          continue;
        }
        const e = thrown instanceof RetryNeeded ? thrown.original : thrown;
        if (!isRetriable(e) || this.stopped || Date.now() + delay > deadline) {
          return this.fail({ ...extra, stage, executingClass, error: asError(e) });
        }
        if (this.metrics) {
          this.metrics.recordFailures++;
          this.metrics.retries++;
        }
        await this.sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
        delay = Math.min(delay * 2, this.settings.retryDelayMaxMs);
      }
    }
  }

  /**
   * A failure the task itself reports (`ErrantRecordReporter`): tolerated -> reported (resolves when written);
   * otherwise throws ToleranceExceededError.
   */
  async reportFailure(context: ProcessingContext): Promise<void> {
    this.fail(context);
    await this.flushReports();
  }

  /** Waits for the reports (DLQ writes) started so far; call before committing offsets. */
  async flushReports(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Ends retry loops early (task stopping). */
  stop(): void {
    this.stopped = true;
  }

  async close(): Promise<void> {
    await this.flushReports();
    for (const r of this.reporters) await r.close?.();
  }

  private fail(context: ProcessingContext): Skip {
    const m = this.metrics;
    if (m) {
      m.recordFailures++;
      m.recordErrors++;
      m.lastErrorTimestamp = Date.now();
    }
    if (this.settings.tolerance !== 'all') throw new ToleranceExceededError(context.error);
    if (m) m.recordsSkipped++;
    this.failures++;
    for (const reporter of this.reporters) {
      const p = reporter.report(context).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
    return SKIP;
  }
}

function isRetriable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retriable?: boolean }).retriable === true;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
