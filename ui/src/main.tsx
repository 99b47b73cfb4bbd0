/**
 * The tsconnect web console: one page, four views (connectors, sources, topics, models) chosen by the URL
 * hash, polling the worker's REST API; light and dark themes (the system's by default).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, usePoll } from './api.js';
import { ConnectorsView } from './connectors.js';
import { ModelsView } from './models.js';
import { SourcesView } from './sources.js';
import { TopicsView } from './topics.js';
import './style.css';

type View = 'connectors' | 'sources' | 'topics' | 'models';
const VIEWS: { id: View; label: string }[] = [
  { id: 'connectors', label: 'Connectors' },
  { id: 'sources', label: 'Sources' },
  { id: 'topics', label: 'Topics' },
  { id: 'models', label: 'Models' },
];

interface Route {
  view: View;
  arg: string | null;
}

function parseHash(): Route {
  const [view, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.some((v) => v.id === view) ? (view as View) : 'connectors';
  return { view: known, arg: rest.length ? decodeURIComponent(rest.join('/')) : null };
}

type ThemeChoice = 'auto' | 'light' | 'dark';

function useTheme(): [string, ThemeChoice, (t: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(() => (localStorage.getItem('tsconnect.theme') as ThemeChoice | null) ?? 'auto');
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const [systemDark, setSystemDark] = useState(media.matches);
  useEffect(() => {
    const on = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    media.addEventListener('change', on);
    return () => media.removeEventListener('change', on);
  }, []);
  const theme = choice === 'auto' ? (systemDark ? 'dark' : 'light') : choice;
  document.documentElement.dataset['theme'] = theme;
  return [theme, choice, (t) => {
    localStorage.setItem('tsconnect.theme', t);
    setChoice(t);
  }];
}

function App() {
  const [route, setRoute] = useState(parseHash);
  const [theme, choice, setTheme] = useTheme();
  const server = usePoll(() => api<{ version: string; kafka_cluster_id: string }>('GET', '/'), 30_000);
  useEffect(() => {
    const on = () => setRoute(parseHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const go = (view: View, arg: string | null = null) => {
    location.hash = `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ''}`;
  };
  return (
    <>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">◆</span> tsconnect
          <span class="muted small">{server.data ? ` ${server.data.version} · cluster ${server.data.kafka_cluster_id}` : ''}</span>
        </div>
        <nav>
          {VIEWS.map((v) => (
            <a key={v.id} href={`#/${v.id}`} class={route.view === v.id ? 'active' : ''} aria-current={route.view === v.id ? 'page' : undefined}>
              {v.label}
            </a>
          ))}
        </nav>
        <select class="theme" value={choice} onChange={(e) => setTheme((e.target as HTMLSelectElement).value as ThemeChoice)} aria-label="Theme">
          <option value="auto">Auto theme</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </header>
      {server.error && (
        <div class="banner error" role="alert" data-testid="error">
          {server.error}
        </div>
      )}
      <main>
        {route.view === 'connectors' && <ConnectorsView />}
        {route.view === 'sources' && <SourcesView theme={theme} />}
        {route.view === 'topics' && <TopicsView selected={route.arg} onSelect={(t) => go('topics', t)} />}
        {route.view === 'models' && <ModelsView theme={theme} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
