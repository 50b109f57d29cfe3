import swagger from '@fastify/swagger';
import type Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { FerryError } from '@ferry/contracts';
import type { Lag } from '../../domain/lag.js';
import { bearerTokenChecker } from '@ferry/service';
import { statusOf, UnauthorizedError } from './errors.js';
import { registerRoutes } from './routes.js';

export interface AppDeps {
  /** The connection of the current store (swapped by a rebuild). */
  readonly db: () => Database.Database;
  /** A new read-only connection to the current store, for long exports; the caller closes it. */
  readonly openReader: () => Database.Database;
  readonly queryToken: string;
  readonly lag?: () => Lag | undefined;
  readonly logger?: { error(obj: object, msg: string): void };
}

const PUBLIC_ROUTES = new Set(['/openapi.json']);

/**
 * The analysts' query API, unstarted (tests drive it with `inject`). Every route but
 * /openapi.json requires `Authorization: Bearer <FERRY_QUERY_TOKEN>`; query strings are
 * validated with zod in the handlers (fastify's own validation is off, the schemas only
 * feed the OpenAPI document); errors are mapped to HTTP once, here.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 256 } });
  app.setValidatorCompiler(() => (value: unknown) => ({ value }));
  // Response schemas document the API; they must not filter what is sent.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      info: { title: 'Ferry storage-indexer query API', version: '1.0.0', description: 'Transfers, files, sessions and logins projected from FERRY_ACTIVITY.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  const authorized = bearerTokenChecker(deps.queryToken);
  app.addHook('onRequest', (request, _reply, done) => {
    const allowed = PUBLIC_ROUTES.has(request.routeOptions.url ?? '') || authorized(request.headers.authorization);
    done(allowed ? undefined : new UnauthorizedError());
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof FerryError && statusOf[error.code] !== undefined) {
      if (error.code === 'QUERY_UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer realm="ferry-query"');
      const field = (error as { field?: string }).field;
      return reply.status(statusOf[error.code] ?? 500).send({ error: { code: error.code, message: error.message, ...(field === undefined ? {} : { field }) } });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: 'QUERY_BAD_REQUEST', message: 'the request could not be read' } });
    }
    deps.logger?.error({ err: error }, 'query failed');
    return reply.status(500).send({ error: { code: 'QUERY_INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'QUERY_NOT_FOUND', message: 'no such route' } }));
  registerRoutes(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
