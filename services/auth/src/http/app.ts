import Fastify, { type FastifyInstance } from 'fastify';
import type { UserAdmin } from '../user-admin.js';
import { bearerTokenChecker } from '@ferry/service';
import { sendError, type ErrorLogger } from './errors.js';
import { openApiDocument } from './openapi.js';
import { userRoutes } from './user-routes.js';

export interface AdminAppDeps {
  readonly admin: UserAdmin;
  readonly adminToken: string;
  readonly logger: ErrorLogger;
  readonly version: string;
}

const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'missing or wrong admin token: send Authorization: Bearer <FERRY_ADMIN_TOKEN>' } };

/** The admin API, not yet listening: main wires it to FERRY_API_HOST/PORT, tests drive it with inject(). */
export function buildApp(deps: AdminAppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const routes = userRoutes(deps.admin);
  const document = openApiDocument(routes, deps.version);
  const tokenOk = bearerTokenChecker(deps.adminToken);

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?')[0] === '/openapi.json') return;
    if (!tokenOk(request.headers.authorization)) await reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED);
  });
  app.setErrorHandler((error, _request, reply) => sendError(reply, error, deps.logger));
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json` } }));

  app.get('/openapi.json', () => document);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const result = await route.handle(request);
        const version = versionOf(result);
        if (version !== undefined) void reply.header('etag', `"${version}"`);
        return reply.code(route.status).send(result);
      },
    });
  }
  return app;
}

/** The user's version in an answer (a write result, or `user` of a show), for the ETag header. */
function versionOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const holder = 'user' in result && typeof result.user === 'object' && result.user !== null ? result.user : result;
  return 'version' in holder && typeof holder.version === 'number' ? holder.version : undefined;
}
