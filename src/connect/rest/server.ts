/**
 * The worker's REST server (fastify): Kafka Connect's REST API over a Herder, one module per resource group
 * (./resources), one error mapper (./errors.ts), JSON bodies only (415 otherwise), a body size limit (413),
 * `HTTP 404 Not Found` for unknown paths and `HTTP 405 Method Not Allowed` for a known path with another method.
 *
 * Listeners (Kafka's `RestServer`): every `listeners` entry is bound, http or https (TLS from the worker's
 * SSL keys, see security/ssl-config.ts), all serving one fastify app. `/admin/loggers` is served on the
 * regular listeners when `admin.listeners` is unset, nowhere when it is blank, and otherwise only on the
 * admin listeners (a second app, without the REST extensions, as in Kafka). REST extensions that
 * authenticate (basic auth) run before every route of the regular app.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { parse as parseJson } from 'lossless-json';
import type { Herder } from '../herder/types.js';
import { defaultLogging, type Logging } from '../logging.js';
import type { PluginRegistry } from '../runtime/plugins.js';
import { mapError, httpStatusText } from './errors.js';
import { BodyBindingError, type RestContext, sendJson } from './http.js';
import {
  advertisedListener,
  advertisedUrl,
  parseAdminListeners,
  parseListeners,
  workerIdOf,
  type AdvertisedOptions,
  type Listener,
} from './listeners.js';
import { connectorsResource } from './resources/connectors.js';
import { loggersResource } from './resources/loggers.js';
import { offsetsResource } from './resources/offsets.js';
import { pluginsResource } from './resources/plugins.js';
import { rootResource } from './resources/root.js';
import { tasksResource } from './resources/tasks.js';
import { topicsResource } from './resources/topics.js';
import type { Authenticator } from './security/basic-auth.js';
import { serverTlsOptions, type SslPrefix } from './security/ssl-config.js';

export interface RestServerOptions extends AdvertisedOptions {
  herder: Herder;
  /** Not needed by the routes (the Herder answers plugin questions); accepted for callers that have one. */
  registry?: PluginRegistry;
  logging?: Logging;
  /** Worker `listeners` value, e.g. `http://:8083`, `http://localhost:0,https://localhost:0`. All are bound. */
  listeners?: string;
  /** `admin.listeners`: unset = `/admin` on the regular listeners; `''` = disabled; a list = only there. */
  'admin.listeners'?: string | null;
  /** Worker properties with the SSL keys of https listeners (`listeners.https.*`, `admin.listeners.https.*`, `ssl.*`). */
  sslProps?: Readonly<Record<string, string>>;
  /** Request checks of REST extensions (basic auth); they guard every route of the regular listeners. */
  authenticators?: Authenticator[];
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
  /** Base URL to reach this server, e.g. `http://127.0.0.1:40123` or `https://localhost:8443`. */
  url: string;
}

export interface RestServer {
  /** The app of the regular listeners. */
  readonly app: FastifyInstance;
  /** The app of the admin listeners, when `admin.listeners` lists some. */
  readonly adminApp: FastifyInstance | null;
  /** Binds every listener; resolves with the first regular listener's address. */
  start(): Promise<BoundAddress>;
  stop(): Promise<void>;
  /** Where the first regular listener listens (after start). */
  address(): BoundAddress;
  /** Every regular listener's address, in `listeners` order (after start). */
  addresses(): BoundAddress[];
  /** Every admin listener's address (after start; empty unless `admin.listeners` lists some). */
  adminAddresses(): BoundAddress[];
  /** `rest.advertised.*` applied to the advertised listener's bound address (after start). */
  advertisedUrl(): URL;
  /** `<advertised host>:<port>`, the status `worker_id` (after start). */
  workerId(): string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A fastify app whose request handler the caller attaches to its own http/https servers. */
function newApp(ctx: RestContext, bodyLimit: number, onServerError: (err: unknown) => void): { app: FastifyInstance; handler: () => Handler } {
  let handler: Handler | null = null;
  const app = Fastify({
    bodyLimit,
    logger: false,
    // Connector names may contain '%2F'-encoded slashes; keep them inside the parameter.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    serverFactory: (h) => {
      handler = h;
      return createHttpServer(); // never listens: the listeners below get the handler
    },
  });

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
    if (status >= 500) onServerError(err);
    return sendJson(reply, status, body);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const known = ctx.routes.some((r) => r.pattern.test(path));
    const status = known ? 405 : 404;
    return sendJson(reply, status, { error_code: status, message: httpStatusText(status) });
  });
  return {
    app,
    handler: () => {
      if (!handler) throw new Error('fastify did not create its server');
      return handler;
    },
  };
}

