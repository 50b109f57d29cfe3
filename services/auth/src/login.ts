import { isIP } from 'node:net';
import { cidrBlockList } from '@ferry/config';
import { FerryError, LoginFailed, LoginSucceeded, Username, type AuthLogin, type FerryEvent, type RpcReply } from '@ferry/contracts';
import type { ServiceRuntime } from '@ferry/service';
import type { z } from 'zod';
import { judgeLogin } from './domain/login.js';
import { initialState, type UserState } from './domain/user.js';
import type { CredentialCache } from './adapters/credential-cache.js';
import type { PasswordHasher } from './adapters/passwords.js';
import type { UserProjection } from './adapters/projection.js';
import { AuthNotReadyError } from './user-admin.js';

/** Login events could not be queued for NATS: refuse rather than lose them (lockout depends on them). */
export class LoginEventsBackloggedError extends FerryError {
  override readonly name = 'LoginEventsBackloggedError';
  constructor() {
    super('AUTH_UNAVAILABLE', 'auth cannot record logins right now; retry later', { retryable: true });
  }
}

export interface LoginDeps {
  readonly runtime: Pick<ServiceRuntime, 'newEvent' | 'logger'>;
  readonly projection: UserProjection;
  readonly hasher: PasswordHasher;
  readonly cache: CredentialCache;
  /** Queues an event for publishing; false when the buffer is full. */
  readonly publish: (event: FerryEvent) => boolean;
  readonly onOutcome?: (outcome: 'accepted' | 'refused', detail: { reason?: string; cached: boolean }) => void;
}

type LoginRequest = z.infer<(typeof AuthLogin)['request']>;

/**
 * `ferry.rpc.auth.login`. The password is verified in every case (a dummy hash
 * stands in for an unknown or deleted user), so the time of a refusal does not
 * say which check failed; nor does the reply. The reason goes to the event only.
 */
export function loginHandler(deps: LoginDeps): (request: LoginRequest) => Promise<RpcReply<typeof AuthLogin>> {
  const verifying = new Map<string, Promise<boolean>>();
  return async (request) => {
    if (!deps.projection.caughtUp) throw new AuthNotReadyError();
    const state = Username.safeParse(request.username).success ? deps.projection.stateOf(request.username) : initialState();
    const { matches, cached } = await checkPassword(deps, verifying, state, request);
    const verdict = judgeLogin({ state, passwordMatches: matches, addressAllowed: addressAllowed(state, request.clientIp) });
    const ref = { username: request.username, clientIp: request.clientIp, gateway: request.gateway, sessionId: request.sessionId };
    const event =
      verdict.outcome === 'accepted' ? deps.runtime.newEvent(LoginSucceeded, { ...ref, cached }) : deps.runtime.newEvent(LoginFailed, { ...ref, reason: verdict.reason });
    if (!deps.publish(event)) throw new LoginEventsBackloggedError();
    const reason = verdict.outcome === 'refused' ? verdict.reason : undefined;
    deps.runtime.logger.debug({ username: request.username, clientIp: request.clientIp, gateway: request.gateway, sessionId: request.sessionId, outcome: verdict.outcome, reason, cached }, 'login');
    deps.onOutcome?.(verdict.outcome, { cached, ...(reason === undefined ? {} : { reason }) });
    return verdict.outcome === 'accepted' ? { outcome: 'accepted', username: verdict.username, profile: verdict.profile } : { outcome: 'refused' };
  };
}

/**
 * Logins of one user with one password that arrive while its hash is being verified share
 * that verification (single flight): a script opening 8 sessions at once pays one scrypt, not 8.
 * Keyed by the cache's HMAC, so no password is held as a key; a different password shares nothing.
 */
async function checkPassword(deps: LoginDeps, verifying: Map<string, Promise<boolean>>, state: UserState, request: LoginRequest): Promise<{ matches: boolean; cached: boolean }> {
  if (state.kind !== 'present') {
    await deps.hasher.verify(request.password, deps.hasher.dummyHash);
    return { matches: false, cached: false };
  }
  const { username, passwordHash } = state.user;
  if (deps.cache.has(username, request.password)) return { matches: true, cached: true };
  const key = `${passwordHash}\0${deps.cache.digest(username, request.password)}`;
  let verification = verifying.get(key);
  if (verification === undefined) {
    verification = deps.hasher.verify(request.password, passwordHash).finally(() => verifying.delete(key));
    verifying.set(key, verification);
  }
  const matches = await verification;
  if (matches) deps.cache.remember(username, request.password);
  return { matches, cached: false };
}

function addressAllowed(state: UserState, clientIp: string): boolean {
  if (state.kind !== 'present' || state.user.profile.allowedCidrs.length === 0) return true;
  const family = isIP(clientIp) === 6 ? 'ipv6' : 'ipv4';
  return cidrBlockList(state.user.profile.allowedCidrs).check(clientIp, family);
}
