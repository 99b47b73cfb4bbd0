/**
 * The single error mapper of the REST API (Kafka's `ConnectExceptionMapper`): every failure becomes
 * `{"error_code": N, "message": ...}` with N the HTTP status.
 *
 *   RestError / BadRequestError       its status (400, 403, 409, 500 ...)
 *   NotFoundException                 404
 *   AlreadyExistsException            409
 *   fastify's own 4xx (413, 415 ...)  that status, JAX-RS-style text `HTTP 415 Unsupported Media Type`
 *   anything else                     500 with the bare message (null when there is none)
 */
import { AlreadyExistsException, NotFoundException } from '../errors.js';

export interface ErrorMessage {
  error_code: number;
  message: string | null;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
};

/** JAX-RS default text of a status, e.g. `HTTP 404 Not Found`. */
export function httpStatusText(status: number): string {
  return `HTTP ${status} ${REASONS[status] ?? ''}`.trimEnd();
}

export function mapError(err: unknown): { status: number; body: ErrorMessage } {
  const e = err as { status?: unknown; statusCode?: unknown; code?: unknown; message?: unknown } | null;
  const message = e && typeof e.message === 'string' && e.message !== '' ? e.message : null;
  if (err instanceof NotFoundException) return { status: 404, body: { error_code: 404, message } };
  if (err instanceof AlreadyExistsException) return { status: 409, body: { error_code: 409, message } };
  if (e && typeof e.status === 'number') return { status: e.status, body: { error_code: e.status, message } };
  // fastify's own errors (body too large, unsupported media type, ...) carry statusCode and a FST_ code.
  if (e && typeof e.statusCode === 'number' && typeof e.code === 'string' && e.code.startsWith('FST_') && e.statusCode < 500) {
    return { status: e.statusCode, body: { error_code: e.statusCode, message: httpStatusText(e.statusCode) } };
  }
  return { status: 500, body: { error_code: 500, message } };
}