export function createRestServer(options: RestServerOptions): RestServer {
  const listeners = parseListeners(options.listeners);
  const adminListeners = parseAdminListeners(options['admin.listeners']);
  const logging = options.logging ?? defaultLogging();
  const log = logging.getLogger('org.apache.kafka.connect.runtime.rest.RestServer');
  const bodyLimit = options.bodyLimit ?? 10 * 1024 * 1024;
  const onServerError = (err: unknown) => log.warn({ err }, 'Uncaught exception in REST call');
  const context = (): RestContext => ({
    herder: options.herder,
    logging,
    requestTimeoutMs: options.requestTimeoutMs ?? 90_000,
    setClusterLoggerLevel: options.setClusterLoggerLevel,
    routes: [],
  });

  // TLS options are built before anything binds, so a bad key store stops the worker at once.
  const tlsFor = (prefix: SslPrefix) => serverTlsOptions(options.sslProps ?? {}, prefix);
  const regularTls = listeners.some((l) => l.protocol === 'https') ? tlsFor('listeners.https.') : null;
  const adminTls = adminListeners?.some((l) => l.protocol === 'https') ? tlsFor('admin.listeners.https.') : null;

  const ctx = context();
  const main = newApp(ctx, bodyLimit, onServerError);
  const app = main.app;
  const authenticators = options.authenticators ?? [];
  if (authenticators.length > 0) {
    // Before any route (and before the forwarding extension's preHandler): unauthenticated requests end here.
    app.addHook('onRequest', async (req) => {
      const path = req.url.split('?')[0]!;
      for (const check of authenticators) check(req.method, path, req.headers.authorization);
    });
  }
  rootResource(app, ctx);
  connectorsResource(app, ctx);
  tasksResource(app, ctx);
  offsetsResource(app, ctx);
  topicsResource(app, ctx);
  pluginsResource(app, ctx);
  if (adminListeners === null) loggersResource(app, ctx);
  for (const extension of options.extensions ?? []) extension(app, ctx);

  let admin: ReturnType<typeof newApp> | null = null;
  if (adminListeners !== null && adminListeners.length > 0) {
    const adminCtx = context();
    admin = newApp(adminCtx, bodyLimit, onServerError);
    loggersResource(admin.app, adminCtx);
  }

  const servers: Server[] = [];
  let bound: BoundAddress[] = [];
  let adminBound: BoundAddress[] = [];

  async function bindAll(list: Listener[], handler: Handler, tls: ReturnType<typeof tlsFor> | null): Promise<BoundAddress[]> {
    const out: BoundAddress[] = [];
    for (const listener of list) {
      const server = listener.protocol === 'https' ? createHttpsServer(tls!, handler) : createHttpServer(handler);
      servers.push(server);
      const port = await listen(server, listener);
      const host = listener.host === '' ? 'localhost' : listener.host;
      out.push({ host, port, url: `${listener.protocol}://${host.includes(':') ? `[${host}]` : host}:${port}` });
    }
    return out;
  }

  const self: RestServer = {
    app,
    adminApp: admin?.app ?? null,
    async start() {
      await app.ready();
      if (admin) await admin.app.ready();
      try {
        bound = await bindAll(listeners, main.handler(), regularTls);
        if (admin) adminBound = await bindAll(adminListeners!, admin.handler(), adminTls);
      } catch (e) {
        await closeServers(servers);
        throw e;
      }
      log.info(`REST server listening at ${bound.map((b) => b.url).join(', ')}, advertising URL ${self.advertisedUrl().href}`);
      if (adminListeners === null) log.info(`REST admin endpoints at ${self.advertisedUrl().href}`);
      else if (adminBound.length > 0) log.info(`REST admin endpoints at ${adminBound.map((b) => b.url).join(', ')}`);
      return bound[0]!;
    },
    async stop() {
      await closeServers(servers);
      servers.length = 0;
      await app.close();
      if (admin) await admin.app.close();
    },
    address() {
      if (bound.length === 0) throw new Error('REST server not started');
      return bound[0]!;
    },
    addresses() {
      return [...bound];
    },
    adminAddresses() {
      return [...adminBound];
    },
    advertisedUrl() {
      if (bound.length === 0) throw new Error('REST server not started');
      const listener = advertisedListener(listeners, options);
      return advertisedUrl(listener, bound[listeners.indexOf(listener)]!.port, options);
    },
    workerId() {
      return workerIdOf(self.advertisedUrl());
    },
  };
  return self;
}

/** Binds a server; an empty host means every interface (dual-stack when the machine has IPv6). */
async function listen(server: Server, listener: Listener): Promise<number> {
  const attempt = (host: string) =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen({ host, port: listener.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
  if (listener.host !== '') await attempt(listener.host);
  else {
    try {
      await attempt('::');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw e;
      await attempt('0.0.0.0');
    }
  }
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('REST server has no TCP address');
  return addr.port;
}

async function closeServers(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!s.listening) return resolve();
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
}
