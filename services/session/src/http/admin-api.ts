import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { AccountThrottle, AddressBan } from '../adapters/ban-store.js';
import type { KickResult } from '../adapters/kick.js';
import { sessionView, type SessionRecord } from '../domain/sessions.js';
import { InvalidRequestError, NotFoundError, UnauthorizedError } from '../errors.js';
import { bearerTokenChecker } from '@ferry/service';
import { sendError } from './errors.js';
import { AccountParams, AddressParams, errorReplySchema, KickBody, openApi, SessionParams, SessionsQuery } from './schemas.js';

export interface AdminApiDeps {
  /** Where unexpected failures are logged (fastify's own request logging stays off). */
  readonly logger?: { error(fields: object, message: string): void };
  readonly adminToken: string;
  readonly sessionTtlMs: number;
  readonly clock: () => Date;
  readonly sessions: {
    list(filter: { username?: string; gateway?: string }, limit: number): Promise<SessionRecord[]>;
    get(sessionId: string): Promise<SessionRecord | null>;
  };
  readonly kick: (sessionId: string, reason: string | undefined) => Promise<KickResult>;
  readonly bans: {
    listAddressBans(nowMs: number): Promise<AddressBan[]>;
    listAccountThrottles(nowMs: number): Promise<AccountThrottle[]>;
    liftBan(subject: string): Promise<boolean>;
    liftThrottle(username: string): Promise<boolean>;
  };
}

/** Validates one part of a request with zod; the 400 names the first bad field ("query.limit", "body.reason"). */
function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)];
  if (issue?.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0] ?? ''].join('.');
    throw new InvalidRequestError(`${field}: is not a known field`, field);
  }
  const field = path.join('.');
  throw new InvalidRequestError(`${field}: ${issue?.message ?? 'is invalid'}`, field);
}

const secured = { security: [{ bearer: [] }] };
const errors = { 400: errorReplySchema, 401: errorReplySchema, 404: errorReplySchema, 503: errorReplySchema };

/** The session admin API, unstarted: main wires it and listens; tests use `app.inject()`. */
export async function buildApp(deps: AdminApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const adminToken = bearerTokenChecker(deps.adminToken);
  // Route schemas are documentation for /openapi.json; validation is zod's, in the handlers.
  app.setValidatorCompiler(() => () => true);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Ferry session admin API', version: '0.1.0', description: 'Live sessions, kicks, address bans and account throttles.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'FERRY_ADMIN_TOKEN' } } },
    },
  });
  app.setErrorHandler((error, request, reply) => sendError(reply, error, (err) => deps.logger?.error({ err, method: request.method, url: request.url }, 'admin request failed')));
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.url === '/openapi.json' || adminToken(request.headers.authorization)) return done();
    done(new UnauthorizedError());
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  registerSessionRoutes(app, deps);
  registerBanRoutes(app, deps);
  return app;
}

function registerSessionRoutes(app: FastifyInstance, deps: AdminApiDeps): void {
  app.get(
    '/sessions',
    { schema: { summary: 'List live sessions, by user and/or gateway', querystring: openApi(SessionsQuery), response: errors, ...secured } },
    async (request) => {
      const { username, gateway, limit } = parse(SessionsQuery, request.query, 'query');
      const filter = { ...(username === undefined ? {} : { username }), ...(gateway === undefined ? {} : { gateway }) };
      const sessions = await deps.sessions.list(filter, limit);
      return { sessions: sessions.map((session) => sessionView(session, deps.sessionTtlMs)) };
    },
  );
  app.get('/sessions/:sessionId', { schema: { summary: 'Show one live session', params: openApi(SessionParams), response: errors, ...secured } }, async (request) => {
    const { sessionId } = parse(SessionParams, request.params, 'params');
    const session = await deps.sessions.get(sessionId);
    if (!session) throw new NotFoundError('SESSION_NOT_FOUND', `no live session ${sessionId}`);
    return { session: sessionView(session, deps.sessionTtlMs) };
  });
  app.post(
    '/sessions/:sessionId/kick',
    { schema: { summary: 'Kick a session: its gateway closes it, the store forgets it', params: openApi(SessionParams), body: openApi(KickBody), response: errors, ...secured } },
    async (request) => {
      const { sessionId } = parse(SessionParams, request.params, 'params');
      const { reason } = parse(KickBody, request.body ?? {}, 'body');
      const result = await deps.kick(sessionId, reason);
      return {
        kicked: true,
        session: sessionView(result.session, deps.sessionTtlMs),
        gatewayConfirmed: result.gatewayConfirmed,
        ...(result.gatewayError === undefined ? {} : { gatewayError: result.gatewayError }),
      };
    },
  );
}

function registerBanRoutes(app: FastifyInstance, deps: AdminApiDeps): void {
  app.get('/bans', { schema: { summary: 'List banned addresses and throttled accounts', response: errors, ...secured } }, async () => {
    const nowMs = deps.clock().getTime();
    const [addresses, accounts] = await Promise.all([deps.bans.listAddressBans(nowMs), deps.bans.listAccountThrottles(nowMs)]);
    return { addresses, accounts };
  });
  app.delete(
    '/bans/addresses/:address',
    { schema: { summary: 'Lift an address ban', params: openApi(AddressParams), response: errors, ...secured } },
    async (request, reply: FastifyReply) => {
      const { address } = parse(AddressParams, request.params, 'params');
      if (!(await deps.bans.liftBan(address))) throw new NotFoundError('BAN_NOT_FOUND', `${address} is not banned`);
      return reply.code(204).send();
    },
  );
  app.delete(
    '/bans/accounts/:username',
    { schema: { summary: 'Lift an account throttle', params: openApi(AccountParams), response: errors, ...secured } },
    async (request, reply: FastifyReply) => {
      const { username } = parse(AccountParams, request.params, 'params');
      if (!(await deps.bans.liftThrottle(username))) throw new NotFoundError('THROTTLE_NOT_FOUND', `${username} is not throttled`);
      return reply.code(204).send();
    },
  );
}
