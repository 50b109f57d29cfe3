import { describe, expect, it } from 'vitest';
import type { UserProfile } from '@ferry/contracts';
import { UserAlreadyExistsError, UserNotFoundError } from '../src/domain/errors.js';
import { decide, evolve, fold, initialState, type AppliedUserEvent, type PendingUserEvent, type UserCommand, type UserState } from '../src/domain/user.js';

const HASH_1 = '$scrypt$ln=4,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';
const HASH_2 = '$scrypt$ln=4,r=8,p=1$c2FsdDJzYWx0MnNhbHQy$aGFzaDJoYXNoMmhhc2gy';
const profile: UserProfile = { home: 'alice', permissions: { read: true, write: true, delete: false, mkdir: true, rename: false }, maxSessions: 3, allowedCidrs: [] };
const by = 'api:test';

let clock = 0;
const at = (event: PendingUserEvent): AppliedUserEvent => ({ ...event, time: new Date(Date.UTC(2026, 0, 1) + ++clock * 1000).toISOString() });

const created: PendingUserEvent = { type: 'ferry.user.created.v1', data: { username: 'alice', passwordHash: HASH_1, profile, by } };
const disabled: PendingUserEvent = { type: 'ferry.user.disabled.v1', data: { username: 'alice', by, reason: 'left the company' } };
const deleted: PendingUserEvent = { type: 'ferry.user.deleted.v1', data: { username: 'alice', by } };

/** Given events, when a command, then events (or an error). */
function given(...events: PendingUserEvent[]) {
  const state = fold(events.map(at));
  return {
    when: (command: UserCommand) => ({
      then: (expected: PendingUserEvent[]) => expect(decide(command, state)).toEqual(expected),
      thenThrows: (error: new (...args: never[]) => Error) => expect(() => decide(command, state)).toThrow(error),
    }),
    state,
  };
}

describe('user decider', () => {
  it('creates a user whose name is free', () => {
    given().when({ type: 'create', username: 'alice', passwordHash: HASH_1, profile, by }).then([created]);
  });

  it('refuses to create a user that already exists, even when disabled', () => {
    given(created).when({ type: 'create', username: 'alice', passwordHash: HASH_2, profile, by }).thenThrows(UserAlreadyExistsError);
    given(created, disabled).when({ type: 'create', username: 'alice', passwordHash: HASH_2, profile, by }).thenThrows(UserAlreadyExistsError);
  });

  it('creates a user again under the name of a deleted one, starting from scratch', () => {
    const again: PendingUserEvent = { type: 'ferry.user.created.v1', data: { username: 'alice', passwordHash: HASH_2, profile: { ...profile, maxSessions: 1 }, by } };
    given(created, disabled, deleted).when({ type: 'create', username: 'alice', passwordHash: HASH_2, profile: { ...profile, maxSessions: 1 }, by }).then([again]);
    const state = fold([created, disabled, deleted, again].map(at));
    expect(state.kind === 'present' && state.user.status).toBe('active');
    expect(state.kind === 'present' && state.user.passwordHash).toBe(HASH_2);
    expect(state.kind === 'present' && state.user.disabledReason).toBeUndefined();
  });

  it('changes the password of an existing user', () => {
    given(created).when({ type: 'change_password', username: 'alice', passwordHash: HASH_2, by }).then([{ type: 'ferry.user.password_changed.v1', data: { username: 'alice', passwordHash: HASH_2, by } }]);
  });

  it('records only the profile fields that really change', () => {
    given(created)
      .when({ type: 'change_profile', username: 'alice', changes: { maxSessions: 3, home: 'teams/ops', allowedCidrs: [] }, by })
      .then([{ type: 'ferry.user.profile_changed.v1', data: { username: 'alice', changes: { home: 'teams/ops' }, by } }]);
  });

  it('decides nothing for a profile change that changes nothing', () => {
    given(created).when({ type: 'change_profile', username: 'alice', changes: { permissions: profile.permissions }, by }).then([]);
  });

  it('disables an active user and ignores disabling a disabled one', () => {
    given(created).when({ type: 'disable', username: 'alice', reason: 'left the company', by }).then([disabled]);
    given(created, disabled).when({ type: 'disable', username: 'alice', by }).then([]);
  });

  it('enables a disabled user and ignores enabling an active one', () => {
    given(created, disabled).when({ type: 'enable', username: 'alice', by }).then([{ type: 'ferry.user.enabled.v1', data: { username: 'alice', by } }]);
    given(created).when({ type: 'enable', username: 'alice', by }).then([]);
  });

  it('deletes an existing user', () => {
    given(created, disabled).when({ type: 'delete', username: 'alice', by }).then([deleted]);
  });

  it.each<UserCommand>([
    { type: 'change_password', username: 'alice', passwordHash: HASH_2, by },
    { type: 'change_profile', username: 'alice', changes: { maxSessions: 2 }, by },
    { type: 'disable', username: 'alice', by },
    { type: 'enable', username: 'alice', by },
    { type: 'delete', username: 'alice', by },
  ])('refuses $type for a user that never existed or was deleted', (command) => {
    given().when(command).thenThrows(UserNotFoundError);
    given(created, deleted).when(command).thenThrows(UserNotFoundError);
  });
});

describe('user fold', () => {
  it('starts absent', () => {
    expect(fold([])).toEqual(initialState());
  });

  it('folds every kind of event into the current state', () => {
    const events = [
      created,
      { type: 'ferry.user.password_changed.v1', data: { username: 'alice', passwordHash: HASH_2, by } },
      { type: 'ferry.user.profile_changed.v1', data: { username: 'alice', changes: { maxSessions: 7, allowedCidrs: ['10.0.0.0/8'] }, by } },
      disabled,
      { type: 'ferry.user.enabled.v1', data: { username: 'alice', by } },
    ] satisfies PendingUserEvent[];
    const applied = events.map(at);
    const state = fold(applied);
    expect(state).toEqual<UserState>({
      kind: 'present',
      user: {
        username: 'alice',
        status: 'active',
        passwordHash: HASH_2,
        profile: { ...profile, maxSessions: 7, allowedCidrs: ['10.0.0.0/8'] },
        createdAt: applied[0]!.time,
        updatedAt: applied[4]!.time,
      },
    });
  });

  it('keeps the disable reason while disabled', () => {
    const state = fold([created, disabled].map(at));
    expect(state.kind === 'present' && state.user).toMatchObject({ status: 'disabled', disabledReason: 'left the company' });
  });

  it('ends deleted after a delete, and ignores stray events after it', () => {
    const applied = [created, deleted, disabled].map(at);
    expect(fold(applied)).toEqual({ kind: 'deleted', username: 'alice', deletedAt: applied[1]!.time });
  });

  it('is a pure function: the same events give the same state, and the input state is not modified', () => {
    const applied = [created, disabled].map(at);
    const first = fold(applied);
    const frozen = Object.freeze(first);
    expect(fold(applied)).toEqual(first);
    expect(() => evolve(frozen, at({ type: 'ferry.user.enabled.v1', data: { username: 'alice', by } }))).not.toThrow();
    expect(frozen.kind === 'present' && frozen.user.status).toBe('disabled');
  });
});
