/**
 * The engine as an async iterable of batches:
 *
 *   for await (const records of changeStream({ properties, format: 'json' })) { ... }
 *
 * The engine starts with the first `next()`. A batch counts as processed when the loop asks for the next one;
 * leaving the loop (break, return, throw) stops the engine gracefully without marking the current batch, so it
 * is delivered again after a restart. An engine failure is thrown from the loop.
 */
import { createEngine } from './engine.js';
import type { Engine, EngineCompletion, EngineFormat, EngineOptions, FormatRecord, RecordCommitter } from './types.js';

export type ChangeStreamOptions<F extends EngineFormat> = Omit<EngineOptions<F>, 'handler' | 'recordHandler'>;

export interface ChangeStream<R> extends AsyncIterableIterator<R[]> {
  /** The engine behind the stream (for `stop()` and `completion`). */
  readonly engine: Engine;
}

interface Delivered<R> {
  records: R[];
  committer: RecordCommitter<R>;
  release(): void;
}

export function changeStream<F extends EngineFormat = 'connect'>(options: ChangeStreamOptions<F>): ChangeStream<FormatRecord[F]> {
  return new BatchStream<FormatRecord[F]>(options as ChangeStreamOptions<EngineFormat>);
}

class BatchStream<R> implements ChangeStream<R> {
  readonly engine: Engine;
  private started: Promise<void> | null = null;
  /** Delivered by the engine, not yet taken by the loop. */
  private ready: Delivered<R> | null = null;
  /** Taken by the loop; processed when the loop asks for the next batch. */
  private current: Delivered<R> | null = null;
  private notify: (() => void) | null = null;
  private finished = false;
  private ended: EngineCompletion | null = null;

  constructor(options: ChangeStreamOptions<EngineFormat>) {
    this.engine = createEngine({
      ...options,
      handler: (records, committer) =>
        new Promise<void>((release) => {
          this.ready = { records: records as R[], committer: committer as RecordCommitter<R>, release };
          this.wakeLoop();
        }),
    } as EngineOptions<EngineFormat>);
    void this.engine.completion.then((c) => {
      this.ended = c;
      this.wakeLoop();
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<R[]>> {
    if (this.current) {
      this.current.committer.markBatchFinished();
      this.current.release();
      this.current = null;
    }
    if (this.finished) return { done: true, value: undefined };
    this.started ??= this.engine.start();
    await this.started;
    for (;;) {
      if (this.ready) {
        this.current = this.ready;
        this.ready = null;
        return { done: false, value: this.current.records };
      }
      const c = this.ended;
      if (c) {
        this.finished = true;
        if (c.error) throw c.error;
        return { done: true, value: undefined };
      }
      await new Promise<void>((r) => (this.notify = r));
    }
  }

  async return(): Promise<IteratorResult<R[]>> {
    this.finished = true;
    // The current batch is not marked: its offsets are not committed.
    this.current?.release();
    this.current = null;
    this.ready?.release();
    this.ready = null;
    await this.engine.stop();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<R[]>> {
    await this.return();
    throw error;
  }

  private wakeLoop(): void {
    const n = this.notify;
    this.notify = null;
    n?.();
  }
}
