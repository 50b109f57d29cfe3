import type { LoginFailureReason, UserProfile } from '@ferry/contracts';
import type { UserState } from './user.js';

/**
 * Whether a login is accepted, given what the adapters measured. Every check is
 * always evaluated by the caller (the password is verified even for an unknown,
 * deleted or disabled user), so the time taken does not depend on which check
 * fails. The reason is for analysts and lockout only: the client is never told.
 */
export interface LoginFacts {
  readonly state: UserState;
  readonly passwordMatches: boolean;
  readonly addressAllowed: boolean;
}

export type LoginVerdict =
  | { readonly outcome: 'accepted'; readonly username: string; readonly profile: UserProfile }
  | { readonly outcome: 'refused'; readonly reason: LoginFailureReason };

export function judgeLogin({ state, passwordMatches, addressAllowed }: LoginFacts): LoginVerdict {
  switch (state.kind) {
    case 'absent':
      return { outcome: 'refused', reason: 'unknown_user' };
    case 'deleted':
      return { outcome: 'refused', reason: 'deleted' };
    case 'present': {
      if (!passwordMatches) return { outcome: 'refused', reason: 'bad_password' };
      if (state.user.status === 'disabled') return { outcome: 'refused', reason: 'disabled' };
      if (!addressAllowed) return { outcome: 'refused', reason: 'address_not_allowed' };
      return { outcome: 'accepted', username: state.user.username, profile: state.user.profile };
    }
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}
