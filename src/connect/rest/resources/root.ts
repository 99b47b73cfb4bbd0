/** `GET /` (ServerInfo) and `GET /health` (WorkerStatus, whose body is not the error shape). */
import type { FastifyInstance } from 'fastify';
import { type RestContext, route, sendJson, withTimeout } from '../http.js';

export function rootResource(app: FastifyInstance, ctx: RestContext): void {
  route(app, ctx, 'GET', '/', async (_req, reply) => sendJson(reply, 200, await withTimeout(ctx, ctx.herder.serverInfo())));

  route(app, ctx, 'GET', '/health', async (_req, reply) => {
    const { httpStatus, body } = await ctx.herder.health();
    return sendJson(reply, httpStatus, body);
  });
}
