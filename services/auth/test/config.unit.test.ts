import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@ferry/config';
import { AuthEnv } from '../src/config.js';

const token = 'x'.repeat(32);

describe('auth settings', () => {
  it('has safe defaults for everything but the API port and the admin token', () => {
    const config = loadConfig(AuthEnv, { FERRY_API_PORT: '9202', FERRY_ADMIN_TOKEN: token });
    expect(config).toMatchObject({
      FERRY_API_HOST: '127.0.0.1',
      FERRY_API_PORT: 9202,
      AUTH_SCRYPT_LOG_N: 15,
      AUTH_SCRYPT_R: 8,
      AUTH_SCRYPT_P: 3,
      AUTH_PASSWORD_MIN_LENGTH: 12,
      AUTH_CREDENTIAL_CACHE_TTL: 60_000,
      AUTH_LOGIN_EVENT_BUFFER: 10_000,
    });
  });

  it('names every bad variable at once and never shows the admin token', () => {
    let error: unknown;
    try {
      loadConfig(AuthEnv, { FERRY_ADMIN_TOKEN: 'too-short-secret', AUTH_SCRYPT_LOG_N: '40', AUTH_CREDENTIAL_CACHE_TTL: 'soon', AUTH_PASSWORD_MIN_LENGTH: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((issue) => issue.variable).sort()).toEqual(['AUTH_CREDENTIAL_CACHE_TTL', 'AUTH_PASSWORD_MIN_LENGTH', 'AUTH_SCRYPT_LOG_N', 'FERRY_ADMIN_TOKEN', 'FERRY_API_PORT']);
    expect(JSON.stringify(issues)).not.toContain('too-short-secret');
  });

  it('accepts 0 to turn the credential cache off', () => {
    expect(loadConfig(AuthEnv, { FERRY_API_PORT: '0', FERRY_ADMIN_TOKEN: token, AUTH_CREDENTIAL_CACHE_TTL: '0' }).AUTH_CREDENTIAL_CACHE_TTL).toBe(0);
  });
});
