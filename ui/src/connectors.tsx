/**
 * Connectors and tasks: state, worker, type and class of each; a connector's config (secrets masked),
 * traces of failed connectors/tasks, and the REST API's actions behind a confirmation.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, connectorsExpanded, enc, usePoll, type ConnectorInfo, type ConnectorStatus } from './api.js';
import { ConfirmDialog, type ConfirmRequest, ErrorBanner, Notice, StateBadge, shortClass } from './widgets.js';

/** Key names that hold secrets (besides PASSWORD-typed keys of the plugin's ConfigDef). `key.converter` is not one. */
const SECRET_KEY = /password|passwd|secret|token|credential|jaas|private|api[._-]?key|access[._-]?key|(^|[._-])key$/i;

const passwordKeys = new Map<string, Promise<Set<string>>>();

/** PASSWORD-typed keys of a connector class (`GET /connector-plugins/{class}/config`), cached. */
function pluginPasswordKeys(cls: string): Promise<Set<string>> {
  let p = passwordKeys.get(cls);
  if (!p) {
    p = api<{ name: string; type: string }[]>('GET', `/connector-plugins/${enc(cls)}/config`)
      .then((keys) => new Set(keys.filter((k) => k.type === 'PASSWORD').map((k) => k.name)))
      .catch(() => new Set<string>());
    passwordKeys.set(cls, p);
  }
  return p;
}

export function isSecret(key: string, passwords: Set<string>): boolean {
  return passwords.has(key) || SECRET_KEY.test(key);
}

interface Action {
  label: string;
  verb: string;
  method: string;
  path: (name: string) => string;
  danger?: boolean;
  when: (s: ConnectorStatus | undefined) => boolean;
}

const ACTIONS: Action[] = [
  { label: 'Pause', verb: 'pause', method: 'PUT', path: (n) => `/connectors/${enc(n)}/pause`, when: (s) => s?.connector.state !== 'PAUSED' },
  { label: 'Resume', verb: 'resume', method: 'PUT', path: (n) => `/connectors/${enc(n)}/resume`, when: (s) => s?.connector.state === 'PAUSED' || s?.connector.state === 'STOPPED' },
  { label: 'Stop', verb: 'stop', method: 'PUT', path: (n) => `/connectors/${enc(n)}/stop`, when: (s) => s?.connector.state !== 'STOPPED' },
  { label: 'Restart', verb: 'restart (with its tasks)', method: 'POST', path: (n) => `/connectors/${enc(n)}/restart?includeTasks=true&onlyFailed=false`, when: () => true },
  { label: 'Delete', verb: 'delete', method: 'DELETE', path: (n) => `/connectors/${enc(n)}`, danger: true, when: () => true },
];

export function ConnectorsView() {
  const list = usePoll(connectorsExpanded, 2000);
  const [open, setOpen] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    if (!done) return;
    const t = window.setTimeout(() => setDone(null), 6000);
    return () => window.clearTimeout(t);
  }, [done]);

  const ask = (name: string, a: Action) =>
    setConfirm({
      title: `${a.label} ${name}?`,
      body: `This will ${a.verb} the connector “${name}” (${a.method} ${decodeURIComponent(a.path(name).split("?")[0]!)}).`,
      action: a.label,
      danger: a.danger,
      run: async () => {
        setActionError(null);
        setDone(null);
        try {
          await api(a.method, a.path(name));
          setDone(`${a.label}: ${name}`);
          if (a.method === 'DELETE' && open === name) setOpen(null);
        } catch (e) {
          setActionError((e as Error).message);
        }
        list.reload();
      },
    });

  const names = Object.keys(list.data ?? {}).sort();
  return (
    <section>
      <ErrorBanner message={list.error} />
      <ErrorBanner message={actionError} onClose={() => setActionError(null)} />
      {done && <Notice>{done} — done.</Notice>}
      {list.data && names.length === 0 && <Notice>No connectors yet: POST one to /connectors.</Notice>}
      {!list.data && !list.error && <p class="muted">Loading…</p>}
      <div class="cards">
        {names.map((name) => {
          const { status, info } = list.data![name]!;
          return (
            <ConnectorCard
              key={name}
              name={name}
              status={status}
              info={info}
              open={open === name}
              onToggle={() => setOpen(open === name ? null : name)}
              actions={ACTIONS.filter((a) => a.when(status))}
              onAction={(a) => ask(name, a)}
            />
          );
        })}
      </div>
      <ConfirmDialog request={confirm} onDone={() => setConfirm(null)} />
    </section>
  );
}

function ConnectorCard(props: {
  name: string;
  status?: ConnectorStatus;
  info?: ConnectorInfo;
  open: boolean;
  onToggle: () => void;
  actions: Action[];
  onAction: (a: Action) => void;
}) {
  const { name, status, info } = props;
  const state = status?.connector.state ?? 'UNASSIGNED';
  const cls = info?.config['connector.class'];
  return (
    <article class={`card connector state-edge-${state.toLowerCase()}`} data-connector={name}>
      <header class="card-head">
        <button class="link title" onClick={props.onToggle} aria-expanded={props.open} data-testid="connector-name">
          {name}
        </button>
        <StateBadge state={state} />
      </header>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{info?.type ?? status?.type ?? '–'}</dd>
        <dt>Class</dt>
        <dd title={cls}>{shortClass(cls)}</dd>
        <dt>Worker</dt>
        <dd>{status?.connector.worker_id ?? '–'}</dd>
      </dl>
      <ul class="tasks">
        {(status?.tasks ?? []).map((t) => (
          <li key={t.id} data-task={t.id}>
            <span>task {t.id}</span> <StateBadge state={t.state} /> <span class="muted small">{t.worker_id}</span>
          </li>
        ))}
        {status && status.tasks.length === 0 && <li class="muted small">no tasks</li>}
      </ul>
      {status?.connector.trace && <Trace title="Connector failed" trace={status.connector.trace} />}
      {status?.tasks.filter((t) => t.trace).map((t) => <Trace key={t.id} title={`Task ${t.id} failed`} trace={t.trace!} />)}
      <div class="row wrap actions">
        {props.actions.map((a) => (
          <button key={a.label} class={a.danger ? 'danger' : ''} onClick={() => props.onAction(a)} data-action={a.label.toLowerCase()}>
            {a.label}
          </button>
        ))}
      </div>
      {props.open && info && <ConfigTable config={info.config} />}
    </article>
  );
}

function Trace({ title, trace }: { title: string; trace: string }) {
  return (
    <details class="trace" open>
      <summary>{title}</summary>
      <pre>{trace}</pre>
    </details>
  );
}

function ConfigTable({ config }: { config: Record<string, string> }) {
  const cls = config['connector.class'] ?? '';
  const [passwords, setPasswords] = useState<Set<string>>(new Set());
  const [asked, setAsked] = useState('');
  if (asked !== cls) {
    setAsked(cls);
    void pluginPasswordKeys(cls).then(setPasswords);
  }
  return (
    <table class="config" data-testid="config">
      <tbody>
        {Object.keys(config)
          .sort()
          .map((k) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{isSecret(k, passwords) ? <span class="muted">[hidden]</span> : config[k]}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
