/**
 * Forwarding of REST writes to the worker that must run them (Kafka's `HerderRequestHandler
 * .completeOrForwardRequest`), as a REST extension over the shared server:
 *
 * - the writes that may only run on the leader (create, config PUT/PATCH, delete, stop, offsets, KIP-745
 *   restarts, the internal `POST /connectors/{c}/tasks`) and the restarts that must run where the connector
 *   or task runs are recognised by route;
 * - the herder says where each must run (`forwardTarget`): here (the handler runs), another worker's URL,
 *   or a 409 when no leader is known (rebalance under way);
 * - the first hop carries `?forward=true`, the second `?forward=false`; a worker receiving `forward=false`
 *   that is still not the right one answers 409 (a rebalance moved things meanwhile);
 * - the `Authorization` header is copied; the target's status, body and `Location` are passed back.
 *
 * It also serves the internal `POST /connectors/{c}/tasks`: a non-leader that runs a connector hands the
 * task configs it generated to the leader, which writes them to the config topic.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'lossless-json';
import { param, type RestContext, route, sendEmpty } from '../../rest/http.js';
import { RestClient } from '../../rest/rest-client.js';
import { BadRequestError, type ConnectorTaskId, RestError } from '../types.js';

export type ForwardOp =
  | { kind: 'leader' }
  | { kind: 'connector-owner'; connector: string }
  | { kind: 'task-owner'; id: ConnectorTaskId };

export interface ForwardingHerder {
  /** null: run here; a base URL: run there. Throws the 409 of the spec when no leader is known. */
  forwardTarget(op: ForwardOp): string | null;
  /** Leader: store task configs generated on another worker. */
  putTaskConfigs(connector: string, configs: Record<string, string>[]): Promise<void>;
}

export const CONFLICT_MESSAGE = 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)';

function classify(req: FastifyRequest): ForwardOp | null {
  const url = req.routeOptions.url;
  const params = (req.params ?? {}) as Record<string, string>;
  const query = (req.query ?? {}) as Record<string, string | undefined>;
  switch (`${req.method} ${url}`) {
    case 'POST /connectors':
    case 'PUT /connectors/:connector/config':
    case 'PATCH /connectors/:connector/config':
    case 'DELETE /connectors/:connector':
    case 'PUT /connectors/:connector/stop':
    case 'PATCH /connectors/:connector/offsets':
    case 'DELETE /connectors/:connector/offsets':
    case 'POST /connectors/:connector/tasks':
      return { kind: 'leader' };
    case 'POST /connectors/:connector/restart': {
      const flag = (k: string) => (query[k] ?? '').trim().toLowerCase() === 'true';
      return flag('includeTasks') || flag('onlyFailed') ? { kind: 'leader' } : { kind: 'connector-owner', connector: params['connector']! };
    }
    case 'POST /connectors/:connector/tasks/:task/restart': {
      const task = Number(params['task']);
      return Number.isInteger(task) ? { kind: 'task-owner', id: { connector: params['connector']!, task } } : null;
    }
    default:
      return null;
  }
}

/** Sends `req` to `baseUrl` with `forward=<next>`; answers with the target's response. */
async function forward(client: RestClient, req: FastifyRequest, reply: FastifyReply, baseUrl: string, next: 'true' | 'false'): Promise<FastifyReply> {
  const target = new URL(req.url, baseUrl);
  target.searchParams.set('forward', next);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  let body: string | undefined;
  if (req.body !== undefined) {
    body = stringify(req.body) ?? 'null';
    headers['content-type'] = 'application/json';
  }
  const res = await client.request(target, { method: req.method, headers, body });
  reply.code(res.status);
  const type = res.headers['content-type'];
  if (type) reply.header('content-type', type);
  const location = res.headers['location'];
  if (location) reply.header('location', location);
  return reply.send(res.body === '' ? undefined : res.body);
}

/** `client` reaches the other workers (https with the worker's TLS settings when the cluster uses https). */
export function forwardingExtension(herder: ForwardingHerder, client: RestClient = new RestClient()): (app: FastifyInstance, ctx: RestContext) => void {
  return (app, ctx) => {
    app.addHook('preHandler', async (req, reply) => {
      const op = classify(req);
      if (!op) return;
      const target = herder.forwardTarget(op);
      if (target === null) return;
      const hop = ((req.query ?? {}) as Record<string, string | undefined>)['forward'];
      if (hop !== undefined && hop.trim().toLowerCase() === 'false') throw new RestError(409, CONFLICT_MESSAGE);
      return forward(client, req, reply, target, hop === undefined ? 'true' : 'false');
    });

    // Internal: task configs from the worker running the connector (a JSON list of string maps).
    route(app, ctx, 'POST', '/connectors/:connector/tasks', async (req, reply) => {
      const body = req.body;
      if (!Array.isArray(body) || !body.every((c) => c !== null && typeof c === 'object' && !Array.isArray(c))) {
        throw new BadRequestError('Task configs must be a list of JSON objects');
      }
      const configs = (body as Record<string, unknown>[]).map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)])));
      await herder.putTaskConfigs(param(req, 'connector'), configs);
      return sendEmpty(reply, 204);
    });
  };
}
