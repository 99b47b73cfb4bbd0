/**
 * Calls to the worker: the public Kafka Connect REST API, `/ml`, and the console's read-only `/ui/api`.
 * A failed call throws an ApiError whose message says what was asked and what the worker answered.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { MlStatus as MlStatusBase } from '../../ml-sinks/common/registry.js';
import type { History } from '../../src/console/api-types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const enc = encodeURIComponent;

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, `${method} ${path}: the worker did not answer (${(e as Error).message})`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string' && parsed.message !== '') message = parsed.message;
    } catch {
      // not JSON: the raw text
    }
    throw new ApiError(res.status, `${method} ${decodeURIComponent(path)} failed with ${res.status}: ${message || res.statusText}`);
  }
  return (text === '' ? null : JSON.parse(text)) as T;
}

export interface Polled<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/** Calls `load` now and every `everyMs` while mounted (and when `key` changes); keeps the last good data. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, key: string = ''): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const run = async () => {
      try {
        const d = await loadRef.current();
        if (!alive) return;
        setData(d);
        setError(null);
      } catch (e) {
        if (alive) setError((e as Error).message);
      }
      if (alive && everyMs > 0) timer = window.setTimeout(run, everyMs);
    };
    void run();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [key, tick, everyMs]);

  useEffect(() => {
    if (key !== '') setData(null);
  }, [key]);
  return { data, error, reload };
}

// --- Kafka Connect REST entities (the parts the page shows) ---

export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export interface ConnectorStatus {
  name: string;
  connector: { state: State; worker_id: string; trace?: string };
  tasks: { id: number; state: State; worker_id: string; trace?: string }[];
  type: 'source' | 'sink' | 'unknown';
}

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: { connector: string; task: number }[];
  type: 'source' | 'sink' | 'unknown';
}

export type ExpandedConnectors = Record<string, { status?: ConnectorStatus; info?: ConnectorInfo }>;

/** `GET /ml/{connector}`: the sink's status, with the fields the pages read of each kind. */
export interface MlStatus extends MlStatusBase {
  features?: string[];
  centroids?: number[][] | null;
  k?: number;
  algorithm?: string;
  mode?: string;
  backend?: string;
}

export type { DigitsAnswer, History, ModelPoint, SourcePoint } from '../../src/console/api-types.js';

export const connectorsExpanded = () => api<ExpandedConnectors>('GET', '/connectors?expand=status&expand=info');
export const history = () => api<History>('GET', '/ui/api/history');
