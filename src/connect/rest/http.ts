/**
 * What every REST resource module shares: the route table (so that an unknown method on a known path is a 405,
 * as in JAX-RS), JSON in and out (big integers kept exact), the translation of request bodies the way Jackson
 * binds them in Kafka Connect, and the request timeout.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLosslessNumber, stringify } from 'lossless-json';
import type { Logging } from '../logging.js';
import type { Herder } from '../herder/types.js';
import { RestError } from '../herder/types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestContext {
  herder: Herder;
  logging: Logging;
  /** Server-side timeout of herder-backed requests (Kafka: 90 s). */
  requestTimeoutMs: number;
  /** Applies a cluster-scoped logger level (`PUT /admin/loggers/{l}?scope=cluster`); default: locally. */
  setClusterLoggerLevel?: (namespace: string, level: string) => Promise<void> | void;
  /** Routes registered so far, to answer 405 for a known path with another method. */
  routes: { method: HttpMethod; pattern: RegExp }[];
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Registers a route and remembers its path pattern for the 405 check. */
export function route(app: FastifyInstance, ctx: RestContext, method: HttpMethod, url: string, handler: Handler): void {
  app.route({ method, url, handler });
  const pattern = new RegExp('^' + url.replace(/:[^/]+/g, '[^/]+') + '/?$');
  ctx.routes.push({ method, pattern });
}

/** A request failing the way a Jackson binding failure does in Kafka Connect: 500 with the message. */
export class BodyBindingError extends Error {}

/** Path parameter, decoded (fastify decodes `%2F`, spaces and UTF-8). */
export function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name]!;
}

/** JAX-RS `Integer` path parameter: anything but a 32-bit integer is `HTTP 404 Not Found`. */
export function taskParam(request: FastifyRequest): number {
  const raw = param(request, 'task');
  const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw new RestError(404, 'HTTP 404 Not Found');
  return n;
}

/** Query parameter values (repeated keys give several). */
export function queryAll(request: FastifyRequest, name: string): string[] | undefined {
  const v = (request.query as Record<string, string | string[] | undefined>)[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

/** Java's `Boolean.parseBoolean` of a query parameter, with a default when absent. */
export function queryBool(request: FastifyRequest, name: string, dflt: boolean): boolean {
  const v = queryAll(request, name)?.[0];
  return v === undefined ? dflt : v.trim().toLowerCase() === 'true';
}

/** Sends JSON (bigints as exact digits). */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').send(stringify(body) ?? 'null');
}

/** An empty answer (204, or 202 for `Response.accepted()`). */
export function sendEmpty(reply: FastifyReply, status: 202 | 204): FastifyReply {
  return reply.code(status).send();
}

/** Runs a herder call under the REST timeout (500 `Request timed out`). */
export async function withTimeout<T>(ctx: RestContext, work: Promise<T> | T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RestError(500, 'Request timed out')), ctx.requestTimeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function tokenOf(value: unknown): string {
  if (Array.isArray(value)) return 'Array value (token `JsonToken.START_ARRAY`)';
  if (value !== null && typeof value === 'object' && !isLosslessNumber(value)) return 'Object value (token `JsonToken.START_OBJECT`)';
  if (typeof value === 'string') return `String value ('${value}')`;
  if (typeof value === 'boolean') return `Boolean value (${value})`;
  return `Integer value (${String(value)})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isLosslessNumber(value);
}

/**
 * A body bound to `Map<String,String>` as Jackson does: scalars become their JSON text (`1.0` stays "1.0"),
 * `null` stays null, nested objects/arrays and non-object bodies fail (500). An absent body gives null.
 */
export function bindStringMap(body: unknown, javaType = 'java.util.Map<java.lang.String,java.lang.String>'): Record<string, string | null> | null {
  if (body === undefined || body === null) return null;
  if (!isPlainObject(body)) throw new BodyBindingError(`Cannot deserialize value of type \`${javaType}\` from ${tokenOf(body)}`);
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null) out[k] = null;
    else if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'boolean' || isLosslessNumber(v)) out[k] = String(v);
    else throw new BodyBindingError(`Cannot deserialize value of type \`java.lang.String\` from ${tokenOf(v)}`);
  }
  return out;
}

/** A body bound to a Java entity class with known properties (unknown ones fail like Jackson's). */
export function bindObject(body: unknown, javaClass: string, known: string[]): Record<string, unknown> | null {
  if (body === undefined || body === null) return null;
  if (!isPlainObject(body)) throw new BodyBindingError(`Cannot construct instance of \`${javaClass}\`: no delegate- or property-based Creator to deserialize from ${tokenOf(body)}`);
  for (const k of Object.keys(body)) {
    if (!known.includes(k)) {
      throw new BodyBindingError(
        `Unrecognized field "${k}" (class ${javaClass}), not marked as ignorable (${known.length} known properties: ${known.map((p) => `"${p}"`).join(', ')})`,
      );
    }
  }
  return body;
}

/** Converts lossless numbers to JS numbers, or bigints when an integer is outside the safe range. */
export function toPlainJson(value: unknown): unknown {
  if (isLosslessNumber(value)) {
    const text = value.toString();
    if (/^-?\d+$/.test(text)) {
      const big = BigInt(text);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(text) : big;
    }
    return Number(text);
  }
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlainJson(v);
    return out;
  }
  return value;
}

/** `Location` of a created connector: absolute, path-encoded like JAX-RS `UriBuilder.path` (slashes kept). */
export function connectorLocation(request: FastifyRequest, name: string): string {
  const encoded = encodeURIComponent(name).replace(/%2F/gi, '/');
  return `${request.protocol}://${request.host}/connectors/${encoded}`;
}
