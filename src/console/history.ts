/**
 * Short time series behind the console's charts, kept in the worker so a page opened late still sees the
 * past few minutes:
 * - per model sink (always, cheap: an in-process status call each second): version, samples seen,
 *   predictions, accuracy and prequential accuracy, a point whenever one of them changes;
 * - per source connector (only while a page is watching): records written to its topics (the sum of their
 *   end offsets; the page turns it into a rate) and, for Postgres, the slot's retained WAL and confirmed lag.
 *
 *   From the worker's metrics (`GET /metrics`), Debezium's gauges of the connector's task under their JMX
 *   attribute names: MilliSecondsBehindSource and TotalNumberOfEventsSeen (streaming), RemainingTableCount,
 *   TotalTableCount and the sum of RowsScanned as SnapshotRowsScanned (snapshot). The page draws a chart
 *   for every numeric series it knows a label for (ui/src/sources.tsx).
 */
import type { Herder } from '../connect/herder/types.js';
import type { TopicBackend } from '../connect/topics/types.js';
import type { ConnectMetrics } from '../connect/metrics/connect-metrics.js';
import { mlTasks, type MlStatus } from '../../ml-sinks/common/registry.js';
import { isPostgresConnector, type SlotProbe } from './pg-slot.js';
import type { ModelPoint, SourcePoint } from './api-types.js';

const MAX_POINTS = 1800;
const HEARTBEAT_MS = 30_000;
const WATCH_MS = 60_000;
const SLOT_EVERY_MS = 5000;

function push<T>(series: T[], point: T): void {
  series.push(point);
  if (series.length > MAX_POINTS) series.splice(0, series.length - MAX_POINTS);
}

/** Accuracy of either model kind: tfjs names it `accuracy`, k-means `predictionAccuracy`. */
export function modelPoint(s: MlStatus, t: number): ModelPoint {
  const m = s.metrics;
  return {
    t,
    version: s.modelVersion,
    samples: s.samplesSeen,
    predictions: s.predictions,
    accuracy: m['accuracy'] ?? m['predictionAccuracy'] ?? null,
    prequential: m['prequentialAccuracy'] ?? null,
  };
}

export class ConsoleHistory {
  private readonly models = new Map<string, ModelPoint[]>();
  private readonly sources = new Map<string, SourcePoint[]>();
  private readonly types = new Map<string, string>();
  private readonly lastSlot = new Map<string, { t: number; retained: number | null; lag: number | null }>();
  private modelTimer: NodeJS.Timeout | null = null;
  private sourceTimer: NodeJS.Timeout | null = null;
  private watchedAt = 0;
  private sampling = false;

  constructor(
    private readonly herder: Herder,
    private readonly backend: TopicBackend,
    private readonly slots: SlotProbe,
    private readonly intervals = { modelsMs: 1000, sourcesMs: 2000 },
    private readonly metrics: ConnectMetrics | null = null,
  ) {}

  start(): void {
    this.sampleModels();
    this.modelTimer = setInterval(() => this.sampleModels(), this.intervals.modelsMs).unref();
    this.sourceTimer = setInterval(() => void this.sampleSources(), this.intervals.sourcesMs).unref();
  }

  stop(): void {
    if (this.modelTimer) clearInterval(this.modelTimer);
    if (this.sourceTimer) clearInterval(this.sourceTimer);
  }

  /** A page asked for something: sample the sources for the next minute. */
  touch(): void {
    const idle = Date.now() - this.watchedAt > WATCH_MS;
    this.watchedAt = Date.now();
    if (idle) void this.sampleSources();
  }

  modelSeries(): Record<string, ModelPoint[]> {
    this.sampleModels();
    return Object.fromEntries(this.models);
  }

  sourceSeries(): Record<string, SourcePoint[]> {
    return Object.fromEntries(this.sources);
  }

