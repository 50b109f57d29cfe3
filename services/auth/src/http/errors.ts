import { FerryError } from '@ferry/contracts';
import type { FastifyError, FastifyReply } from 'fastify';

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_REQUEST: 400,
  PASSWORD_POLICY: 400,
  UNAUTHORIZED: 401,
  USER_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  USER_ALREADY_EXISTS: 409,
  USER_CHANGED_CONCURRENTLY: 409,
  AUTH_NOT_READY: 503,
  AUTH_STORE_UNAVAILABLE: 503,
  BUS_UNAVAILABLE: 503,
  BUS_PUBLISH_FAILED: 503,
};

export interface ErrorLogger {
  error(details: object, message: string): void;
}

/**
 * The one place where errors become HTTP answers: a FerryError keeps its code
 * and message (they are written for operators), fastify's own 4xx (bad JSON, a
 * body too large) become INVALID_REQUEST, and anything else is logged and
 * answered 500 without its text.
 */
export function sendError(reply: FastifyReply, error: unknown, logger: ErrorLogger): FastifyReply {
  if (error instanceof FerryError) {
    const status = STATUS_BY_CODE[error.code] ?? (error.retryable ? 503 : 500);
    if (status >= 500 && !(error.code in STATUS_BY_CODE)) logger.error({ err: error }, 'admin request failed');
    const field = 'field' in error && typeof error.field === 'string' ? { field: error.field } : {};
    return reply.code(status).send({ error: { code: error.code, message: error.message, ...field } });
  }
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const message = fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'send the body as application/json' : 'the body is not valid JSON (or is too large)';
    return reply.code(fastifyError.statusCode === 415 ? 415 : 400).send({ error: { code: 'INVALID_REQUEST', message, field: '(body)' } });
  }
  logger.error({ err: error }, 'admin request failed');
  return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
}
