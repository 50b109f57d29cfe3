import { z } from 'zod';
import { Actor, UserProfile } from './events/user.js';
import { Protocol } from './events/common.js';
import { SessionCloseReason } from './events/session.js';
import { GatewayId, Identifier, IpAddress, NonNegativeInt, ReasonCode, Username } from './primitives.js';
import { commandSubjects, rpcSubjects } from './subjects.js';

/**
 * Request/reply contracts: a subject, a request schema, a reply schema and a
 * timeout. libs/bus validates both sides against them.
 */
export interface RpcDefinition<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly subject: string;
  readonly request: Req;
  readonly reply: Res;
  readonly timeoutMs: number;
}
export type RpcRequest<D extends RpcDefinition> = z.input<D['request']>;
export type RpcReply<D extends RpcDefinition> = z.infer<D['reply']>;

export function defineRpc<Req extends z.ZodType, Res extends z.ZodType>(definition: RpcDefinition<Req, Res>): RpcDefinition<Req, Res> {
  return definition;
}

/** What travels on the wire: the typed result, or a typed error from the responder. */
export const RpcErrorBody = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(2048),
  retryable: z.boolean(),
  field: z.string().max(256).optional(),
});
export type RpcErrorBody = z.infer<typeof RpcErrorBody>;

export function rpcWireReply<Res extends z.ZodType>(result: Res) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), result }), z.object({ ok: z.literal(false), error: RpcErrorBody })]);
}

export const AuthLogin = defineRpc({
  name: 'auth.login',
  subject: rpcSubjects.authLogin,
  request: z.object({
    /** As typed by the client: validated by auth, so that a malformed name is refused like any other. */
    username: z.string().min(1).max(256),
    password: z.string().max(1024),
    clientIp: IpAddress,
    gateway: GatewayId,
    sessionId: Identifier,
  }),
  reply: z.discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('accepted'), username: Username, profile: UserProfile }),
    /** Deliberately says nothing about which check failed. */
    z.object({ outcome: z.literal('refused') }),
  ]),
  timeoutMs: 5_000,
});

export const SessionAdmit = defineRpc({
  name: 'session.admit',
  subject: rpcSubjects.sessionAdmit,
  request: z.object({
    clientIp: IpAddress,
    gateway: GatewayId,
    sessionId: Identifier,
    /** Optional second check once the client sent USER (before PASS): refused while that account is throttled for this address. */
    username: z.string().min(1).max(256).optional(),
  }),
  reply: z.discriminatedUnion('admitted', [
    z.object({ admitted: z.literal(true) }),
    z.object({ admitted: z.literal(false), reason: z.union([z.literal('banned'), ReasonCode]), retryAfterS: NonNegativeInt.optional() }),
  ]),
  timeoutMs: 2_000,
});

export const SessionOpen = defineRpc({
  name: 'session.open',
  subject: rpcSubjects.sessionOpen,
  request: z.object({
    sessionId: Identifier,
    username: Username,
    clientIp: IpAddress,
    gateway: GatewayId,
    protocol: Protocol,
    maxSessions: z.number().int().min(1).max(10_000),
  }),
  reply: z.discriminatedUnion('opened', [
    z.object({ opened: z.literal(true) }),
    z.object({
      opened: z.literal(false),
      reason: z.union([z.literal('session_limit'), ReasonCode]),
      limit: NonNegativeInt.optional(),
      /** When the refusal is temporary (banned address, throttled account): seconds until it lifts. */
      retryAfterS: NonNegativeInt.optional(),
    }),
  ]),
  timeoutMs: 2_000,
});

/** One call per gateway per interval carries all its live sessions (10,000 idle sessions cost one call). */
export const SessionHeartbeat = defineRpc({
  name: 'session.heartbeat',
  subject: rpcSubjects.sessionHeartbeat,
  request: z.object({ gateway: GatewayId, sessionIds: z.array(Identifier).max(200_000) }),
  reply: z.object({
    refreshed: NonNegativeInt,
    /** Sessions the store no longer knows (expired or kicked): the gateway should close them. */
    unknown: z.array(Identifier),
  }),
  timeoutMs: 5_000,
});

export const SessionClose = defineRpc({
  name: 'session.close',
  subject: rpcSubjects.sessionClose,
  request: z.object({ sessionId: Identifier, username: Username, gateway: GatewayId, reason: z.union([SessionCloseReason, ReasonCode]) }),
  reply: z.object({ closed: z.boolean() }),
  timeoutMs: 2_000,
});

export const rpcDefinitions = [AuthLogin, SessionAdmit, SessionOpen, SessionHeartbeat, SessionClose] as const;

const KickRequest = z.object({ sessionId: Identifier, by: Actor, reason: z.string().max(512).optional() });
const KickReply = z.object({ kicked: z.boolean() });
const DrainRequest = z.object({ by: Actor, graceMs: NonNegativeInt.optional() });
const DrainReply = z.object({ draining: z.literal(true) });

/** Commands addressed to one gateway: `ferry.cmd.gateway.<id>.kick|drain`. */
export function gatewayCommands(gatewayId: string) {
  GatewayId.parse(gatewayId);
  return {
    kick: defineRpc({ name: 'gateway.kick', subject: commandSubjects.gatewayKick(gatewayId), request: KickRequest, reply: KickReply, timeoutMs: 3_000 }),
    drain: defineRpc({ name: 'gateway.drain', subject: commandSubjects.gatewayDrain(gatewayId), request: DrainRequest, reply: DrainReply, timeoutMs: 3_000 }),
  } as const;
}
