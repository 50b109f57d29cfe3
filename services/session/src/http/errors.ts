import { FerryError } from '@ferry/contracts';
import type { FastifyReply } from 'fastify';
import { InvalidRequestError, NotFoundError, SessionStoreUnavailableError, UnauthorizedError } from '../errors.js';

/** The one place errors become HTTP answers; internal error text never reaches the client. */
export function sendError(reply: FastifyReply, error: unknown, logUnexpected: (error: unknown) => void): FastifyReply {
  if (error instanceof UnauthorizedError) {
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: error.code, message: error.message } });
  }
  if (error instanceof InvalidRequestError) return reply.code(400).send({ error: { code: error.code, message: error.message, field: error.field } });
  if (error instanceof NotFoundError) return reply.code(404).send({ error: { code: error.code, message: error.message } });
  if (error instanceof SessionStoreUnavailableError) return reply.code(503).header('retry-after', '5').send({ error: { code: error.code, message: error.message } });
  if (error instanceof FerryError && error.retryable) return reply.code(503).send({ error: { code: error.code, message: 'a dependency is unavailable; retry later' } });
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // fastify's own refusals: unparsable JSON, unsupported content type, body too large.
    return reply.code(status === 415 || status === 413 ? status : 400).send({ error: { code: 'INVALID_REQUEST', message: 'body: the request body could not be read', field: 'body' } });
  }
  logUnexpected(error);
  return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
}
