/**
 * The worker's REST server (fastify): Kafka Connect's REST API over a Herder, one module per resource group
 * (./resources), one error mapper (./errors.ts), JSON bodies only (415 otherwise), a body size limit (413),
 * `HTTP 404 Not Found` for unknown paths and `HTTP 405 Method Not Allowed` for a known path with another method.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { parse as parseJson } from 'lossless-json';
import type { Herder } from '../herder/types.js';
import { defaultLogging, type Logging } from '../logging.js';
import type { PluginRegistry } from '../runtime/plugins.js';
import { mapError, httpStatusText } from './errors.js';
import { BodyBindingError, type RestContext, sendJson } from './http.js';
import { advertisedUrl, parseListeners, workerIdOf, type AdvertisedOptions, type Listener } from './listeners.js';
import { connectorsResource } from './resources/connectors.js';
import { loggersResource } from './resources/loggers.js';
import { offsetsResource } from './resources/offsets.js';
import { pluginsResource } from './resources/plugins.js';
import { rootResource } from './resources/root.js';
import { tasksResource } from './resources/tasks.js';
import { topicsResource } from './resources/topics.js';

export interface RestServerOptions extends AdvertisedOptions {
  herder: Herder;
  /** Not needed by the routes (the Herder answers plugin questions); accepted for callers that have one. */
  registry?: PluginRegistry;
  logging?: Logging;
  /** Worker `listeners` value, e.g. `http://:8083` or `http://localhost:0` (tests). Only the first is bound. */
  listeners?: string;
  /** `admin.listeners`: `''` disables `/admin/loggers`; anything else serves it on the regular listener. */
  'admin.listeners'?: string | null;
  /** Largest accepted request body in bytes (413 above it). Default 10 MiB. */
  bodyLimit?: number;
  /** Server-side timeout of herder-backed requests. Default 90 000 ms, as in Kafka. */
  requestTimeoutMs?: number;
  setClusterLoggerLevel?: RestContext['setClusterLoggerLevel'];
  /** More resources beside the Connect API (like Kafka Connect's REST extensions). */
  extensions?: ((app: FastifyInstance, ctx: RestContext) => void)[];
}

export interface BoundAddress {
  host: string;
  port: number;
  /** Base URL to reach this server, e.g. `http://127.0.0.1:40123`. */
  url: string;
}

export interface RestServer {
  readonly app: FastifyInstance;
  start(): Promise<BoundAddress>;
  stop(): Promise<void>;
  /** Where the server listens (after start). */
  address(): BoundAddress;
  /** `rest.advertised.*` applied to the bound address (after start). */
  advertisedUrl(): URL;
  /** `<advertised host>:<port>`, the status `worker_id` (after start). */
  workerId(): string;
}

export function createRestServer(options: RestServerOptions): RestServer {
  const listener: Listener = parseListeners(options.listeners)[0]!;
  if (listener.protocol === 'https') throw new Error('https listeners are not supported yet');
  const logging = options.logging ?? defaultLogging();
  const log = logging.getLogger('org.apache.kafka.connect.runtime.rest.RestServer');

  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    logger: false,
    // Connector names may contain '%2F'-encoded slashes; keep them inside the parameter.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
  });

  const ctx: RestContext = {
    herder: options.herder,
    logging,
    requestTimeoutMs: options.requestTimeoutMs ?? 90_000,
    setClusterLoggerLevel: options.setClusterLoggerLevel,
    routes: [],
  };

  // JSON only: other media types get fastify's 415, mapped to the error shape below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch (e) {
      // Kafka Connect answers a body Jackson cannot parse with 500 and the parser's message.
      done(new BodyBindingError((e as Error).message), undefined);
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = mapError(err);
    if (status >= 500) log.warn({ err }, 'Uncaught exception in REST call');
    return sendJson(reply, status, body);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const known = ctx.routes.some((r) => r.pattern.test(path));
    const status = known ? 405 : 404;
    return sendJson(reply, status, { error_code: status, message: httpStatusText(status) });
  });

  rootResource(app, ctx);
  connectorsResource(app, ctx);
  tasksResource(app, ctx);
  offsetsResource(app, ctx);
  topicsResource(app, ctx);
  pluginsResource(app, ctx);
  if (options['admin.listeners'] !== '') loggersResource(app, ctx);
  for (const extension of options.extensions ?? []) extension(app, ctx);

  let bound: BoundAddress | null = null;
  return {
    app,
    async start() {
      if (listener.host !== '') await app.listen({ host: listener.host, port: listener.port });
      else {
        // All interfaces: dual-stack when the machine has IPv6, else IPv4 only.
        try {
          await app.listen({ host: '::', port: listener.port });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' && (e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw e;
          await app.listen({ host: '0.0.0.0', port: listener.port });
        }
      }
      const addr = app.server.address();
      if (addr === null || typeof addr === 'string') throw new Error('REST server has no TCP address');
      const host = listener.host === '' ? 'localhost' : listener.host;
      bound = { host, port: addr.port, url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}` };
      log.info(`REST server listening at ${bound.url}, advertising URL ${this.advertisedUrl().href}`);
      return bound;
    },
    async stop() {
      await app.close();
    },
    address() {
      if (!bound) throw new Error('REST server not started');
      return bound;
    },
    advertisedUrl() {
      return advertisedUrl(listener, this.address().port, options);
    },
    workerId() {
      return workerIdOf(this.advertisedUrl());
    },
  };
}
