/** Topic browser: topics with partition offsets; a topic's latest records, pretty-printed; search by key. */
import { useState } from 'preact/hooks';
import { api, enc, usePoll } from './api.js';
import { ErrorBanner, Notice, num } from './widgets.js';

interface PartitionOffsets {
  partition: number;
  start: number;
  end: number;
}

interface Formatted {
  kind: 'null' | 'json' | 'text' | 'binary';
  text: string | null;
  schema?: string;
  bytes: number;
  truncated: boolean;
}

interface RecordView {
  partition: number;
  offset: number;
  timestamp: number;
  key: Formatted;
  value: Formatted;
  headers: { key: string; value: Formatted }[];
}

interface RecordsAnswer {
  topic: string;
  key: string | null;
  scanned: number;
  complete: boolean;
  records: RecordView[];
}

export function TopicsView({ selected, onSelect }: { selected: string | null; onSelect: (t: string | null) => void }) {
  const topics = usePoll(() => api<{ backend: string; topics: { name: string; partitions: PartitionOffsets[] }[] }>('GET', '/ui/api/topics'), 3000);
  const [filter, setFilter] = useState('');
  const shown = (topics.data?.topics ?? []).filter((t) => t.name.includes(filter));
  return (
    <section class="split">
      <div class="pane">
        <ErrorBanner message={topics.error} />
        <div class="row">
          <input type="search" placeholder="Filter topics" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} aria-label="Filter topics" />
          <span class="muted small">{topics.data ? `${topics.data.topics.length} on the ${topics.data.backend === 'kafka' ? 'Kafka cluster' : 'embedded log'}` : ''}</span>
        </div>
        <table class="list" data-testid="topics">
          <thead>
            <tr>
              <th>Topic</th>
              <th class="num">Records</th>
              <th class="num">Partitions (start–end)</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.name} class={t.name === selected ? 'selected' : ''} onClick={() => onSelect(t.name)} data-topic={t.name}>
                <td>
                  <button class="link" onClick={() => onSelect(t.name)}>
                    {t.name}
                  </button>
                </td>
                <td class="num">{num(t.partitions.reduce((a, p) => a + p.end - p.start, 0))}</td>
                <td class="num small">{t.partitions.map((p) => `${p.partition}: ${p.start}–${p.end}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pane wide">{selected ? <TopicRecords key={selected} topic={selected} /> : <Notice>Choose a topic to see its latest records.</Notice>}</div>
    </section>
  );
}

function TopicRecords({ topic }: { topic: string }) {
  const [limit, setLimit] = useState(20);
  const [draft, setDraft] = useState('');
  const [key, setKey] = useState('');
  const [live, setLive] = useState(true);
  const [match, setMatch] = useState<'exact' | 'contains'>('exact');
  const query = `limit=${limit}${key ? `&key=${enc(key)}&match=${match}` : ''}`;
  const records = usePoll(() => api<RecordsAnswer>('GET', `/ui/api/topics/${enc(topic)}/records?${query}`), live ? 3000 : 0, query);
  return (
    <div data-testid="records">
      <h2 class="topic-title">{topic}</h2>
      <form
        class="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          setKey(draft.trim());
        }}
      >
        <select value={match} onChange={(e) => setMatch((e.target as HTMLSelectElement).value as 'exact' | 'contains')} aria-label="Key match">
          <option value="exact">key is</option>
          <option value="contains">key contains</option>
        </select>
        <input type="search" placeholder="Search by key, e.g. 42" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} aria-label="Search by key" />
        <button type="submit">Search</button>
        {key && (
          <button
            type="button"
            onClick={() => {
              setDraft('');
              setKey('');
            }}
          >
            Clear
          </button>
        )}
        <label class="small">
          latest{' '}
          <select value={limit} onChange={(e) => setLimit(Number((e.target as HTMLSelectElement).value))}>
            {[10, 20, 50, 100].map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
        <label class="small">
          <input type="checkbox" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} /> live
        </label>
      </form>
      <ErrorBanner message={records.error} />
      {records.data && (
        <p class="muted small">
          {records.data.key !== null ? `${records.data.records.length} with a key ${match === 'exact' ? 'matching' : 'containing'} “${records.data.key}” among the latest ${num(records.data.scanned)} records` : `latest ${records.data.records.length}, newest first`}
          {!records.data.complete && ' (stopped early: the read took too long)'}
        </p>
      )}
      {records.data?.records.map((r) => (
        <article class="record" key={`${r.partition}-${r.offset}`} data-offset={r.offset}>
          <div class="record-head small">
            <span>
              partition {r.partition} · offset {r.offset}
            </span>
            <span class="muted">{r.timestamp >= 0 ? new Date(r.timestamp).toLocaleString() : 'no timestamp'}</span>
          </div>
          <Field label="key" v={r.key} />
          {r.headers.length > 0 && (
            <div class="headers small">
              {r.headers.map((h) => (
                <span class="chip">
                  {h.key}: {h.value.text ?? 'null'}
                </span>
              ))}
            </div>
          )}
          <Field label="value" v={r.value} />
        </article>
      ))}
    </div>
  );
}

function Field({ label, v }: { label: string; v: Formatted }) {
  return (
    <div class="field" data-field={label}>
      <span class="field-label small muted">
        {label}
        {v.kind === 'binary' ? ' (hex)' : ''}
        {v.truncated ? ` · cut, ${num(v.bytes)} bytes` : ''}
      </span>
      {v.text === null ? <code class="muted">null</code> : <pre class={`value ${v.kind}`}>{v.text}</pre>}
      {v.schema && (
        <details class="schema">
          <summary class="small muted">schema</summary>
          <pre>{v.schema}</pre>
        </details>
      )}
    </div>
  );
}
