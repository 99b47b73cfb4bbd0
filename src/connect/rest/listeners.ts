/**
 * The worker's `listeners` and `admin.listeners` (`http://:8083`, `https://host:8443`, comma-separated) and the
 * advertised URL (`rest.advertised.host.name`, `rest.advertised.port`, `rest.advertised.listener`), from which
 * the worker id `<host>:<port>` is made.
 */
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ConfigException } from '../errors.js';

export interface Listener {
  protocol: 'http' | 'https';
  /** '' = all interfaces. */
  host: string;
  port: number;
}

export const DEFAULT_LISTENERS = 'http://:8083';

/** Kafka's `RestServer.LISTENER_PATTERN`. */
const LISTENER = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)\/?$/;

function entries(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Parses one `protocol://host:port` (host may be empty or a bracketed IPv6 address). */
export function parseListener(entry: string, key = 'listeners'): Listener {
  const m = LISTENER.exec(entry.trim());
  if (!m) throw new ConfigException(key, entry, "Listener doesn't have the right format (protocol://hostname:port).");
  const protocol = m[1]!.toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') throw new ConfigException(key, entry, 'Listener protocol must be either "http" or "https".');
  const port = Number(m[3]);
  if (port < 0 || port > 65535) throw new ConfigException(key, entry, 'Port out of range');
  return { protocol, host: m[2]!, port };
}

/** Parses a `listeners` value; each entry is `protocol://host:port`. */
export function parseListeners(value: string | undefined | null): Listener[] {
  const list = entries(value ?? DEFAULT_LISTENERS);
  if (list.length === 0) {
    throw new ConfigException('listeners', value ?? '', 'Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443.');
  }
  return list.map((e) => parseListener(e));
}

/**
 * `admin.listeners`: null when unset (admin resources on the regular listeners), `[]` when blank (admin
 * resources disabled), else the listeners that serve them (and only they).
 */
export function parseAdminListeners(value: string | undefined | null): Listener[] | null {
  if (value === undefined || value === null) return null;
  return entries(value).map((e) => parseListener(e, 'admin.listeners'));
}

export interface AdvertisedOptions {
  'rest.advertised.host.name'?: string | null;
  'rest.advertised.port'?: string | number | null;
  'rest.advertised.listener'?: string | null;
}

/**
 * Kafka's `determineAdvertisedProtocol`: `rest.advertised.listener` when set, else http when any listener is
 * http, else https.
 */
export function advertisedProtocol(listeners: readonly Listener[], options: AdvertisedOptions = {}): 'http' | 'https' {
  const configured = options['rest.advertised.listener']?.trim().toLowerCase();
  if (configured === 'http' || configured === 'https') return configured;
  if (configured) throw new ConfigException('rest.advertised.listener', options['rest.advertised.listener'], 'Must be http or https');
  return listeners.some((l) => l.protocol === 'http') || listeners.length === 0 ? 'http' : 'https';
}

/** The listener whose address is advertised: the first of the advertised protocol. */
export function advertisedListener(listeners: readonly Listener[], options: AdvertisedOptions = {}): Listener {
  const protocol = advertisedProtocol(listeners, options);
  return listeners.find((l) => l.protocol === protocol) ?? listeners[0]!;
}

/**
 * The advertised host: `rest.advertised.host.name`, else the listener's host, else (a listener on every
 * interface) this machine's address, as Jetty's URI of such a connector is in Kafka.
 */
export function advertisedHost(listener: Listener, options: AdvertisedOptions = {}): string {
  return options['rest.advertised.host.name'] || listener.host || defaultHost();
}

/**
 * The advertised URL of a worker whose advertised listener is bound to `boundPort`: the advertised host (see
 * `advertisedHost`), the configured or bound port.
 */
export function advertisedUrl(listener: Listener, boundPort: number, options: AdvertisedOptions = {}): URL {
  const protocol = options['rest.advertised.listener']?.trim().toLowerCase() || listener.protocol;
  const host = advertisedHost(listener, options);
  const port = options['rest.advertised.port'] ? Number(options['rest.advertised.port']) : boundPort;
  return new URL(`${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}/`);
}

/** `<host>:<port>` of an advertised URL (status `worker_id`). */
export function workerIdOf(url: URL): string {
  return `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
}

/** The listeners with port 0 replaced by a free port, chosen now so that the worker id is known before binding. */
export async function withConcretePorts(listeners: readonly Listener[]): Promise<Listener[]> {
  return Promise.all(listeners.map(async (l) => (l.port === 0 ? { ...l, port: await freePort(l.host || '0.0.0.0') } : l)));
}

export function formatListeners(listeners: readonly Listener[]): string {
  return listeners.map((l) => `${l.protocol}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`).join(',');
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The host a worker listening on every interface advertises: its first external IPv4 address. */
export function defaultHost(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return 'localhost';
}
