import { z } from 'zod';
import { GatewayId, Identifier, IpAddress, ReasonCode } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { defineEvent, type EventOf } from './define.js';

/**
 * The name a client typed is recorded as given (bounded), even when it is not a
 * valid user name: analysts want to see what brute-force attempts tried.
 */
const AttemptedUsername = z.string().min(1).max(256);

export const LoginFailureReason = z.enum(['unknown_user', 'bad_password', 'disabled', 'deleted', 'address_not_allowed', 'account_throttled', 'invalid_request']);
export type LoginFailureReason = z.infer<typeof LoginFailureReason>;

export const LoginSucceeded = defineEvent(
  'ferry.auth.login.succeeded.v1',
  z.object({
    username: AttemptedUsername,
    clientIp: IpAddress,
    gateway: GatewayId,
    sessionId: Identifier,
    /** True when the verified-credential cache answered without a full scrypt. */
    cached: z.boolean(),
  }),
  () => eventSubjects.auth('login.succeeded'),
);

export const LoginFailed = defineEvent(
  'ferry.auth.login.failed.v1',
  z.object({
    username: AttemptedUsername,
    clientIp: IpAddress,
    gateway: GatewayId,
    sessionId: Identifier,
    /** For analysts and lockout; never sent to the FTP client. */
    reason: z.union([LoginFailureReason, ReasonCode]),
  }),
  () => eventSubjects.auth('login.failed'),
);

export const authEvents = [LoginSucceeded, LoginFailed] as const;
export type LoginSucceeded = EventOf<typeof LoginSucceeded>;
export type LoginFailed = EventOf<typeof LoginFailed>;
export type AuthEvent = LoginSucceeded | LoginFailed;
