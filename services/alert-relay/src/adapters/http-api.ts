import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FerryError } from '@ferry/contracts';
import { bearerTokenChecker } from '@ferry/service';
import type { Logger } from '@ferry/telemetry';
import { verifyActionToken } from '../domain/action-token.js';
import { AlertmanagerPayload, incomingAlerts, payloadDedupKey } from '../domain/alertmanager.js';
import { MatcherSchema } from '../domain/config.js';
import type { RelayResult } from '../domain/relay.js';
import type { RelayEngine } from './engine.js';
import { alertsView, groupsView, notificationsView, silencesView } from './views.js';

export interface ApiDeps {
  readonly engine: RelayEngine;
  readonly adminToken: string;
  /** When set, POST /alertmanager requires `Authorization: Bearer <token>`. */
  readonly webhookToken?: string | undefined;
  readonly actionSecret: string;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/** Errors this API answers with; `status` is chosen here, at the edge, once. */
export class RelayApiError extends FerryError {
  override readonly name = 'RelayApiError';
  constructor(
    code: 'INVALID_REQUEST' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'ACTION_REFUSED' | 'STATE_UNAVAILABLE',
    message: string,
    readonly field?: string,
  ) {
    super(code, message, { retryable: code === 'STATE_UNAVAILABLE' });
  }
}

const STATUS: Record<string, number> = { INVALID_REQUEST: 400, UNAUTHORIZED: 401, ACTION_REFUSED: 403, NOT_FOUND: 404, STATE_UNAVAILABLE: 503 };

const SilenceBody = z
  .object({
    matchers: z.array(MatcherSchema).min(1),
    durationMs: z.number().int().positive().optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    createdBy: z.string().min(1).max(128),
    comment: z.string().max(1024).default(''),
  })
  .refine((b) => (b.durationMs === undefined) !== (b.endsAt === undefined), { message: 'give exactly one of durationMs or endsAt', path: ['durationMs'] });
const AckBody = z.object({ groupKey: z.string().min(1).max(512), by: z.string().min(1).max(128) });
const ActionBody = z.object({ user_id: z.string().max(128).optional(), user_name: z.string().max(128).optional(), context: z.object({ token: z.string().min(1).max(4096) }) });
const Limit = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
  throw new RelayApiError('INVALID_REQUEST', `${field}: ${issue?.message ?? 'invalid'}`, field);
}

/** The relay's HTTP API, unstarted (tests use inject). */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  const adminTokenOk = bearerTokenChecker(deps.adminToken);
  const webhookTokenOk = deps.webhookToken === undefined ? undefined : bearerTokenChecker(deps.webhookToken);
  app.setErrorHandler((error, _request, reply) => sendError(error, reply, deps.logger));
  app.post('/alertmanager', async (request) => {
    if (webhookTokenOk !== undefined) requireBearer(request, webhookTokenOk);
    const payload = parseOr400(AlertmanagerPayload, request.body);
    const result = await guard(() => deps.engine.apply({ kind: 'alertmanager', dedupKey: payloadDedupKey(payload), alerts: incomingAlerts(payload) }));
    return { status: result.ok && result.duplicate === true ? 'duplicate' : 'accepted' };
  });
  app.post('/actions/:action', async (request) => actionRoute(deps, request));
  void app.register(
    (api, _options, done) => {
      api.addHook('onRequest', (request, _reply, next) => {
        requireBearer(request, adminTokenOk);
        next();
      });
      registerAdminRoutes(api, deps);
      done();
    },
    { prefix: '/api' },
  );
  return app;
}

function registerAdminRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const now = () => deps.clock().getTime();
  api.get('/alerts', () => ({ alerts: alertsView(deps.engine.snapshot), groups: groupsView(deps.engine.snapshot) }));
  api.get('/silences', () => ({ silences: silencesView(deps.engine.snapshot, now()) }));
  api.post('/silences', async (request, reply) => {
    const body = parseOr400(SilenceBody, request.body);
    const endsAt = body.endsAt !== undefined ? Date.parse(body.endsAt) : now() + (body.durationMs ?? 0);
    if (endsAt <= now()) throw new RelayApiError('INVALID_REQUEST', 'endsAt: must be in the future', 'endsAt');
    const created = await guard(() => deps.engine.createSilence(body.matchers, endsAt, body.createdBy, body.comment));
    return reply.code(201).send({ id: created.id, endsAt: new Date(endsAt).toISOString() });
  });
  api.delete('/silences/:id', async (request) => {
    const { id } = parseOr400(z.object({ id: z.string().min(1).max(128) }), request.params);
    const by = parseOr400(z.object({ by: z.string().min(1).max(128).default('admin-api') }), request.query).by;
    expectFound(await guard(() => deps.engine.apply({ kind: 'expire_silence', id, by })), 'silence');
    return { id, expired: true };
  });
  api.get('/notifications', (request) => ({ notifications: notificationsView(deps.engine.snapshot, parseOr400(Limit, request.query).limit) }));
  api.post('/acknowledge', async (request) => {
    const body = parseOr400(AckBody, request.body);
    expectFound(await guard(() => deps.engine.apply({ kind: 'acknowledge', groupKey: body.groupKey, by: body.by })), 'group');
    return { groupKey: body.groupKey, acknowledged: true };
  });
}

/** A button press from Mattermost: a signed, expiring token names the action and the group. */
async function actionRoute(deps: ApiDeps, request: FastifyRequest): Promise<{ ephemeral_text: string }> {
  const action = parseOr400(z.object({ action: z.enum(['ack', 'silence']) }), request.params).action;
  const body = parseOr400(ActionBody, request.body);
  const check = verifyActionToken(body.context.token, deps.actionSecret, deps.clock().getTime(), action);
  if (!check.ok) {
    deps.logger.warn({ action, reason: check.reason, user: body.user_name ?? body.user_id }, 'refused a chat action with an invalid token');
    throw new RelayApiError('ACTION_REFUSED', `this button is no longer valid (${check.reason.replace('_', ' ')})`);
  }
  const by = body.user_name ?? body.user_id ?? 'mattermost';
  const groupKey = check.claims.groupKey;
  if (action === 'ack') {
    expectFound(await guard(() => deps.engine.apply({ kind: 'acknowledge', groupKey, by })), 'group');
    return { ephemeral_text: `Acknowledged by ${by}: escalation stopped.` };
  }
  const { result } = await guard(() => deps.engine.silenceGroup(groupKey, by));
  if (!result.ok && result.code === 'empty_silence') throw new RelayApiError('ACTION_REFUSED', 'this alert group has no labels to silence by; create a silence through the API');
  expectFound(result, 'group');
  return { ephemeral_text: `Silenced for 1h by ${by}.` };
}

function expectFound(result: RelayResult, what: string): void {
  if (!result.ok) throw new RelayApiError('NOT_FOUND', `no such ${what} (it may have resolved already)`);
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof FerryError) throw error;
    throw new RelayApiError('STATE_UNAVAILABLE', 'the relay cannot store its state right now; retry');
  }
}

function requireBearer(request: FastifyRequest, check: (authorization: string | undefined) => boolean): void {
  if (!check(request.headers.authorization)) throw new RelayApiError('UNAUTHORIZED', 'a valid bearer token is required');
}

function sendError(error: unknown, reply: FastifyReply, logger: Logger): FastifyReply {
  if (error instanceof RelayApiError) {
    const body = { error: { code: error.code, message: error.message, ...(error.field !== undefined ? { field: error.field } : {}) } };
    return reply.code(STATUS[error.code] ?? 400).send(error.code === 'ACTION_REFUSED' ? { ...body, ephemeral_text: error.message } : body);
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return reply.code(status).send({ error: { code: 'INVALID_REQUEST', message: 'the request body is not valid JSON or is too large', field: '(body)' } });
  }
  logger.error({ err: error }, 'alert-relay API error');
  return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
}
