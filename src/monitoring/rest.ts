/**
 * `GET /metrics`: the worker's metrics in the Prometheus text format (a REST extension). Besides what the
 * runtime and the plugins publish (src/connect/metrics), it adds the model sinks' status and the Postgres
 * connectors' replication slots, both read when scraped. Naming: src/connect/metrics/naming.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectMetrics } from '../connect/metrics/connect-metrics.js';
import type { ConnectorTaskId } from '../connect/herder/types.js';
import { type RestContext, route } from '../connect/rest/http.js';
import { installMlSinkMetrics } from './ml-sink-metrics.js';
import { installSlotMetrics } from './postgres-slot-metrics.js';
import { SlotProbe } from '../console/pg-slot.js';

export interface MetricsSource {
  readonly metrics: ConnectMetrics;
  taskIds(connector?: string): ConnectorTaskId[];
  /** Config-provider resolution of a connector config (the slot probe connects with the real password). */
  resolveConfig(config: Record<string, string>): Record<string, string>;
}

export function metricsRestExtension(worker: MetricsSource): (app: FastifyInstance, ctx: RestContext) => void {
  return (app, ctx) => {
    const runsHere = (connector: string) => worker.taskIds(connector).length > 0;
    const removeMl = installMlSinkMetrics(worker.metrics, runsHere);
    const removeSlots = installSlotMetrics(worker.metrics, ctx.herder, runsHere, new SlotProbe((c) => worker.resolveConfig(c)));
    app.addHook('onClose', async () => {
      removeMl();
      await removeSlots();
    });
    route(app, ctx, 'GET', '/metrics', async (_req, reply) => {
      const text = await worker.metrics.scrape();
      return reply.code(200).header('content-type', worker.metrics.contentType).send(text);
    });
  };
}
