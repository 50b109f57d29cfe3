import { z } from 'zod';
import { Actor } from './user.js';
import { GatewayId, Identifier, IpAddress, IsoTime, NonNegativeInt, ReasonCode } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { Protocol, SessionRef } from './common.js';
import { defineEvent, type EventOf } from './define.js';

export const SessionCloseReason = z.enum(['quit', 'client_disconnected', 'idle_timeout', 'kicked', 'drain', 'gateway_stopped', 'error']);
export type SessionCloseReason = z.infer<typeof SessionCloseReason>;

export const SessionRefusalReason = z.enum(['banned', 'session_limit', 'login_refused', 'service_unavailable', 'draining', 'event_buffer_full', 'tls_required']);
export type SessionRefusalReason = z.infer<typeof SessionRefusalReason>;

export const SessionOpened = defineEvent(
  'ferry.session.opened.v1',
  SessionRef.extend({ protocol: Protocol, openedAt: IsoTime }),
  () => eventSubjects.session('opened'),
);

export const SessionClosed = defineEvent(
  'ferry.session.closed.v1',
  SessionRef.extend({ reason: z.union([SessionCloseReason, ReasonCode]), durationMs: NonNegativeInt, closedAt: IsoTime }),
  () => eventSubjects.session('closed'),
);

/** Published by the session service when a session's TTL ran out (its gateway stopped heartbeating). */
export const SessionExpired = defineEvent(
  'ferry.session.expired.v1',
  SessionRef.extend({ lastSeenAt: IsoTime }),
  () => eventSubjects.session('expired'),
);

export const SessionKicked = defineEvent(
  'ferry.session.kicked.v1',
  SessionRef.extend({ by: Actor, reason: z.string().max(512).optional() }),
  () => eventSubjects.session('kicked'),
);

/** A connection or login the platform turned away before a session existed. */
export const SessionRefused = defineEvent(
  'ferry.session.refused.v1',
  z.object({
    sessionId: Identifier,
    username: z.string().max(256).optional(),
    clientIp: IpAddress,
    gateway: GatewayId,
    reason: z.union([SessionRefusalReason, ReasonCode]),
  }),
  () => eventSubjects.session('refused'),
);

export const sessionEvents = [SessionOpened, SessionClosed, SessionExpired, SessionKicked, SessionRefused] as const;
export type SessionOpened = EventOf<typeof SessionOpened>;
export type SessionClosed = EventOf<typeof SessionClosed>;
export type SessionExpired = EventOf<typeof SessionExpired>;
export type SessionKicked = EventOf<typeof SessionKicked>;
export type SessionRefused = EventOf<typeof SessionRefused>;
export type SessionEvent = SessionOpened | SessionClosed | SessionExpired | SessionKicked | SessionRefused;
