/**
 * What a worker's composition root needs to know about its REST server before the herder exists: the
 * listeners with concrete ports (port 0 = a free port, chosen now), the advertised URL and worker id, the
 * TLS and REST-extension settings, and the client for requests to other workers.
 */
import type { Logger } from 'pino';
import { RestClient } from './rest-client.js';
import {
  advertisedHost,
  advertisedListener,
  advertisedUrl,
  formatListeners,
  parseAdminListeners,
  parseListeners,
  withConcretePorts,
  workerIdOf,
} from './listeners.js';
import { restExtensionAuthenticators } from './security/rest-extensions.js';
import { clientTlsOptions, serverTlsOptions } from './security/ssl-config.js';
import type { RestServerOptions } from './server.js';

export interface WorkerRestPlan {
  /** `<advertised host>:<advertised port>`. */
  workerId: string;
  /** The advertised URL, e.g. `https://10.0.0.5:8443/`. */
  url: string;
  /** Spread into `createRestServer` beside the herder, logging and extensions. */
  serverOptions: Pick<
    RestServerOptions,
    'listeners' | 'admin.listeners' | 'rest.advertised.host.name' | 'rest.advertised.port' | 'rest.advertised.listener' | 'sslProps' | 'authenticators'
  >;
  /** For forwarded requests and task configs sent to the leader (https with the `listeners.https.` TLS keys). */
  client: RestClient;
}

export async function planWorkerRest(props: Readonly<Record<string, string>>, logger?: Logger): Promise<WorkerRestPlan> {
  const listeners = await withConcretePorts(parseListeners(props['listeners']));
  const admin = parseAdminListeners(props['admin.listeners']);
  const adminListeners = admin === null ? null : await withConcretePorts(admin);
  const options = {
    'rest.advertised.host.name': props['rest.advertised.host.name'] || null,
    'rest.advertised.port': props['rest.advertised.port'] || null,
    'rest.advertised.listener': props['rest.advertised.listener'] || null,
  };
  const listener = advertisedListener(listeners, options);
  // The URL the server advertises once bound (its ports are concrete already). The host is pinned for the
  // server so that both read this machine's address once.
  const host = advertisedHost(listener, options);
  const url = advertisedUrl(listener, listener.port, { ...options, 'rest.advertised.host.name': host });
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const https = listeners.some((l) => l.protocol === 'https') || protocol === 'https';
  // Key stores are checked now, before the worker opens its stores: a bad one stops the start at once.
  if (listeners.some((l) => l.protocol === 'https')) serverTlsOptions(props, 'listeners.https.');
  if (adminListeners?.some((l) => l.protocol === 'https')) serverTlsOptions(props, 'admin.listeners.https.');
  return {
    workerId: workerIdOf(url),
    url: url.href,
    serverOptions: {
      listeners: formatListeners(listeners),
      'admin.listeners': adminListeners === null ? null : formatListeners(adminListeners),
      'rest.advertised.host.name': host,
      'rest.advertised.port': Number(url.port || (protocol === 'https' ? 443 : 80)),
      'rest.advertised.listener': protocol,
      sslProps: props,
      authenticators: restExtensionAuthenticators(props, process.env, logger),
    },
    client: new RestClient(https ? clientTlsOptions(props) : {}),
  };
}
