/**
 * The embedded engine (Debezium's `AsyncEmbeddedEngine`, for Node): runs one source connector and its task in
 * this process, passes each polled batch through the connector's transforms and the chosen format, and hands
 * it to the application's handler. No worker, no topics: the same connector, transformation chain, error
 * operator, offset store and offset rules (`SubmittedRecords`) as the worker, with a handler where the worker
 * has a producer.
 *
 * Delivery: batches reach the handler one at a time, in source order; the next batch is polled and prepared
 * while the handler works on the current one. Offsets of processed records are written every
 * `offset.flush.interval.ms` and at stop, and only then passed to `SourceTask.commit` (which is where the
 * PostgreSQL task confirms its replication slot).
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { SourceConnector, type SourceTask } from '../connect/api/connector.js';
import type { SourceRecord } from '../connect/data/records.js';
import { ConfigException, ConnectException } from '../connect/errors.js';
import { transformationStages } from '../connect/runtime/connector-config.js';
import { LogReporter } from '../connect/runtime/errors/reporters.js';
import { RetryNeeded, RetryWithToleranceOperator, SKIP, type ErrorReporter, type Skip } from '../connect/runtime/errors/retry-with-tolerance.js';
import { PluginRegistry } from '../connect/runtime/plugins.js';
import { SubmittedRecords } from '../connect/runtime/submitted-records.js';
import { TransformationChain } from '../connect/runtime/transformation-chain.js';
import { offsetReader } from '../connect/runtime/worker-source-task.js';
import { builtinPlugins } from '../plugins.js';
import { PreparedBatch } from './batch.js';
import { dispatch } from './dispatch.js';
import { type EngineSettings, parseEngineConfig } from './engine-config.js';
import { type ToFormat, checkFormat, toFormat } from './formats.js';
import { OffsetFlusher } from './offset-flusher.js';
import { withRetries } from './retry.js';
import type { Engine, EngineCompletion, EngineFormat, EngineOptions, FormatRecord } from './types.js';

/** Creates an engine; nothing runs until `start()`. */
export function createEngine<F extends EngineFormat = 'connect'>(options: EngineOptions<F>): Engine {
  return new EmbeddedEngine<F>(options);
}

type State = 'new' | 'running' | 'stopping' | 'stopped';

/** Everything built on start; torn down in reverse order on stop. */
interface Runtime<R> {
  settings: EngineSettings;
  errors: RetryWithToleranceOperator;
  chain: TransformationChain | null;
  toFormat: ToFormat<R>;
  connector: SourceConnector | null;
  connectorStarted: boolean;
  task: SourceTask | null;
  taskStarted: boolean;
  submitted: SubmittedRecords;
  flusher: OffsetFlusher | null;
  storeStarted: boolean;
}

class EmbeddedEngine<F extends EngineFormat> implements Engine {
  private state: State = 'new';
  private readonly logger: Logger;
  private readonly format: F;
  private rt: Runtime<FormatRecord[F]> | null = null;
  private failure: Error | null = null;
  private readonly wakers = new Set<() => void>();
  private flushTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private startWaiters: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private resolveCompletion!: (c: EngineCompletion) => void;
  readonly completion: Promise<EngineCompletion>;
  private readonly onAbort = (): void => void this.stop();

  constructor(private readonly options: EngineOptions<F>) {
    this.logger = options.logger ?? pino({ level: process.env.TSCONNECT_LOG_LEVEL ?? 'warn' }).child({ engine: String(options.properties.name ?? '') });
    this.format = (options.format ?? 'connect') as F;
    this.completion = new Promise((r) => (this.resolveCompletion = r));
  }

  get running(): boolean {
    return this.state === 'running';
  }

