/** `/connectors/{c}/offsets` (KIP-875): GET, PATCH (alter) and DELETE (reset). */
import type { FastifyInstance } from 'fastify';
import { BadRequestError, type ConnectorOffset } from '../../herder/types.js';
import { BodyBindingError, bindObject, param, type RestContext, route, sendJson, toPlainJson, withTimeout } from '../http.js';

const OFFSETS_ENTITY = 'org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets';

/** The PATCH body as ConnectorOffsets; big integers stay exact (bigint). */
function bindOffsets(body: unknown): ConnectorOffset[] | null {
  const obj = bindObject(body, OFFSETS_ENTITY, ['offsets']);
  if (obj === null) return null;
  const offsets = obj.offsets;
  if (offsets === undefined || offsets === null) return null;
  if (!Array.isArray(offsets)) throw new BodyBindingError(`Cannot deserialize value of type \`java.util.ArrayList<org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset>\` from non-array value`);
  return offsets.map((entry) => {
    const e = bindObject(entry, 'org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset', ['partition', 'offset']);
    if (e === null) throw new Error('');
    const plain = toPlainJson(e) as { partition?: Record<string, unknown> | null; offset?: Record<string, unknown> | null };
    return { partition: plain.partition ?? (null as unknown as Record<string, unknown>), offset: plain.offset ?? null };
  });
}

export function offsetsResource(app: FastifyInstance, ctx: RestContext): void {
  const { herder } = ctx;

  route(app, ctx, 'GET', '/connectors/:connector/offsets', async (req, reply) =>
    sendJson(reply, 200, await withTimeout(ctx, herder.connectorOffsets(param(req, 'connector')))),
  );

  route(app, ctx, 'PATCH', '/connectors/:connector/offsets', async (req, reply) => {
    const offsets = bindOffsets(req.body);
    if (offsets === null || offsets.length === 0) {
      throw new BadRequestError('Partitions / offsets need to be provided for an alter offsets request');
    }
    return sendJson(reply, 200, await withTimeout(ctx, herder.alterConnectorOffsets(param(req, 'connector'), { offsets })));
  });

  route(app, ctx, 'DELETE', '/connectors/:connector/offsets', async (req, reply) =>
    sendJson(reply, 200, await withTimeout(ctx, herder.resetConnectorOffsets(param(req, 'connector')))),
  );
}
