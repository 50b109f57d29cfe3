import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../src/index.js';

describe('redactSecrets', () => {
  it('returns an object with nothing to redact as the same reference', () => {
    const clean = { user: 'alice', sizes: [1, 2], when: new Date(0) };
    expect(redactSecrets(clean)).toBe(clean);
  });

  it('copies only what it changes and leaves the original alone', () => {
    const untouched = { path: '/home/alice' };
    const original = { untouched, login: { user: 'alice', password: 'pw' } };
    const redacted = redactSecrets(original) as typeof original;
    expect(redacted.login).toEqual({ user: 'alice', password: REDACTED });
    expect(redacted.untouched).toBe(untouched);
    expect(original.login.password).toBe('pw');
  });

  it('matches keys in any case and style but keeps passive-mode fields', () => {
    const redacted = redactSecrets({
      PASSWORD: 'a',
      userPass: 'b',
      refresh_token: 'c',
      'x-api-key': 'd',
      clientSecret: 'e',
      passive: true,
      passiveMode: 'epsv',
    });
    expect(redacted).toEqual({
      PASSWORD: REDACTED,
      userPass: REDACTED,
      refresh_token: REDACTED,
      'x-api-key': REDACTED,
      clientSecret: REDACTED,
      passive: true,
      passiveMode: 'epsv',
    });
  });

  it('redacts inside arrays and leaves primitives as they are', () => {
    expect(redactSecrets([{ token: 't' }, 'plain', 3])).toEqual([{ token: REDACTED }, 'plain', 3]);
    expect(redactSecrets('password')).toBe('password');
    expect(redactSecrets(null)).toBeNull();
  });
});