  start(): Promise<void> {
    if (this.state !== 'new') return Promise.reject(new ConnectException(`The engine was already started (state ${this.state})`));
    const signal = this.options.signal;
    if (signal?.aborted) {
      this.state = 'stopped';
      this.complete(true, 'The engine was aborted before it started', null);
      return Promise.reject(abortError(signal));
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.state = 'running';
    const started = new Promise<void>((resolve, reject) => (this.startWaiters = { resolve, reject }));
    void this.run();
    return started;
  }

  async stop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      this.complete(true, 'The engine was stopped before it started', null);
    } else if (this.state === 'running') {
      this.state = 'stopping';
      this.logger.info('Stopping the engine');
      this.wake();
    }
    await this.completion;
  }

  close(): Promise<void> {
    return this.stop();
  }

  private get stopping(): boolean {
    return this.state !== 'running' || this.failure !== null;
  }

  // ------------------------------------------------------------------------------------------------
  // Lifecycle

  private async run(): Promise<void> {
    try {
      await this.setUp();
      this.startWaiters?.resolve();
      this.startWaiters = null;
      if (!this.stopping) await this.pollLoop();
    } catch (e) {
      this.fail(e);
    }
    await this.tearDown();
    const error = this.failure;
    this.state = 'stopped';
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (this.startWaiters) {
      if (error) this.startWaiters.reject(error);
      else this.startWaiters.resolve();
      this.startWaiters = null;
    }
    const name = this.rt?.settings.name ?? String(this.options.properties.name ?? '');
    if (error) this.complete(false, `Connector '${name}' failed: ${error.message}`, error);
    else this.complete(true, `Connector '${name}' completed normally.`, null);
  }

  private async setUp(): Promise<void> {
    const { options } = this;
    if (!options.handler === !options.recordHandler) {
      throw new ConfigException('Give the engine exactly one of `handler` (batches with a committer) and `recordHandler` (single records)');
    }
    const settings = parseEngineConfig(options.properties);
    const format = checkFormat(this.format);
    const props = settings.connectorProps;
    const registry = options.registry ?? new PluginRegistry().register(...builtinPlugins());
    const errors = errorOperator(props, settings, this.logger);
    const rt: Runtime<FormatRecord[F]> = {
      settings,
      errors,
      chain: null,
      toFormat: toFormat(format as F, props, errors),
      connector: null,
      connectorStarted: false,
      task: null,
      taskStarted: false,
      submitted: new SubmittedRecords(settings.name),
      flusher: null,
      storeStarted: false,
    };
    this.rt = rt;
    rt.chain = new TransformationChain(transformationStages(registry, props), errors);

    await settings.offsetStore.start();
    rt.storeStarted = true;
    const reader = offsetReader(settings.name, settings.offsetStore);

    const connector = registry.create<SourceConnector>(settings.connectorClass, 'source', 'sink');
    if (!(connector instanceof SourceConnector)) throw new ConfigException(`${settings.connectorClass} is not a source connector; the engine runs source connectors`);
    rt.connector = connector;
    connector.initialize({
      requestTaskReconfiguration: () => this.logger.warn('The connector asked for task reconfiguration; the engine runs its first task config only'),
      raiseError: (e) => this.connectorError(e),
      offsetStorageReader: reader,
    });
    try {
      await this.validate(connector, props);
      await connector.start(props);
    } catch (e) {
      this.options.callbacks?.connectorFailed?.(asError(e));
      throw e;
    }
    rt.connectorStarted = true;
    this.options.callbacks?.connectorStarted?.();
    if (this.stopping) return;

    const taskConfigs = await connector.taskConfigs(1);
    const taskConfig = taskConfigs[0];
    if (!taskConfig) throw new ConnectException(`Connector '${settings.name}' gave no task configuration`);
    const TaskClass = connector.taskClass();
    const task = new TaskClass();
    rt.task = task;
    task.initialize({ taskId: { connector: settings.name, task: 0 }, configs: taskConfig, offsetStorageReader: reader });
    try {
      await withRetries(settings.retry, this.retryHooks('task start'), () => task.start(taskConfig));
    } catch (e) {
      this.options.callbacks?.taskFailed?.(asError(e));
      throw e;
    }
    rt.taskStarted = true;
    rt.flusher = new OffsetFlusher(rt.submitted, settings.offsetStore, settings.offsetFlushTimeoutMs, (c) => task.commit(c), this.logger);
    this.options.callbacks?.taskStarted?.();
    if (settings.offsetFlushIntervalMs > 0) {
      this.flushTimer = setInterval(() => void this.flushOffsets(), settings.offsetFlushIntervalMs);
      this.flushTimer.unref();
    }
  }

  private async validate(connector: SourceConnector, props: Record<string, string>): Promise<void> {
    const values = await connector.validate(props);
    const messages = [...values.values()].flatMap((v) => v.errorMessages.map((m) => `${v.name}: ${m}`));
    if (messages.length > 0) {
      throw new ConfigException(`Connector configuration is not valid. ${messages.join('; ')}`);
    }
  }

  private async tearDown(): Promise<void> {
    const rt = this.rt;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    if (!rt) return;
    // Let the batch in flight finish (it may mark more records), then store what was processed.
    if (this.inFlight) {
      const finished = await settledWithin(this.inFlight, rt.settings.shutdownTimeoutMs);
      if (!finished) this.logger.warn({ timeoutMs: rt.settings.shutdownTimeoutMs }, 'Handler calls still running at shutdown; their records will be delivered again');
    }
    if (rt.flusher) {
      try {
        await rt.flusher.flush();
      } catch (e) {
        this.logger.error({ err: e }, 'Final offset flush failed');
        this.fail(e);
      }
    }
    const callbacks = this.options.callbacks;
    await this.step('task stop', async () => {
      if (rt.task) await rt.task.stop();
      if (rt.taskStarted) callbacks?.taskStopped?.();
    });
    await this.step('connector stop', async () => {
      if (rt.connectorStarted) {
        await rt.connector!.stop();
        callbacks?.connectorStopped?.();
      }
    });
    rt.chain?.close();
    await this.step('error reporters', () => rt.errors.close());
    if (rt.storeStarted) await this.step('offset store stop', () => rt.settings.offsetStore.stop());
  }

  private async step(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.logger.warn({ err: e }, `Error during ${what}`);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // The loop

  private async pollLoop(): Promise<void> {
    const rt = this.rt!;
    const task = rt.task!;
    let delivering: Promise<void> | null = null;
    while (!this.stopping) {
      const polled = await withRetries(rt.settings.retry, this.retryHooks('poll'), () => task.poll());
      if (!polled || polled.length === 0) continue;
      const batch = await this.prepare(polled);
      if (delivering) await delivering;
      if (this.stopping) break; // not delivered: its offsets stay uncommitted and it comes again after a restart
      if (batch.size === 0) {
        if (rt.settings.offsetFlushIntervalMs === 0) await this.flushOffsets();
        continue;
      }
      delivering = this.deliver(batch);
      this.inFlight = delivering;
      delivering.catch((e: unknown) => this.fail(e));
    }
    // The batch still in flight is waited for in tearDown.
  }

  /** Submits the records for offset tracking, applies the transforms and the format. */
  private async prepare(polled: SourceRecord[]): Promise<PreparedBatch<FormatRecord[F]>> {
    const rt = this.rt!;
    const task = rt.task!;
    const batch = new PreparedBatch<FormatRecord[F]>(rt.submitted, (original) => {
      const p = task.commitRecord(original, null);
      if (p) p.catch((e: unknown) => this.logger.warn({ err: e }, 'commitRecord failed'));
    });
    for (const original of polled) {
      const entry = rt.submitted.submit(original.sourcePartition, original.sourceOffset);
      let out: { record: SourceRecord; event: FormatRecord[F] } | Skip;
      try {
        out = this.convert(original);
      } catch (e) {
        if (!(e instanceof RetryNeeded)) throw e;
        out = await rt.errors.runAsync('VALUE_CONVERTER', 'engine', () => this.convert(original), { sourceRecord: original });
      }
      if (out === SKIP) {
        // Dropped by a transform or a tolerated error: processed at once, as in the worker.
        rt.submitted.ack(entry);
        continue;
      }
      batch.add(out.event, out.record, original, entry);
    }
    batch.seal();
    return batch;
  }

  private convert(original: SourceRecord): { record: SourceRecord; event: FormatRecord[F] } | Skip {
    const rt = this.rt!;
    const record = rt.chain!.apply(original, { sourceRecord: original });
    if (record === null) return SKIP;
    const event = rt.toFormat(record);
    return event === SKIP ? SKIP : { record, event };
  }

  private async deliver(batch: PreparedBatch<FormatRecord[F]>): Promise<void> {
    const rt = this.rt!;
    const { handler, recordHandler } = this.options;
    const hooks = this.retryHooks('handler');
    if (handler) {
      const committer = batch.committer();
      let first = true;
      await withRetries(rt.settings.retry, hooks, async () => {
        // A retry gets the records the failed call did not mark.
        const records = first ? batch.events : batch.unmarked();
        first = false;
        if (records.length > 0) await handler(records, committer);
      });
    } else {
      const s = rt.settings;
      const lanes = s.serialConsumer ? 1 : s.threads;
      await dispatch(batch, { lanes, ordered: s.order === 'ORDERED' }, (r) => withRetries(s.retry, hooks, () => recordHandler!(r)), () => this.failure !== null);
    }
    if (rt.settings.offsetFlushIntervalMs === 0) await this.flushOffsets();
  }

  private async flushOffsets(): Promise<void> {
    try {
      await this.rt?.flusher?.flush();
    } catch (e) {
      this.logger.error({ err: e }, 'Offset commit failed; will try again on the next flush');
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Failures, waiting

  private fail(e: unknown): void {
    if (this.failure) return;
    this.failure = asError(e);
    this.logger.error({ err: this.failure }, 'The engine failed');
    if (this.rt?.taskStarted) this.options.callbacks?.taskFailed?.(this.failure);
    this.wake();
  }

  private connectorError(e: Error): void {
    this.options.callbacks?.connectorFailed?.(e);
    this.fail(e);
  }

  private complete(success: boolean, message: string, error: Error | null): void {
    try {
      this.options.completion?.(success, message, error);
    } catch (e) {
      this.logger.warn({ err: e }, 'The completion callback threw');
    }
    this.resolveCompletion({ success, message, error });
  }

  private retryHooks(what: string) {
    return {
      stopped: () => this.stopping,
      sleep: (ms: number) => this.sleep(ms),
      onRetry: (e: unknown, attempt: number, delayMs: number) => this.logger.warn({ err: e, attempt, delayMs }, `Retriable error in ${what}; retrying`),
    };
  }

  /** Sleeps `ms`, or less when the engine stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
    this.rt?.errors.stop();
  }
}

function errorOperator(props: Record<string, string>, settings: EngineSettings, logger: Logger): RetryWithToleranceOperator {
  const bool = (k: string) => (props[k] ?? 'false').trim().toLowerCase() === 'true';
  const reporters: ErrorReporter[] = [];
  if (bool('errors.log.enable')) reporters.push(new LogReporter(logger, `${settings.name}-0`, bool('errors.log.include.messages')));
  return new RetryWithToleranceOperator(
    {
      retryTimeoutMs: Number(props['errors.retry.timeout'] ?? '0'),
      retryDelayMaxMs: settings.retry.maxDelayMs,
      tolerance: (props['errors.tolerance'] ?? 'none').trim().toLowerCase() === 'all' ? 'all' : 'none',
    },
    reporters,
  );
}

/** True when `p` settled within `ms`. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function abortError(signal: AbortSignal): Error {
  const e = new Error('The operation was aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}
