/**
 * The models' REST resources beside the Connect API (a REST extension):
 * `GET /ml` (every model), `GET /ml/{connector}` (model version, samples seen, metrics) and
 * `POST /ml/{connector}/predict` (features in, prediction out). Errors use Kafka Connect's shape.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../src/connect/herder/types.js';
import { NotFoundException } from '../src/connect/errors.js';
import { type RestContext, param, route, sendJson, toPlainJson } from '../src/connect/rest/http.js';
import { type MlPredictInput, mlTasks } from './common/registry.js';

function task(name: string) {
  const t = mlTasks.get(name);
  if (!t) throw new NotFoundException(`No model found for connector ${name}`);
  return t;
}

export function mlRestExtension(app: FastifyInstance, ctx: RestContext): void {
  route(app, ctx, 'GET', '/ml', async (_req, reply) => sendJson(reply, 200, [...mlTasks.values()].map((t) => t.status())));

  route(app, ctx, 'GET', '/ml/:connector', async (req, reply) => sendJson(reply, 200, task(param(req, 'connector')).status()));

  route(app, ctx, 'POST', '/ml/:connector/predict', async (req, reply) => {
    const t = task(param(req, 'connector'));
    // The REST layer parses bodies with lossless-json (numbers arrive as LosslessNumber): make them numbers.
    const body = toPlainJson(req.body) as { features?: unknown } | unknown[] | undefined;
    const features = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as { features?: unknown }).features ?? body : undefined;
    if (features === undefined || features === null || typeof features !== 'object') {
      throw new BadRequestError('Expected a JSON body with "features": an array of numbers or an object of named features');
    }
    try {
      return sendJson(reply, 200, await t.predict(features as MlPredictInput));
    } catch (e) {
      throw new BadRequestError((e as Error).message);
    }
  });
}