  private sampleModels(): void {
    const now = Date.now();
    for (const [name, task] of mlTasks) {
      let series = this.models.get(name);
      if (!series) this.models.set(name, (series = []));
      const p = modelPoint(task.status(), now);
      const last = series[series.length - 1];
      const changed =
        !last || last.version !== p.version || last.samples !== p.samples || last.predictions !== p.predictions || last.accuracy !== p.accuracy || last.prequential !== p.prequential;
      if (changed || now - last.t >= HEARTBEAT_MS) push(series, p);
    }
    this.forgetDeleted(this.models);
  }

  private forgetDeleted(map: Map<string, unknown>): void {
    const live = new Set(this.herder.connectors());
    for (const name of map.keys()) if (!live.has(name) && !mlTasks.has(name)) map.delete(name);
  }

  private async sampleSources(): Promise<void> {
    if (this.sampling || Date.now() - this.watchedAt > WATCH_MS) return;
    this.sampling = true;
    try {
      const now = Date.now();
      for (const name of this.herder.connectors()) {
        const config = await this.herder.connectorConfig(name).catch(() => null);
        if (!config) continue;
        let type = this.types.get(name);
        if (!type) {
          type = (await this.herder.connectorInfo(name).catch(() => null))?.type ?? 'unknown';
          if (type !== 'unknown') this.types.set(name, type);
        }
        if (type !== 'source') continue;
        const point: SourcePoint = { t: now, records: await this.recordsWritten(name) };
        if (isPostgresConnector(config)) Object.assign(point, await this.slotSample(name, config, now));
        if (this.metrics) Object.assign(point, debeziumGauges(this.metrics, name));
        let series = this.sources.get(name);
        if (!series) this.sources.set(name, (series = []));
        push(series, point);
      }
      this.forgetDeleted(this.sources);
    } finally {
      this.sampling = false;
    }
  }

  private async recordsWritten(name: string): Promise<number | null> {
    let topics: string[];
    try {
      topics = this.herder.connectorActiveTopics(name);
    } catch {
      return null; // topic tracking off
    }
    let sum = 0;
    for (const t of topics) {
      for (const p of await this.backend.offsets(t).catch(() => [])) sum += p.end;
    }
    return sum;
  }

  /** The slot every few seconds (a query on the user's database), repeated in between. */
  private async slotSample(name: string, config: Record<string, string>, now: number): Promise<Pick<SourcePoint, 'retainedWalBytes' | 'confirmedLagBytes'>> {
    let last = this.lastSlot.get(name);
    if (!last || now - last.t >= SLOT_EVERY_MS) {
      const info = await this.slots.probe(config).catch(() => null);
      last = { t: now, retained: info?.retainedWalBytes ?? null, lag: info?.confirmedLagBytes ?? null };
      this.lastSlot.set(name, last);
    }
    return { retainedWalBytes: last.retained, confirmedLagBytes: last.lag };
  }
}

/** The gauges of the connector's Debezium groups (on this worker) the source charts show. */
export function debeziumGauges(metrics: ConnectMetrics, connector: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const value = (v: number | null | undefined) => (v === undefined || v === null || v < 0 ? null : v);
  for (const g of metrics.openGroups(connector)) {
    if (!g.name.domain.startsWith('debezium.')) continue;
    const context = g.name.tags['context'];
    if (context === 'streaming') {
      out['MilliSecondsBehindSource'] = value(g.read('MilliSecondsBehindSource'));
      out['TotalNumberOfEventsSeen'] = value(g.read('TotalNumberOfEventsSeen'));
    } else if (context === 'snapshot') {
      out['SnapshotRowsScanned'] = value(g.read('RowsScanned'));
      out['RemainingTableCount'] = value(g.read('RemainingTableCount'));
      out['TotalTableCount'] = value(g.read('TotalTableCount'));
      out['SnapshotRowsEstimated'] = value(g.read('RowsEstimated'));
    }
  }
  return out;
}
