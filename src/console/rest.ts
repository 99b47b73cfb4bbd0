/**
 * The web console (a REST extension, mounted when the worker key `ui.enable` is true):
 * - `GET /ui` the page, `GET /ui/assets/{file}` its script and styles (built by `npm run build:ui`);
 * - read-only endpoints the page uses beside the public Connect API and `/ml`:
 *   `GET /ui/api/topics` topics with partition offsets,
 *   `GET /ui/api/topics/{topic}/records?limit=&key=&match=exact|contains&scan=` latest records pretty-printed, or those
 *   with a matching key among the latest `scan` of each partition,
 *   `GET /ui/api/history` time series for the charts (models; sources while a page watches),
 *   `GET /ui/api/connectors/{connector}/slot` a Postgres connector's replication slot (retained WAL, lag),
 *   `GET /ui/api/models/{connector}/points` k-means training points, `.../digits` latest images with predictions.
 * Errors use Kafka Connect's `{error_code, message}` shape.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundException } from '../connect/errors.js';
import { BadRequestError } from '../connect/herder/types.js';
import { type RestContext, param, queryAll, route, sendJson } from '../connect/rest/http.js';
import type { TopicBackend } from '../connect/topics/types.js';
import type { ConnectMetrics } from '../connect/metrics/connect-metrics.js';
import { ConsoleHistory } from './history.js';
import { kmeansPoints, latestDigits } from './models.js';
import { SlotProbe, isPostgresConnector } from './pg-slot.js';
import { formatRecord, keyMatcher } from './record-format.js';
import { StaticAssets, defaultAssetDir } from './static-assets.js';
import { readTail } from './topic-reader.js';

export interface ConsoleOptions {
  backend: TopicBackend;
  /** Directory of the built page (default: dist/ui of this package). */
  assetDir?: string | null;
  /** Sampling periods of the charts' history. */
  intervals?: { modelsMs: number; sourcesMs: number };
  /** The worker's metrics: the source charts add Debezium's snapshot and streaming gauges from it. */
  metrics?: ConnectMetrics;
  /** The worker's config-provider resolution, for probing a connector's slot with its real password. */
  resolveConfig?: (config: Record<string, string>) => Record<string, string>;
}

/** The page may only load its own files; inline styles are uPlot's. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>tsconnect console</title>
<p>The console has not been built: run <code>npm run build:ui</code> (npm ci does it) and restart the worker.</p>`;

function intQuery(req: Parameters<typeof param>[0], name: string, dflt: number, max: number): number {
  const raw = queryAll(req, name)?.[0];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BadRequestError(`Query parameter ${name} must be a positive integer, got: ${raw}`);
  return Math.min(n, max);
}

function sendAsset(reply: FastifyReply, type: string, body: Buffer | string, cache: string): FastifyReply {
  return reply
    .code(200)
    .header('content-type', type)
    .header('cache-control', cache)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(body);
}

export function consoleRestExtension(options: ConsoleOptions): (app: FastifyInstance, ctx: RestContext) => void {
  return (app, ctx) => {
    const { herder } = ctx;
    const { backend } = options;
    const assets = new StaticAssets(options.assetDir === undefined ? defaultAssetDir() : options.assetDir);
    const slots = new SlotProbe(options.resolveConfig);
    const history = new ConsoleHistory(herder, backend, slots, options.intervals, options.metrics);
    history.start();
    app.addHook('onClose', async () => {
      history.stop();
      await slots.close();
    });

    route(app, ctx, 'GET', '/ui', async (_req, reply) => {
      const page = await assets.get('index.html');
      return page ? sendAsset(reply, page.type, page.body, 'no-cache') : sendAsset(reply, 'text/html; charset=utf-8', NOT_BUILT, 'no-cache').code(503);
    });

    route(app, ctx, 'GET', '/ui/assets/:file', async (req, reply) => {
      const asset = await assets.get(param(req, 'file'));
      if (!asset) throw new NotFoundException('HTTP 404 Not Found');
      return sendAsset(reply, asset.type, asset.body, 'no-cache');
    });

    route(app, ctx, 'GET', '/ui/api/topics', async (_req, reply) => {
      history.touch();
      const names = (await backend.listTopics()).sort();
      const topics = await Promise.all(names.map(async (name) => ({ name, partitions: await backend.offsets(name).catch(() => []) })));
      return sendJson(reply, 200, { backend: backend.kind, topics });
    });

    route(app, ctx, 'GET', '/ui/api/topics/:topic/records', async (req, reply) => {
      const topic = param(req, 'topic');
      if (!(await backend.listTopics()).includes(topic)) throw new NotFoundException(`Topic ${topic} not found`);
      const limit = intQuery(req, 'limit', 20, 500);
      const key = queryAll(req, 'key')?.[0];
      const searching = key !== undefined && key !== '';
      const scan = intQuery(req, 'scan', 10_000, 100_000);
      const match = queryAll(req, 'match')?.[0] === 'contains' ? 'contains' : 'exact';
      const matches = searching ? keyMatcher(key, match) : null;
      const tail = await readTail(backend, topic, {
        perPartition: searching ? scan : limit,
        filter: matches ? (r) => matches(r.key) : undefined,
      });
      return sendJson(reply, 200, {
        topic,
        partitions: tail.offsets,
        key: searching ? key : null,
        match,
        scanned: tail.scanned,
        complete: tail.complete,
        records: tail.records.slice(0, limit).map(formatRecord),
      });
    });

    route(app, ctx, 'GET', '/ui/api/history', async (_req, reply) => {
      history.touch();
      return sendJson(reply, 200, { now: Date.now(), models: history.modelSeries(), sources: history.sourceSeries() });
    });

    route(app, ctx, 'GET', '/ui/api/connectors/:connector/slot', async (req, reply) => {
      const name = param(req, 'connector');
      const config = await herder.connectorConfig(name);
      if (!isPostgresConnector(config)) throw new NotFoundException(`Connector ${name} is not a PostgreSQL connector`);
      try {
        return sendJson(reply, 200, await slots.probe(config));
      } catch (e) {
        throw new BadRequestError(`Could not read the replication slot of ${name}: ${(e as Error).message}`);
      }
    });

    route(app, ctx, 'GET', '/ui/api/models/:connector/points', async (req, reply) =>
      sendJson(reply, 200, await kmeansPoints(herder, backend, param(req, 'connector'), intQuery(req, 'limit', 300, 2000))),
    );

    route(app, ctx, 'GET', '/ui/api/models/:connector/digits', async (req, reply) =>
      sendJson(reply, 200, await latestDigits(herder, backend, param(req, 'connector'), intQuery(req, 'limit', 8, 64))),
    );
  };
}
