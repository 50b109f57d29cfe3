import { AuthLogin, SessionAdmit, SessionClose, SessionHeartbeat, SessionOpen, type Protocol, type RpcReply, type UserProfile } from '@ferry/contracts';
import { request, type Bus } from '@ferry/bus';
import { GatewayError } from '../domain/errors.js';

export type LoginOutcome =
  | { readonly kind: 'opened'; readonly username: string; readonly profile: UserProfile }
  | { readonly kind: 'banned' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'login_refused' }
  | { readonly kind: 'session_limit' };

export interface LoginRequest {
  readonly username: string;
  readonly password: string;
  readonly clientIp: string;
  readonly sessionId: string;
  readonly protocol: Protocol;
}

/** The auth and session services as the gateway sees them. Errors are GatewayError SERVICE_UNAVAILABLE. */
export interface Platform {
  login(req: LoginRequest): Promise<LoginOutcome>;
  heartbeat(sessionIds: readonly string[]): Promise<{ unknown: string[] }>;
  close(session: { sessionId: string; username: string; reason: string }): Promise<void>;
}

export function natsPlatform(bus: Bus, gateway: string): Platform {
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw new GatewayError('SERVICE_UNAVAILABLE', 'auth/session unreachable', { retryable: true, cause: error });
    }
  };
  return {
    login: async (req) => {
      const admit: RpcReply<typeof SessionAdmit> = await call(() => request(bus, SessionAdmit, { clientIp: req.clientIp, gateway, sessionId: req.sessionId, username: req.username }));
      if (!admit.admitted) return admit.reason === 'banned' ? { kind: 'banned' } : { kind: 'refused', reason: admit.reason };
      const login = await call(() => request(bus, AuthLogin, { username: req.username, password: req.password, clientIp: req.clientIp, gateway, sessionId: req.sessionId }));
      if (login.outcome === 'refused') return { kind: 'login_refused' };
      const open = await call(() =>
        request(bus, SessionOpen, { sessionId: req.sessionId, username: login.username, clientIp: req.clientIp, gateway, protocol: req.protocol, maxSessions: login.profile.maxSessions }),
      );
      if (!open.opened) return open.reason === 'session_limit' ? { kind: 'session_limit' } : { kind: 'refused', reason: open.reason };
      return { kind: 'opened', username: login.username, profile: login.profile };
    },
    heartbeat: async (sessionIds) => {
      const reply = await call(() => request(bus, SessionHeartbeat, { gateway, sessionIds: [...sessionIds] }));
      return { unknown: reply.unknown };
    },
    close: async ({ sessionId, username, reason }) => {
      await call(() => request(bus, SessionClose, { sessionId, username, gateway, reason }));
    },
  };
}
