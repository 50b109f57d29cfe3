import type { AuthEvent } from '@ferry/contracts';

/** One row per login attempt, successful or not. */
export interface LoginDoc {
  readonly eventId: string;
  readonly at: string;
  readonly username: string;
  readonly clientIp: string;
  readonly gateway: string;
  readonly sessionId: string;
  readonly outcome: 'succeeded' | 'failed';
  /** Why a login failed; null for a success. */
  readonly reason: string | null;
  /** A success answered from the verified-credential cache; null for a failure. */
  readonly cached: boolean | null;
}

export function loginOf(event: AuthEvent): LoginDoc {
  const base = { eventId: event.id, at: event.time, username: event.data.username, clientIp: event.data.clientIp, gateway: event.data.gateway, sessionId: event.data.sessionId };
  switch (event.type) {
    case 'ferry.auth.login.succeeded.v1':
      return { ...base, outcome: 'succeeded', reason: null, cached: event.data.cached };
    case 'ferry.auth.login.failed.v1':
      return { ...base, outcome: 'failed', reason: event.data.reason, cached: null };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
