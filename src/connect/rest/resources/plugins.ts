/** `/connector-plugins`: listing, a plugin's config keys, and config validation (ConfigInfos). */
import type { FastifyInstance } from 'fastify';
import { ConfigResolutionError } from '../../config-providers/worker-providers.js';
import { BadRequestError, RestError } from '../../herder/types.js';
import { bindStringMap, param, queryBool, type RestContext, route, sendJson, withTimeout } from '../http.js';

/** `normalizedPluginName`: a trailing `Connector` is dropped (when something is left). */
function normalize(name: string): string {
  return name.endsWith('Connector') && name.length > 'Connector'.length ? name.slice(0, -'Connector'.length) : name;
}

export function pluginsResource(app: FastifyInstance, ctx: RestContext): void {
  const { herder } = ctx;

  route(app, ctx, 'GET', '/connector-plugins', async (req, reply) =>
    sendJson(reply, 200, herder.plugins(queryBool(req, 'connectorsOnly', true))),
  );

  route(app, ctx, 'GET', '/connector-plugins/:plugin/config', async (req, reply) =>
    sendJson(reply, 200, herder.pluginConfig(param(req, 'plugin'))),
  );

  route(app, ctx, 'PUT', '/connector-plugins/:plugin/config/validate', async (req, reply) => {
    const plugin = param(req, 'plugin');
    const config = bindStringMap(req.body);
    if (config === null) throw new Error('');
    const included = config['connector.class'];
    if (included !== undefined && included !== null && !normalize(included).endsWith(normalize(plugin))) {
      throw new BadRequestError(`Included connector type ${included} does not match request type ${plugin}`);
    }
    try {
      return sendJson(reply, 200, await withTimeout(ctx, herder.validateConnectorConfig(config)));
    } catch (err) {
      if (err instanceof RestError && err.message.startsWith('Request timed out')) throw err;
      // A config provider variable that resolves to nothing: 400 naming the key (this project's contract).
      if (err instanceof ConfigResolutionError) throw err;
      // Kafka does not unwrap the ExecutionException here: 500 with "<exception class>: <message>".
      const e = err as Error & { javaClass?: string };
      throw new RestError(500, `${e.javaClass ?? 'java.lang.RuntimeException'}: ${e.message}`);
    }
  });
}
