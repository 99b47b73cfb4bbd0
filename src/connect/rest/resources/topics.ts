/** `/connectors/{c}/topics` and `/topics/reset` (KIP-558). The 403s when tracking is off come from the herder. */
import type { FastifyInstance } from 'fastify';
import { param, type RestContext, route, sendEmpty, sendJson } from '../http.js';

export function topicsResource(app: FastifyInstance, ctx: RestContext): void {
  const { herder } = ctx;

  route(app, ctx, 'GET', '/connectors/:connector/topics', async (req, reply) => {
    const name = param(req, 'connector');
    return sendJson(reply, 200, { [name]: { topics: herder.connectorActiveTopics(name) } });
  });

  route(app, ctx, 'PUT', '/connectors/:connector/topics/reset', async (req, reply) => {
    await herder.resetConnectorActiveTopics(param(req, 'connector'));
    return sendEmpty(reply, 202);
  });
}
