/**
 * The login-throttling policy (docs/adr/0003-login-throttling.md), as pure
 * functions: times are inputs, nothing here reads a clock or talks to Redis.
 */

export interface BanPolicy {
  /** More than this many failures from one address within `windowMs` bans it. */
  readonly threshold: number;
  readonly windowMs: number;
  readonly durationMs: number;
}

export interface AccountPolicy {
  /** More than this many failures for one username (from addresses it has not logged in from) within `windowMs` throttles it. */
  readonly threshold: number;
  readonly windowMs: number;
  /** First throttle; each further strike doubles it, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long a successful login makes its (username, address) pair "known": exempt from the account throttle. */
  readonly knownAddressTtlMs: number;
  /** A quiet period after which the strike count starts again from one. */
  readonly strikeMemoryMs: number;
}

/** The throttle for the Nth strike on an account: base · 2^(strike-1), capped. */
export function throttleDelayMs(strike: number, policy: Pick<AccountPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  if (strike < 1) return 0;
  const exponent = Math.min(strike - 1, 30);
  return Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
}

/** A failure older than the window can no longer contribute to a ban: skip it (a late redelivery or a replay). */
export function isStale(eventTimeMs: number, nowMs: number, windowMs: number): boolean {
  return eventTimeMs <= nowMs - windowMs;
}

/** How long a refused caller should wait, in whole seconds (never 0 while a block is still on). */
export function retryAfterSeconds(remainingMs: number): number {
  return Math.max(1, Math.ceil(remainingMs / 1000));
}

/** What the store found about an address (and optionally an account) at admission time. */
export interface BlockState {
  /** Milliseconds left on the address ban, or null when the address is not banned. */
  readonly addressBanMs: number | null;
  /** Milliseconds left on the account throttle for this address, or null (not throttled, or a known address). */
  readonly accountThrottleMs: number | null;
}

export type AdmissionDecision =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly reason: 'banned' | 'throttled'; readonly retryAfterS: number };

/** A banned address wins over a throttled account: it is the broader block and says less about the account. */
export function decideAdmission(state: BlockState): AdmissionDecision {
  if (state.addressBanMs !== null) return { admitted: false, reason: 'banned', retryAfterS: retryAfterSeconds(state.addressBanMs) };
  if (state.accountThrottleMs !== null) return { admitted: false, reason: 'throttled', retryAfterS: retryAfterSeconds(state.accountThrottleMs) };
  return { admitted: true };
}

/** The throttle delays by strike, from the first until the cap (the last one repeats). */
export function throttleSchedule(policy: Pick<AccountPolicy, 'baseDelayMs' | 'maxDelayMs'>): number[] {
  const delays: number[] = [];
  for (let strike = 1; strike <= 31; strike++) {
    const delay = throttleDelayMs(strike, policy);
    delays.push(delay);
    if (delay >= policy.maxDelayMs) break;
  }
  return delays;
}
