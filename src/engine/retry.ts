/**
 * Retrying retriable failures (Debezium's `RetryingCallable`): an operation that throws an error marked
 * `retriable` (a RetriableException) is repeated after a delay that starts at `errors.retry.delay.initial.ms`
 * and doubles up to `errors.retry.delay.max.ms`, at most `errors.max.retries` times (-1 = no limit).
 * Any other error is thrown at once.
 */
import type { RetrySettings } from './engine-config.js';

export function isRetriable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retriable?: unknown }).retriable === true;
}

/** The delay before retry number `attempt` (1-based). */
export function retryDelay(settings: RetrySettings, attempt: number): number {
  let delay = settings.initialDelayMs;
  for (let i = 1; i < attempt && delay < settings.maxDelayMs; i++) delay *= 2;
  return Math.min(delay, settings.maxDelayMs);
}

export interface RetryHooks {
  /** True when retrying should end (the engine is stopping): the last error is thrown. */
  stopped(): boolean;
  sleep(ms: number): Promise<void>;
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

export async function withRetries<T>(settings: RetrySettings, hooks: RetryHooks, fn: () => T | Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const exhausted = settings.maxRetries >= 0 && attempt > settings.maxRetries;
      if (!isRetriable(e) || exhausted || hooks.stopped()) throw e;
      const delay = retryDelay(settings, attempt);
      hooks.onRetry?.(e, attempt, delay);
      await hooks.sleep(delay);
      if (hooks.stopped()) throw e;
    }
  }
}
