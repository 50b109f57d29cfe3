import { describe, expect, it } from 'vitest';
import type { UserProfile } from '@ferry/contracts';
import { PasswordPolicyError } from '../src/domain/errors.js';
import { judgeLogin } from '../src/domain/login.js';
import { checkPasswordPolicy } from '../src/domain/password-policy.js';
import type { UserState } from '../src/domain/user.js';

const profile: UserProfile = { home: 'alice', permissions: { read: true, write: false, delete: false, mkdir: false, rename: false }, maxSessions: 1, allowedCidrs: [] };
const active: UserState = { kind: 'present', user: { username: 'alice', status: 'active', passwordHash: 'x', profile, createdAt: 't', updatedAt: 't' } };
const disabled: UserState = { kind: 'present', user: { ...active.user, status: 'disabled' } };

describe('login verdict', () => {
  it('accepts an active user with the right password from an allowed address, with the profile', () => {
    expect(judgeLogin({ state: active, passwordMatches: true, addressAllowed: true })).toEqual({ outcome: 'accepted', username: 'alice', profile });
  });

  it.each<[string, UserState, boolean, boolean]>([
    ['unknown_user', { kind: 'absent' }, true, true],
    ['deleted', { kind: 'deleted', username: 'alice', deletedAt: 't' }, true, true],
    ['bad_password', active, false, true],
    ['bad_password', disabled, false, true],
    ['disabled', disabled, true, true],
    ['address_not_allowed', active, true, false],
  ])('refuses with reason %s', (reason, state, passwordMatches, addressAllowed) => {
    expect(judgeLogin({ state, passwordMatches, addressAllowed })).toEqual({ outcome: 'refused', reason });
  });
});

describe('password policy', () => {
  it('refuses a password shorter than the minimum without repeating it', () => {
    expect(() => checkPasswordPolicy('short-pw', { minLength: 12 })).toThrow(PasswordPolicyError);
    try {
      checkPasswordPolicy('short-pw', { minLength: 12 });
    } catch (error) {
      expect((error as Error).message).toBe('password must be at least 12 characters long');
      expect((error as Error).message).not.toContain('short-pw');
    }
  });

  it('counts characters, not bytes', () => {
    expect(() => checkPasswordPolicy('ééééééééééé', { minLength: 12 })).toThrow(PasswordPolicyError);
    expect(() => checkPasswordPolicy('éééééééééééé', { minLength: 12 })).not.toThrow();
  });

  it('refuses NUL characters and passwords over 1024 characters', () => {
    expect(() => checkPasswordPolicy('abcdefghijkl\0', { minLength: 12 })).toThrow(/NUL/);
    expect(() => checkPasswordPolicy('a'.repeat(1025), { minLength: 12 })).toThrow(/at most 1024/);
  });
});
