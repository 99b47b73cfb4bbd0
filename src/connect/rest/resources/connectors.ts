/**
 * `/connectors`: list (with `expand`), create, read, config PUT/PATCH, delete, status, restart, pause, resume,
 * stop. Thin wrappers over the Herder; the checks done here are the ones Kafka's `ConnectorsResource` does itself
 * (name trimming, name mismatch, `initial_state`), everything else is the herder's.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundException } from '../../errors.js';
import { BadRequestError, type TargetState } from '../../herder/types.js';
import {
  BodyBindingError,
  bindObject,
  bindStringMap,
  connectorLocation,
  param,
  queryAll,
  queryBool,
  type RestContext,
  route,
  sendEmpty,
  sendJson,
  withTimeout,
} from '../http.js';

const CREATE_REQUEST = 'org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest';
const INITIAL_STATES: Record<string, TargetState> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };

/** `checkAndPutConnectorConfigName`: `config.name` must equal the connector name, and is set when absent. */
function checkAndPutName(name: string, config: Record<string, string | null>): void {
  const included = config.name;
  if (included !== undefined && included !== null) {
    if (included !== name) {
      throw new BadRequestError(`Connector name configuration (${included}) doesn't match connector name in the URL (${name})`);
    }
  } else {
    config.name = name;
  }
}

/** A missing body or `config` is a NullPointerException in Kafka: 500 with a null message. */
function nullPointer(): Error {
  return new Error('');
}

export function connectorsResource(app: FastifyInstance, ctx: RestContext): void {
  const { herder } = ctx;

  route(app, ctx, 'GET', '/connectors', async (req, reply) => {
    const expand = queryAll(req, 'expand');
    if (expand === undefined) return sendJson(reply, 200, herder.connectors());
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of herder.connectors()) {
      try {
        const expansions: Record<string, unknown> = {};
        for (const e of expand) {
          if (e === 'status') expansions.status = herder.connectorStatus(name);
          else if (e === 'info') expansions.info = await herder.connectorInfo(name);
        }
        out[name] = expansions;
      } catch (err) {
        if (!(err instanceof NotFoundException)) throw err; // removed meanwhile: left out, as in Kafka
      }
    }
    return sendJson(reply, 200, out);
  });

  route(app, ctx, 'POST', '/connectors', async (req, reply) => {
    const body = bindObject(req.body, CREATE_REQUEST, ['name', 'config', 'initial_state']);
    if (body === null) throw nullPointer();
    if (body.name !== undefined && body.name !== null && typeof body.name !== 'string') {
      throw new BodyBindingError(`Cannot deserialize value of type \`java.lang.String\` from ${Array.isArray(body.name) ? 'Array' : 'Object'} value`);
    }
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    let initialState: TargetState | undefined;
    if (body.initial_state !== undefined && body.initial_state !== null) {
      const s = typeof body.initial_state === 'string' ? INITIAL_STATES[body.initial_state.toUpperCase()] : undefined;
      if (!s) {
        throw new BodyBindingError(
          `Cannot deserialize value of type \`${CREATE_REQUEST}$InitialState\` from String "${String(body.initial_state)}": not one of the values accepted for Enum class: [RUNNING, PAUSED, STOPPED]`,
        );
      }
      initialState = s;
    }
    const config = bindStringMap(body.config);
    if (config === null) throw nullPointer();
    checkAndPutName(name, config);
    const result = await withTimeout(ctx, herder.putConnectorConfig(name, config, { allowReplace: false, initialState }));
    reply.header('location', connectorLocation(req, name));
    return sendJson(reply, 201, result.info);
  });

  route(app, ctx, 'GET', '/connectors/:connector', async (req, reply) =>
    sendJson(reply, 200, await withTimeout(ctx, herder.connectorInfo(param(req, 'connector')))),
  );

  route(app, ctx, 'GET', '/connectors/:connector/config', async (req, reply) =>
    sendJson(reply, 200, await withTimeout(ctx, herder.connectorConfig(param(req, 'connector')))),
  );

  route(app, ctx, 'PUT', '/connectors/:connector/config', async (req, reply) => {
    const name = param(req, 'connector');
    const config = bindStringMap(req.body);
    if (config === null) throw nullPointer();
    checkAndPutName(name, config);
    const result = await withTimeout(ctx, herder.putConnectorConfig(name, config, { allowReplace: true }));
    if (result.created) reply.header('location', connectorLocation(req, name));
    return sendJson(reply, result.created ? 201 : 200, result.info);
  });

  route(app, ctx, 'PATCH', '/connectors/:connector/config', async (req, reply) => {
    const patch = bindStringMap(req.body);
    if (patch === null) throw nullPointer();
    return sendJson(reply, 200, await withTimeout(ctx, herder.patchConnectorConfig(param(req, 'connector'), patch)));
  });

  route(app, ctx, 'DELETE', '/connectors/:connector', async (req, reply) => {
    await withTimeout(ctx, herder.deleteConnector(param(req, 'connector')));
    return sendEmpty(reply, 204);
  });

  route(app, ctx, 'GET', '/connectors/:connector/status', async (req, reply) =>
    sendJson(reply, 200, herder.connectorStatus(param(req, 'connector'))),
  );

  route(app, ctx, 'POST', '/connectors/:connector/restart', async (req, reply) => {
    const includeTasks = queryBool(req, 'includeTasks', false);
    const onlyFailed = queryBool(req, 'onlyFailed', false);
    const plan = await withTimeout(ctx, herder.restartConnector(param(req, 'connector'), { includeTasks, onlyFailed }));
    if (!includeTasks && !onlyFailed) return sendEmpty(reply, 204);
    return sendJson(reply, 202, plan);
  });

  route(app, ctx, 'PUT', '/connectors/:connector/pause', async (req, reply) => {
    await herder.pauseConnector(param(req, 'connector'));
    return sendEmpty(reply, 202);
  });

  route(app, ctx, 'PUT', '/connectors/:connector/resume', async (req, reply) => {
    await herder.resumeConnector(param(req, 'connector'));
    return sendEmpty(reply, 202);
  });

  route(app, ctx, 'PUT', '/connectors/:connector/stop', async (req, reply) => {
    await withTimeout(ctx, herder.stopConnector(param(req, 'connector')));
    return sendEmpty(reply, 204);
  });
}
