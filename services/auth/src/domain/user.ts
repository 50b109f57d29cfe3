import type { UserEvent, UserProfile, UserProfileChanges } from '@ferry/contracts';
import { UserAlreadyExistsError, UserNotFoundError } from './errors.js';

/**
 * The user aggregate as a decider: `decide(command, state) → events` and
 * `evolve(state, event) → state`. A user's state is the fold of the events on
 * its subject. A deleted user's name may be created again: the new user starts
 * from scratch (the old profile and password are not inherited), and the
 * subject keeps the whole history, so the audit trail shows both lives.
 */

export interface UserRecord {
  readonly username: string;
  readonly status: 'active' | 'disabled';
  readonly passwordHash: string;
  readonly profile: UserProfile;
  readonly disabledReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type UserState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'deleted'; readonly username: string; readonly deletedAt: string }
  | { readonly kind: 'present'; readonly user: UserRecord };

export type UserCommand =
  | { readonly type: 'create'; readonly username: string; readonly passwordHash: string; readonly profile: UserProfile; readonly by: string }
  | { readonly type: 'change_password'; readonly username: string; readonly passwordHash: string; readonly by: string }
  | { readonly type: 'change_profile'; readonly username: string; readonly changes: UserProfileChanges; readonly by: string }
  | { readonly type: 'disable'; readonly username: string; readonly reason?: string; readonly by: string }
  | { readonly type: 'enable'; readonly username: string; readonly by: string }
  | { readonly type: 'delete'; readonly username: string; readonly by: string };

/** An event as decided, before it gets an id, a source and a time. */
export type PendingUserEvent = UserEvent extends infer E ? (E extends UserEvent ? Pick<E, 'type' | 'data'> : never) : never;

/** What evolve needs of a stored event. */
export type AppliedUserEvent = UserEvent extends infer E ? (E extends UserEvent ? Pick<E, 'type' | 'data' | 'time'> : never) : never;

export const initialState = (): UserState => ({ kind: 'absent' });

export function decide(command: UserCommand, state: UserState): PendingUserEvent[] {
  const { username, by } = command;
  if (command.type === 'create') {
    if (state.kind === 'present') throw new UserAlreadyExistsError(username);
    return [{ type: 'ferry.user.created.v1', data: { username, passwordHash: command.passwordHash, profile: command.profile, by } }];
  }
  if (state.kind !== 'present') throw new UserNotFoundError(username);
  const user = state.user;
  switch (command.type) {
    case 'change_password':
      return [{ type: 'ferry.user.password_changed.v1', data: { username, passwordHash: command.passwordHash, by } }];
    case 'change_profile': {
      const changes = effectiveChanges(user.profile, command.changes);
      return changes === undefined ? [] : [{ type: 'ferry.user.profile_changed.v1', data: { username, changes, by } }];
    }
    case 'disable':
      if (user.status === 'disabled') return [];
      return [{ type: 'ferry.user.disabled.v1', data: { username, by, ...(command.reason === undefined ? {} : { reason: command.reason }) } }];
    case 'enable':
      return user.status === 'active' ? [] : [{ type: 'ferry.user.enabled.v1', data: { username, by } }];
    case 'delete':
      return [{ type: 'ferry.user.deleted.v1', data: { username, by } }];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

export function evolve(state: UserState, event: AppliedUserEvent): UserState {
  switch (event.type) {
    case 'ferry.user.created.v1': {
      const { username, passwordHash, profile } = event.data;
      return { kind: 'present', user: { username, status: 'active', passwordHash, profile, createdAt: event.time, updatedAt: event.time } };
    }
    case 'ferry.user.password_changed.v1':
      return update(state, event.time, (user) => ({ ...user, passwordHash: event.data.passwordHash }));
    case 'ferry.user.profile_changed.v1':
      return update(state, event.time, (user) => ({ ...user, profile: { ...user.profile, ...event.data.changes } }));
    case 'ferry.user.disabled.v1':
      return update(state, event.time, (user) => ({ ...user, status: 'disabled', ...(event.data.reason === undefined ? {} : { disabledReason: event.data.reason }) }));
    case 'ferry.user.enabled.v1':
      return update(state, event.time, ({ disabledReason: _dropped, ...user }) => ({ ...user, status: 'active' }));
    case 'ferry.user.deleted.v1':
      return state.kind === 'present' ? { kind: 'deleted', username: state.user.username, deletedAt: event.time } : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The fold: the state after all of a user's events, in order. */
export function fold(events: readonly AppliedUserEvent[], state: UserState = initialState()): UserState {
  return events.reduce(evolve, state);
}

/** Events that change nothing (a stray event after a delete) leave the state as it is. */
function update(state: UserState, time: string, change: (user: UserRecord) => UserRecord): UserState {
  if (state.kind !== 'present') return state;
  return { kind: 'present', user: { ...change(state.user), updatedAt: time } };
}

/** Only the fields that really change; undefined when nothing does. */
function effectiveChanges(profile: UserProfile, changes: UserProfileChanges): UserProfileChanges | undefined {
  const effective: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify(profile[key as keyof UserProfile])) effective[key] = value;
  }
  return Object.keys(effective).length === 0 ? undefined : effective;
}
