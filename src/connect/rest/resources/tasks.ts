/** `/connectors/{c}/tasks`, `/tasks-config` (deprecated), task status and task restart. */
import type { FastifyInstance } from 'fastify';
import { param, type RestContext, route, sendEmpty, sendJson, taskParam, withTimeout } from '../http.js';

export function tasksResource(app: FastifyInstance, ctx: RestContext): void {
  const { herder } = ctx;

  route(app, ctx, 'GET', '/connectors/:connector/tasks', async (req, reply) =>
    sendJson(reply, 200, await withTimeout(ctx, herder.taskConfigs(param(req, 'connector')))),
  );

  route(app, ctx, 'GET', '/connectors/:connector/tasks-config', async (req, reply) => {
    const tasks = await withTimeout(ctx, herder.taskConfigs(param(req, 'connector')));
    const out: Record<string, Record<string, string>> = {};
    for (const t of tasks) out[`${t.id.connector}-${t.id.task}`] = t.config;
    return sendJson(reply, 200, out);
  });

  route(app, ctx, 'GET', '/connectors/:connector/tasks/:task/status', async (req, reply) => {
    const task = taskParam(req);
    return sendJson(reply, 200, herder.taskStatus({ connector: param(req, 'connector'), task }));
  });

  route(app, ctx, 'POST', '/connectors/:connector/tasks/:task/restart', async (req, reply) => {
    const task = taskParam(req);
    await withTimeout(ctx, herder.restartTask({ connector: param(req, 'connector'), task }));
    return sendEmpty(reply, 204);
  });
}
