/**
 * Windowed statistics as Kafka's metrics library computes them (`SampledStat`, `Rate`, `Avg`, `Max`,
 * `Frequencies`): values fall into `samples` consecutive windows of `windowMs` (Connect's
 * `metrics.num.samples` = 2 and `metrics.sample.window.ms` = 30000); a window older than all of them together
 * is forgotten. A rate divides the values of the live windows by the time they cover, and never by less than
 * `samples - 1` full windows — so, as in Kafka Connect, a rate starts low and settles after a window.
 *
 * Recording is a few array writes (no allocation); measuring happens at scrape time.
 */
export interface WindowConfig {
  windowMs: number;
  samples: number;
}

export const KAFKA_DEFAULT_WINDOW: WindowConfig = { windowMs: 30_000, samples: 2 };

export class WindowedStat {
  private readonly start: number[];
  private readonly sum: number[];
  private readonly count: number[];
  private readonly max: number[];
  /** Index of the window being filled, -1 before the first record. */
  private current = -1;

  constructor(private readonly config: WindowConfig = KAFKA_DEFAULT_WINDOW) {
    const n = Math.max(1, config.samples);
    this.start = new Array<number>(n).fill(0);
    this.sum = new Array<number>(n).fill(0);
    this.count = new Array<number>(n).fill(0);
    this.max = new Array<number>(n).fill(-Infinity);
  }

  record(value: number, now: number): void {
    let i = this.current;
    if (i < 0) {
      i = this.current = 0;
      this.reset(0, now);
    } else if (now - this.start[i]! >= this.config.windowMs) {
      i = this.current = (i + 1) % this.start.length;
      this.reset(i, now);
    }
    this.sum[i]! += value;
    this.count[i]!++;
    if (value > this.max[i]!) this.max[i] = value;
  }

  /** Per-second rate of the recorded values (Kafka's `Rate` of the sum). */
  rate(now: number): number {
    return this.total(now) / (this.elapsedMs(now) / 1000);
  }

  /** Per-second rate of the number of records (Kafka's `Rate` over a `WindowedCount`). */
  countRate(now: number): number {
    return this.occurrences(now) / (this.elapsedMs(now) / 1000);
  }

  /** Mean of the values in the live windows; NaN when there are none (as Kafka's `Avg`). */
  avg(now: number): number {
    const n = this.occurrences(now);
    return n === 0 ? NaN : this.total(now) / n;
  }

  /** Largest value in the live windows; NaN when there are none. */
  maxValue(now: number): number {
    this.purge(now);
    let m = -Infinity;
    for (let i = 0; i < this.max.length; i++) if (this.count[i]! > 0 && this.max[i]! > m) m = this.max[i]!;
    return m === -Infinity ? NaN : m;
  }

  /** Sum of the values in the live windows. */
  total(now: number): number {
    this.purge(now);
    let s = 0;
    for (let i = 0; i < this.sum.length; i++) s += this.sum[i]!;
    return s;
  }

  /** Number of values recorded in the live windows. */
  occurrences(now: number): number {
    this.purge(now);
    let c = 0;
    for (let i = 0; i < this.count.length; i++) c += this.count[i]!;
    return c;
  }

  /** Time the live windows cover, at least `samples - 1` full windows (Kafka's `Rate.windowSize`). */
  private elapsedMs(now: number): number {
    this.purge(now);
    let oldest = now;
    for (let i = 0; i < this.start.length; i++) if (this.count[i]! > 0 && this.start[i]! < oldest) oldest = this.start[i]!;
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / this.config.windowMs);
    const minFull = this.start.length - 1;
    if (full < minFull) elapsed += (minFull - full) * this.config.windowMs;
    return Math.max(elapsed, 1);
  }

  private purge(now: number): void {
    const expireAfter = this.start.length * this.config.windowMs;
    for (let i = 0; i < this.start.length; i++) {
      if (this.count[i]! > 0 && now - this.start[i]! >= expireAfter) this.reset(i, this.start[i]!);
    }
  }

  private reset(i: number, now: number): void {
    this.start[i] = now;
    this.sum[i] = 0;
    this.count[i] = 0;
    this.max[i] = -Infinity;
  }
}

/**
 * A running total and its windowed per-second rate (Kafka's `Meter`: the `-total` and `-rate` attribute pairs).
 * `total` is a plain number, read at scrape time.
 */
export class Meter {
  total = 0;
  private readonly window: WindowedStat;

  constructor(config: WindowConfig = KAFKA_DEFAULT_WINDOW) {
    this.window = new WindowedStat(config);
  }

  record(value: number, now: number): void {
    this.total += value;
    this.window.record(value, now);
  }

  rate(now: number): number {
    return this.window.rate(now);
  }
}

/** Fraction (0..1) of recorded outcomes that were successes in the live windows (Kafka's `Frequencies`). */
export class WindowedRatio {
  private readonly successes: WindowedStat;
  private readonly attempts: WindowedStat;

  constructor(config: WindowConfig = KAFKA_DEFAULT_WINDOW) {
    this.successes = new WindowedStat(config);
    this.attempts = new WindowedStat(config);
  }

  record(success: boolean, now: number): void {
    this.attempts.record(1, now);
    this.successes.record(success ? 1 : 0, now);
  }

  successRatio(now: number): number {
    const n = this.attempts.occurrences(now);
    return n === 0 ? 0 : this.successes.total(now) / n;
  }

  failureRatio(now: number): number {
    const n = this.attempts.occurrences(now);
    return n === 0 ? 0 : 1 - this.successes.total(now) / n;
  }
}

/**
 * Time spent in each state since the tracker started (Kafka's `StateTracker`: `running-ratio`, `pause-ratio`).
 */
export class StateTimer<S extends string> {
  private readonly spent = new Map<S, number>();
  private since: number;
  private readonly began: number;

  constructor(private state: S | null, now: number) {
    this.since = this.began = now;
  }

  change(state: S, now: number): void {
    this.account(now);
    this.state = state;
  }

  ratio(state: S, now: number): number {
    this.account(now);
    const total = now - this.began;
    return total <= 0 ? (this.state === state ? 1 : 0) : (this.spent.get(state) ?? 0) / total;
  }

  private account(now: number): void {
    if (this.state !== null) this.spent.set(this.state, (this.spent.get(this.state) ?? 0) + (now - this.since));
    this.since = now;
  }
}
