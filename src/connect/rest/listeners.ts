/**
 * The worker's `listeners` (`http://:8083`, `http://localhost:0`, comma-separated) and the advertised URL
 * (`rest.advertised.host.name`, `rest.advertised.port`, `rest.advertised.listener`), from which the worker id
 * `<host>:<port>` is made.
 */
import { hostname } from 'node:os';
import { ConfigException } from '../errors.js';

export interface Listener {
  protocol: 'http' | 'https';
  /** '' = all interfaces. */
  host: string;
  port: number;
}

export const DEFAULT_LISTENERS = 'http://:8083';

/** Parses a `listeners` value; each entry is `protocol://host:port` (host may be empty). */
export function parseListeners(value: string | undefined | null): Listener[] {
  const entries = (value ?? DEFAULT_LISTENERS)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new ConfigException('listeners', value ?? '', 'At least one listener must be configured');
  return entries.map((entry) => {
    const m = /^(https?):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/i.exec(entry);
    if (!m) throw new ConfigException('listeners', entry, 'Listener must be of the form protocol://host:port');
    const port = Number(m[3]);
    if (port > 65535) throw new ConfigException('listeners', entry, 'Port out of range');
    return { protocol: m[1]!.toLowerCase() as 'http' | 'https', host: m[2]!.replace(/^\[|\]$/g, ''), port };
  });
}

export interface AdvertisedOptions {
  'rest.advertised.host.name'?: string | null;
  'rest.advertised.port'?: string | number | null;
  'rest.advertised.listener'?: string | null;
}

/**
 * The advertised URL of a worker whose first matching listener is bound to `boundPort`: the configured host or
 * the listener's host (the machine's name when the listener binds every interface), the configured or bound port.
 */
export function advertisedUrl(listener: Listener, boundPort: number, options: AdvertisedOptions = {}): URL {
  const protocol = (options['rest.advertised.listener'] ?? listener.protocol).toLowerCase();
  const host = options['rest.advertised.host.name'] || listener.host || hostname();
  const port = options['rest.advertised.port'] ? Number(options['rest.advertised.port']) : boundPort;
  return new URL(`${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}/`);
}

/** `<host>:<port>` of an advertised URL (status `worker_id`). */
export function workerIdOf(url: URL): string {
  return `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
}
