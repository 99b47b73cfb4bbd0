/**
 * Source health: per source connector its state, topics, committed offsets (a Debezium snapshot shows in
 * them), the records it writes per second, and for Postgres the replication slot's retained WAL and lag.
 *
 * SOURCE_CHARTS draws a chart for each series the history has; the worker's history adds Debezium's gauges
 * from its metrics (`/metrics`) under their JMX attribute names (snapshot progress, MilliSecondsBehindSource).
 */
import { api, connectorsExpanded, enc, history, usePoll, type SourcePoint } from './api.js';
import { LineChart } from './charts.js';
import { ErrorBanner, Notice, StateBadge, bytes, num, shortClass } from './widgets.js';
import { snapshotProgress } from './progress.js';

interface SourceChart {
  key: string;
  title: string;
  color: string;
  format: (v: number) => string;
  /** Turn the sampled series into what is drawn (e.g. a counter into a rate). */
  derive?: (points: SourcePoint[]) => (number | null)[];
}

/** A counter series turned into a per-second rate. */
function rateOf(key: string): (points: SourcePoint[]) => (number | null)[] {
  return (points) =>
    points.map((p, i) => {
      const prev = points[i - 1];
      const a = prev?.[key];
      const b = p[key];
      if (!prev || typeof a !== 'number' || typeof b !== 'number' || p.t === prev.t) return null;
      return Math.max(0, ((b - a) / (p.t - prev.t)) * 1000);
    });
}

const rate = rateOf('records');

const SOURCE_CHARTS: SourceChart[] = [
  { key: 'records', title: 'Records written per second', color: '--c1', format: (v) => v.toFixed(v < 10 ? 1 : 0), derive: rate },
  { key: 'retainedWalBytes', title: 'WAL retained by the slot', color: '--c3', format: bytes },
  { key: 'confirmedLagBytes', title: 'Slot confirmed position behind the server', color: '--c4', format: bytes },
  // From the worker metrics (Debezium's JMX attribute names):
  { key: 'MilliSecondsBehindSource', title: 'Lag behind the database (ms)', color: '--c2', format: (v) => num(Math.round(v)) },
  { key: 'TotalNumberOfEventsSeen', title: 'Change events per second', color: '--c6', format: (v) => v.toFixed(v < 10 ? 1 : 0), derive: rateOf('TotalNumberOfEventsSeen') },
  { key: 'SnapshotRowsScanned', title: 'Snapshot rows scanned', color: '--c5', format: (v) => num(Math.round(v)) },
  { key: 'RemainingTableCount', title: 'Snapshot tables remaining', color: '--c4', format: (v) => num(Math.round(v)) },
];

interface SlotInfo {
  slotName: string;
  found: boolean;
  active: boolean | null;
  walStatus: string | null;
  currentLsn: string | null;
  confirmedFlushLsn: string | null;
  retainedWalBytes: number | null;
  confirmedLagBytes: number | null;
}

export function SourcesView({ theme }: { theme: string }) {
  const list = usePoll(connectorsExpanded, 3000);
  const hist = usePoll(history, 2000);
  const sources = Object.entries(list.data ?? {})
    .filter(([, c]) => (c.info?.type ?? c.status?.type) === 'source')
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <section>
      <ErrorBanner message={list.error ?? hist.error} />
      {list.data && sources.length === 0 && <Notice>No source connectors.</Notice>}
      <div class="cards models">
        {sources.map(([name, c]) => (
          <SourceCard key={name} name={name} cls={c.info?.config['connector.class'] ?? ''} state={c.status?.connector.state ?? 'UNASSIGNED'} points={hist.data?.sources[name] ?? []} theme={theme} />
        ))}
      </div>
    </section>
  );
}

function SourceCard({ name, cls, state, points, theme }: { name: string; cls: string; state: string; points: SourcePoint[]; theme: string }) {
  const isPostgres = /PostgresConnector$|^postgres$/i.test(cls);
  const topics = usePoll(() => api<Record<string, { topics: string[] }>>('GET', `/connectors/${enc(name)}/topics`), 5000);
  const offsets = usePoll(() => api<{ offsets: { partition: unknown; offset: Record<string, unknown> }[] }>('GET', `/connectors/${enc(name)}/offsets`), 5000);
  const slot = usePoll(() => (isPostgres ? api<SlotInfo>('GET', `/ui/api/connectors/${enc(name)}/slot`) : Promise.resolve(null)), 5000);
  const offset = offsets.data?.offsets[0]?.offset;
  const snapshotting = offset && (offset['snapshot'] === true || offset['snapshot'] === 'true' || offset['snapshot'] === 'INITIAL') && offset['last_snapshot_record'] !== true;
  const available = SOURCE_CHARTS.filter((c) => points.some((p) => p[c.key] !== undefined && p[c.key] !== null));
  const waiting = SOURCE_CHARTS.filter((c) => !available.includes(c) && (isPostgres || c.key === 'records'));
  return (
    <article class="card wide" data-source={name}>
      <header class="card-head">
        <span class="title">{name}</span>
        <StateBadge state={state} />
      </header>
      <dl class="facts">
        <dt>Class</dt>
        <dd title={cls}>{shortClass(cls)}</dd>
        <dt>Topics</dt>
        <dd>{topics.data?.[name]?.topics.join(', ') || '–'}</dd>
        <dt>Snapshot</dt>
        <dd>{snapshotProgress(points) ?? (offset ? (snapshotting ? 'in progress' : 'done or not needed') : 'no offsets committed yet')}</dd>
        {isPostgres && (
          <>
            <dt>Slot</dt>
            <dd>
              {slot.error ? <span class="error-text">{slot.error}</span> : slot.data ? (slot.data.found ? `${slot.data.slotName} · ${slot.data.active ? 'active' : 'inactive'} · retains ${bytes(slot.data.retainedWalBytes)} · confirmed ${slot.data.confirmedFlushLsn ?? '–'} of ${slot.data.currentLsn ?? '–'}` : `${slot.data.slotName}: not created yet`) : '…'}
            </dd>
          </>
        )}
      </dl>
      {offset && (
        <details>
          <summary class="small muted">committed offset</summary>
          <pre>{JSON.stringify(offset, null, 2)}</pre>
        </details>
      )}
      <div class="chart-grid">
        {available.map((c) => (
          <div key={c.key}>
            <h4>{c.title}</h4>
            <LineChart theme={theme} height={140} times={points.map((p) => p.t)} format={c.format} series={[{ label: c.title, color: c.color, values: c.derive ? c.derive(points) : points.map((p) => p[c.key] ?? null) }]} />
          </div>
        ))}
      </div>
      {waiting.length > 0 && <p class="muted small">Waiting for data: {waiting.map((c) => c.title).join(', ')}{waiting.some((c) => c.key[0] === c.key[0]!.toUpperCase()) ? ' (snapshot progress and lag arrive with the worker metrics, /metrics)' : ''}.</p>}
    </article>
  );
}
