import { describe, expect, it } from 'vitest';
import { decideAdmission, isStale, retryAfterSeconds, throttleDelayMs, throttleSchedule } from '../src/domain/policy.js';
import { openOutcome, sessionFromFields, sessionView } from '../src/domain/sessions.js';

const policy = { baseDelayMs: 30_000, maxDelayMs: 15 * 60_000 };

describe('account throttle delays', () => {
  it('doubles with each strike and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((strike) => throttleDelayMs(strike, policy))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
  });

  it('is zero before the first strike', () => {
    expect(throttleDelayMs(0, policy)).toBe(0);
  });

  it('gives the store a schedule that ends with the cap', () => {
    expect(throttleSchedule(policy)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000]);
    expect(throttleSchedule({ baseDelayMs: 5_000, maxDelayMs: 5_000 })).toEqual([5_000]);
  });
});

describe('admission', () => {
  it('admits when neither the address nor the account is blocked', () => {
    expect(decideAdmission({ addressBanMs: null, accountThrottleMs: null })).toEqual({ admitted: true });
  });

  it('refuses a banned address with the seconds left, rounded up', () => {
    expect(decideAdmission({ addressBanMs: 1_001, accountThrottleMs: null })).toEqual({ admitted: false, reason: 'banned', retryAfterS: 2 });
  });

  it('refuses a throttled account', () => {
    expect(decideAdmission({ addressBanMs: null, accountThrottleMs: 30_000 })).toEqual({ admitted: false, reason: 'throttled', retryAfterS: 30 });
  });

  it('says banned rather than throttled when both apply', () => {
    expect(decideAdmission({ addressBanMs: 5_000, accountThrottleMs: 60_000 })).toMatchObject({ reason: 'banned', retryAfterS: 5 });
  });

  it('never tells a refused caller to retry after 0 seconds', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(0)).toBe(1);
  });
});

describe('stale failures', () => {
  it('ignores a failure older than the window and counts one inside it', () => {
    expect(isStale(1_000, 61_000, 60_000)).toBe(true);
    expect(isStale(1_001, 61_000, 60_000)).toBe(false);
  });
});

describe('session records', () => {
  const flat = ['username', 'alice', 'clientIp', '198.51.100.1', 'gateway', 'gw-1', 'protocol', 'ftps', 'openedAt', '1000', 'lastSeenAt', '2000'];

  it('reads a stored session from its flat field list', () => {
    expect(sessionFromFields('s-1', flat)).toEqual({ sessionId: 's-1', username: 'alice', clientIp: '198.51.100.1', gateway: 'gw-1', protocol: 'ftps', openedAt: 1000, lastSeenAt: 2000 });
  });

  it('refuses a record with a missing or bad field instead of inventing one', () => {
    expect(sessionFromFields('s-1', flat.slice(2))).toBeNull();
    expect(sessionFromFields('s-1', flat.map((value) => (value === 'ftps' ? 'sftp' : value)))).toBeNull();
    expect(sessionFromFields('s-1', flat.map((value) => (value === '2000' ? 'soon' : value)))).toBeNull();
  });

  it('shows when a session expires unless refreshed', () => {
    const record = sessionFromFields('s-1', flat);
    expect(record && sessionView(record, 30_000)).toMatchObject({ openedAt: '1970-01-01T00:00:01.000Z', lastSeenAt: '1970-01-01T00:00:02.000Z', expiresAt: '1970-01-01T00:00:32.000Z' });
  });

  it('maps the open script answers to outcomes', () => {
    expect(openOutcome(1, 3)).toEqual({ opened: true });
    expect(openOutcome(0, 3)).toEqual({ opened: false, reason: 'session_limit', limit: 3 });
    expect(openOutcome(-1, 3)).toEqual({ opened: false, reason: 'session_conflict' });
  });
});
