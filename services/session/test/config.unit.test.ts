import { cidrBlockList, ConfigError, loadConfig } from '@ferry/config';
import { isAllowListed } from '../src/adapters/allow-list.js';
import { describe, expect, it } from 'vitest';
import { SessionEnv } from '../src/config.js';
import { policiesOf } from '../src/service.js';
import { parseHostPort } from '../src/adapters/redis-connection.js';

const TOKEN = 'a'.repeat(32);
const base = { FERRY_API_PORT: '9203', FERRY_ADMIN_TOKEN: TOKEN };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(SessionEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.variable).sort();
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has working defaults for everything but the API port and the admin token', () => {
    const config = loadConfig(SessionEnv, base);
    expect(config).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_SENTINELS: [],
      FERRY_API_HOST: '127.0.0.1',
      SESSION_TTL: 30_000,
      SESSION_BAN_THRESHOLD: 10,
      SESSION_BAN_WINDOW: 600_000,
      SESSION_BAN_DURATION: 900_000,
      SESSION_BAN_ALLOWLIST: [],
    });
    expect(problems({})).toEqual(['FERRY_ADMIN_TOKEN', 'FERRY_API_PORT']);
  });

  it('names every bad variable at once', () => {
    const bad = { ...base, FERRY_ADMIN_TOKEN: 'short', REDIS_URL: 'http://redis', SESSION_TTL: 'soon', SESSION_BAN_ALLOWLIST: '10.0.0.0/33', SESSION_BAN_THRESHOLD: '0' };
    expect(problems(bad)).toEqual(['FERRY_ADMIN_TOKEN', 'REDIS_URL', 'SESSION_BAN_ALLOWLIST', 'SESSION_BAN_THRESHOLD', 'SESSION_TTL']);
  });

  it('reads Sentinel settings and requires the master name with them', () => {
    expect(problems({ ...base, REDIS_SENTINELS: '10.0.0.1:26379,sentinel-2:26379' })).toEqual(['REDIS_SENTINEL_NAME']);
    expect(problems({ ...base, REDIS_SENTINELS: '10.0.0.1', REDIS_SENTINEL_NAME: 'ferry' })).toEqual(['REDIS_SENTINELS']);
    const config = loadConfig(SessionEnv, { ...base, REDIS_SENTINELS: '10.0.0.1:26379, [::1]:26380', REDIS_SENTINEL_NAME: 'ferry', REDIS_PASSWORD: 'pw' });
    expect(config.REDIS_SENTINELS.map(parseHostPort)).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
  });

  it('refuses a throttle cap shorter than the first throttle', () => {
    expect(problems({ ...base, SESSION_ACCOUNT_THROTTLE: '1m', SESSION_ACCOUNT_THROTTLE_MAX: '30s' })).toEqual(['SESSION_ACCOUNT_THROTTLE_MAX']);
  });

  it('turns the settings into the ban and throttle policies', () => {
    const { bans, accounts } = policiesOf(loadConfig(SessionEnv, { ...base, SESSION_ACCOUNT_THROTTLE_MAX: '1h' }));
    expect(bans).toEqual({ threshold: 10, windowMs: 600_000, durationMs: 900_000 });
    expect(accounts).toMatchObject({ threshold: 5, windowMs: 900_000, baseDelayMs: 30_000, maxDelayMs: 3_600_000, knownAddressTtlMs: 30 * 86_400_000 });
    // Strikes are remembered for a day, or four capped delays when that is longer.
    expect(accounts.strikeMemoryMs).toBe(86_400_000);
    expect(policiesOf(loadConfig(SessionEnv, { ...base, SESSION_ACCOUNT_THROTTLE_MAX: '12h' })).accounts.strikeMemoryMs).toBe(48 * 3_600_000);
  });
});

describe('allow-list', () => {
  const allowList = cidrBlockList(loadConfig(SessionEnv, { ...base, SESSION_BAN_ALLOWLIST: '192.0.2.0/24, 2001:db8:aa::/48' }).SESSION_BAN_ALLOWLIST);

  it.each([
    ['192.0.2.44', true],
    ['::ffff:192.0.2.44', true],
    ['192.0.3.1', false],
    ['2001:db8:aa:1::5', true],
    ['2001:db8:ab::5', false],
  ])('%s allow-listed: %s', (ip, listed) => {
    expect(isAllowListed(allowList, ip)).toBe(listed);
  });
});

