/** `/admin/loggers` (log levels per namespace, KIP-495 / KIP-976). */
import type { FastifyInstance } from 'fastify';
import { NotFoundException } from '../../errors.js';
import { BadRequestError } from '../../herder/types.js';
import { parseLog4jLevel } from '../../logging.js';
import { bindStringMap, param, queryAll, type RestContext, route, sendEmpty, sendJson } from '../http.js';

export function loggersResource(app: FastifyInstance, ctx: RestContext): void {
  const { logging } = ctx;

  route(app, ctx, 'GET', '/admin/loggers', async (_req, reply) => sendJson(reply, 200, logging.allLevels()));

  route(app, ctx, 'GET', '/admin/loggers/:logger', async (req, reply) => {
    const name = param(req, 'logger');
    const level = logging.level(name);
    if (level === null) throw new NotFoundException(`Logger ${name} not found.`);
    return sendJson(reply, 200, level);
  });

  route(app, ctx, 'PUT', '/admin/loggers/:logger', async (req, reply) => {
    const namespace = param(req, 'logger');
    const body = bindStringMap(req.body);
    if (body === null) throw new Error('');
    const levelString = body.level;
    if (levelString === undefined || levelString === null) {
      throw new BadRequestError("Desired 'level' parameter was not specified in request.");
    }
    const level = parseLog4jLevel(levelString);
    if (level === null) throw new NotFoundException(`invalid log level '${levelString}'.`);
    const scope = (queryAll(req, 'scope')?.[0] ?? 'worker').toLowerCase();
    if (scope === 'cluster') {
      if (ctx.setClusterLoggerLevel) await ctx.setClusterLoggerLevel(namespace, level);
      else logging.setLevel(namespace, level);
      return sendEmpty(reply, 204);
    }
    return sendJson(reply, 200, logging.setLevel(namespace, level));
  });
}
