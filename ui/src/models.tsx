/**
 * Models: for each ML sink its version, samples seen, accuracy and prequential accuracy over time; for
 * k-means a scatter of the latest training points and the centroids on two chosen features; for the csv
 * image classifier (MNIST) the latest digits of its input topic with the predicted label and probability.
 */
import { useState } from 'preact/hooks';
import { api, enc, history, usePoll, type DigitsAnswer, type History, type MlStatus } from './api.js';
import { DigitImage, LineChart, Scatter } from './charts.js';
import { ErrorBanner, Notice, num, pct } from './widgets.js';

export function ModelsView({ theme }: { theme: string }) {
  const models = usePoll(() => api<MlStatus[]>('GET', '/ml'), 2000);
  const hist = usePoll(history, 2000);
  const list = [...(models.data ?? [])].sort((a, b) => a.connector.localeCompare(b.connector));
  return (
    <section>
      <ErrorBanner message={models.error ?? hist.error} />
      {models.data && list.length === 0 && <Notice>No model sink is running (io.tsconnect.ml.KMeansSinkConnector, TfjsClassifierSinkConnector).</Notice>}
      <div class="cards models">
        {list.map((m) => (
          <ModelCard key={m.connector} m={m} hist={hist.data} theme={theme} />
        ))}
      </div>
    </section>
  );
}

function ModelCard({ m, hist, theme }: { m: MlStatus; hist: History | null; theme: string }) {
  const series = hist?.models[m.connector] ?? [];
  const accuracy = m.metrics['accuracy'] ?? m.metrics['predictionAccuracy'] ?? null;
  return (
    <article class="card model wide" data-model={m.connector}>
      <header class="card-head">
        <span class="title">{m.connector}</span>
        <span class="badge kind">{m.kind === 'kmeans' ? `k-means · ${m.algorithm ?? ''}` : `tfjs · ${m.mode ?? ''}`}</span>
      </header>
      <div class="stats">
        <Stat label="model version" value={num(m.modelVersion)} testId="model-version" />
        <Stat label="samples seen" value={num(m.samplesSeen)} testId="samples-seen" />
        <Stat label="predictions" value={num(m.predictions)} />
        <Stat label="accuracy" value={pct(accuracy)} testId="accuracy" />
        <Stat label="prequential accuracy" value={pct(m.metrics['prequentialAccuracy'])} testId="prequential" />
      </div>
      <LineChart
        theme={theme}
        testId="accuracy-chart"
        times={series.map((p) => p.t)}
        yRange={[0, 1]}
        format={(v) => `${Math.round(v * 100)}%`}
        series={[
          { label: 'accuracy', color: '--c1', values: series.map((p) => p.accuracy) },
          { label: 'prequential', color: '--c2', values: series.map((p) => p.prequential) },
        ]}
      />
      {m.kind === 'kmeans' && <KMeansScatter m={m} theme={theme} />}
      {m.kind === 'tfjs' && <Digits name={m.connector} />}
    </article>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div class="stat">
      <div class="stat-value" data-testid={testId}>
        {value}
      </div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

interface Points {
  features: string[];
  points: number[][];
  labels: (number | null)[];
}

function KMeansScatter({ m, theme }: { m: MlStatus; theme: string }) {
  const features = m.features ?? [];
  const [x, setX] = useState(2 < features.length ? 2 : 0);
  const [y, setY] = useState(3 < features.length ? 3 : Math.min(1, features.length - 1));
  const pts = usePoll(() => api<Points>('GET', `/ui/api/models/${enc(m.connector)}/points?limit=300`), 3000);
  const pick = (value: number, set: (n: number) => void, label: string) => (
    <label class="small">
      {label}{' '}
      <select value={value} onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}>
        {features.map((f, i) => (
          <option value={i}>{f}</option>
        ))}
      </select>
    </label>
  );
  return (
    <div class="subpanel">
      <div class="row wrap">
        <h4>Points and centroids</h4>
        {pick(x, setX, 'x')}
        {pick(y, setY, 'y')}
        <span class="muted small">{pts.data ? `latest ${pts.data.points.length} training points, coloured by label; ✕ centroids` : ''}</span>
      </div>
      <ErrorBanner message={pts.error} />
      <Scatter
        theme={theme}
        points={pts.data?.points ?? []}
        labels={pts.data?.labels ?? []}
        centroids={m.centroids ?? []}
        x={x}
        y={y}
        xLabel={features[x] ?? ''}
        yLabel={features[y] ?? ''}
      />
    </div>
  );
}

function Digits({ name }: { name: string }) {
  const d = usePoll(() => api<DigitsAnswer>('GET', `/ui/api/models/${enc(name)}/digits?limit=12`), 3000);
  return (
    <div class="subpanel">
      <div class="row wrap">
        <h4>Latest digits</h4>
        <span class="muted small">{d.data?.topic ? `from ${d.data.topic}, predictions from ${d.data.predictionsTopic}` : ''}</span>
      </div>
      <ErrorBanner message={d.error} />
      {d.data && d.data.digits.length === 0 && <p class="muted small">No images on the prediction input topic yet.</p>}
      <div class="digits">
        {d.data?.digits.map((g) => {
          const right = g.prediction !== null && g.label !== null ? g.prediction === g.label : null;
          return (
            <figure class={`digit-cell ${right === false ? 'wrong' : ''}`} key={g.offset} data-testid="digit">
              <DigitImage pixels={g.pixels} size={g.size} title={`offset ${g.offset}`} />
              <figcaption>
                <span data-testid="digit-prediction">{g.prediction ?? '?'}</span>
                <span class="muted small"> {g.probability !== null ? `p=${g.probability.toFixed(3)}` : ''}</span>
                <div class="small muted">
                  label <span data-testid="digit-label">{g.label ?? '?'}</span>
                  {g.source === 'model' ? ' · live' : ''}
                </div>
              </figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
