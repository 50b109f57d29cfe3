import { randomBytes } from 'node:crypto';
import { ConcurrencyConflictError } from '@ferry/bus';
import { FerryError, UserCreated, UserDeleted, UserDisabled, UserEnabled, UserPasswordChanged, UserProfileChanged, type UserEvent, type UserProfile, type UserProfileChanges } from '@ferry/contracts';
import type { ServiceRuntime } from '@ferry/service';
import type { Logger } from '@ferry/telemetry';
import { checkPasswordPolicy, type PasswordPolicy } from './domain/password-policy.js';
import { decide, fold, type PendingUserEvent, type UserCommand, type UserState } from './domain/user.js';
import type { PasswordHasher } from './adapters/passwords.js';
import type { UserProjection } from './adapters/projection.js';
import { UserStoreUnavailableError, type StoredUserEvent, type UserEventStore } from './adapters/user-store.js';

/** Someone else changed the user between the admin's read and this write. */
export class UserChangedConcurrentlyError extends FerryError {
  override readonly name = 'UserChangedConcurrentlyError';
  constructor(username: string, expected: number, cause?: unknown) {
    super('USER_CHANGED_CONCURRENTLY', `user ${username} was changed by someone else since version ${expected}: reload it (ferry users show ${username}) and apply your change again`, { retryable: true, cause });
  }
}

/** The in-memory projection is still replaying FERRY_USERS. */
export class AuthNotReadyError extends FerryError {
  override readonly name = 'AuthNotReadyError';
  constructor() {
    super('AUTH_NOT_READY', 'auth is still loading users from FERRY_USERS; retry in a moment', { retryable: true });
  }
}

export interface UserView {
  readonly username: string;
  readonly status: 'active' | 'disabled' | 'deleted';
  readonly version: number;
  readonly profile?: UserProfile;
  readonly disabledReason?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly deletedAt?: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly source: string;
  readonly by: string;
  /** The event's data without the password hash. */
  readonly data: Record<string, unknown>;
}

export interface WriteResult {
  readonly username: string;
  readonly version: number;
  /** False when the command changed nothing (disabling a disabled user). */
  readonly changed: boolean;
  /** Only when the password was generated: shown once, never stored in clear. */
  readonly generatedPassword?: string;
}

export interface UserAdminDeps {
  readonly runtime: Pick<ServiceRuntime, 'newEvent'>;
  readonly logger: Pick<Logger, 'info'>;
  readonly store: UserEventStore;
  readonly projection: UserProjection;
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
}

/** Conflicts without an expected version are decided again on fresh state, at most this often. */
const MAX_ATTEMPTS = 3;
/** How long a write waits for this instance's projection to show it (list, logins) before answering anyway. */
const READ_YOUR_WRITES_MS = 2_000;

export const defaultProfile = (username: string): UserProfile => ({
  home: username,
  permissions: { read: true, write: true, delete: true, mkdir: true, rename: true },
  maxSessions: 10,
  allowedCidrs: [],
});

/**
 * The administrative use cases: load the user's events, fold, decide, append
 * with the expected version. With an `expectedVersion` (the version the admin
 * saw) a conflict is reported at once; without one the command did not depend
 * on what the admin saw, so it is decided again on fresh state a few times.
 */
export class UserAdmin {
  constructor(private readonly deps: UserAdminDeps) {}

  async create(input: { username: string; password?: string; profile: UserProfile; by: string }): Promise<WriteResult> {
    const { password, generatedPassword } = this.choosePassword(input.password);
    const passwordHash = await this.deps.hasher.hash(password);
    const result = await this.execute(input.username, { type: 'create', username: input.username, passwordHash, profile: input.profile, by: input.by });
    return { ...result, ...(generatedPassword === undefined ? {} : { generatedPassword }) };
  }

  async setPassword(input: { username: string; password?: string; by: string; expectedVersion?: number }): Promise<WriteResult> {
    const { password, generatedPassword } = this.choosePassword(input.password);
    const passwordHash = await this.deps.hasher.hash(password);
    const result = await this.execute(input.username, { type: 'change_password', username: input.username, passwordHash, by: input.by }, input.expectedVersion);
    return { ...result, ...(generatedPassword === undefined ? {} : { generatedPassword }) };
  }

  changeProfile(input: { username: string; changes: UserProfileChanges; by: string; expectedVersion?: number }): Promise<WriteResult> {
    return this.execute(input.username, { type: 'change_profile', username: input.username, changes: input.changes, by: input.by }, input.expectedVersion);
  }

  disable(input: { username: string; reason?: string; by: string; expectedVersion?: number }): Promise<WriteResult> {
    const command: UserCommand = { type: 'disable', username: input.username, by: input.by, ...(input.reason === undefined ? {} : { reason: input.reason }) };
    return this.execute(input.username, command, input.expectedVersion);
  }

  enable(input: { username: string; by: string; expectedVersion?: number }): Promise<WriteResult> {
    return this.execute(input.username, { type: 'enable', username: input.username, by: input.by }, input.expectedVersion);
  }

  delete(input: { username: string; by: string; expectedVersion?: number }): Promise<WriteResult> {
    return this.execute(input.username, { type: 'delete', username: input.username, by: input.by }, input.expectedVersion);
  }

  /** The user as stored (read from the stream, not the projection) and its last `limit` events. */
  async show(username: string, limit: number): Promise<{ user: UserView; events: AuditEntry[] } | undefined> {
    const loaded = await this.load(username);
    const state = fold(loaded.events.map((stored) => stored.event));
    const user = viewOf(state, loaded.version);
    if (user === undefined) return undefined;
    const latest = limit === 0 ? [] : loaded.events.slice(-limit);
    return { user, events: latest.map(auditEntry).reverse() };
  }

  list(): UserView[] {
    if (!this.deps.projection.caughtUp) throw new AuthNotReadyError();
    return this.deps.projection.list().flatMap((entry) => viewOf(entry.state, entry.version) ?? []);
  }

  private async execute(username: string, command: UserCommand, expectedVersion?: number): Promise<WriteResult> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(username);
      if (expectedVersion !== undefined && loaded.version !== expectedVersion) throw new UserChangedConcurrentlyError(username, expectedVersion);
      const pending = decide(command, fold(loaded.events.map((stored) => stored.event)));
      if (pending.length === 0) return { username, version: loaded.version, changed: false };
      try {
        const version = await this.deps.store.append(pending.map((event) => this.toEvent(event)), loaded.version);
        this.deps.logger.info({ username, command: command.type, by: command.by, version, attempt }, 'user changed');
        await this.deps.projection.waitForSequence(version, READ_YOUR_WRITES_MS);
        return { username, version, changed: true };
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
        if (expectedVersion !== undefined || attempt >= MAX_ATTEMPTS) throw new UserChangedConcurrentlyError(username, loaded.version, error);
      }
    }
  }

  private async load(username: string) {
    try {
      return await this.deps.store.load(username);
    } catch (error) {
      if (error instanceof FerryError) throw error;
      throw new UserStoreUnavailableError('cannot read users from NATS', error);
    }
  }

  private choosePassword(given: string | undefined): { password: string; generatedPassword?: string } {
    if (given !== undefined) {
      checkPasswordPolicy(given, this.deps.policy);
      return { password: given };
    }
    const length = Math.max(24, this.deps.policy.minLength);
    const generated = randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
    return { password: generated, generatedPassword: generated };
  }

  private toEvent(pending: PendingUserEvent): UserEvent {
    const { newEvent } = this.deps.runtime;
    switch (pending.type) {
      case 'ferry.user.created.v1':
        return newEvent(UserCreated, pending.data);
      case 'ferry.user.password_changed.v1':
        return newEvent(UserPasswordChanged, pending.data);
      case 'ferry.user.profile_changed.v1':
        return newEvent(UserProfileChanged, pending.data);
      case 'ferry.user.disabled.v1':
        return newEvent(UserDisabled, pending.data);
      case 'ferry.user.enabled.v1':
        return newEvent(UserEnabled, pending.data);
      case 'ferry.user.deleted.v1':
        return newEvent(UserDeleted, pending.data);
      default: {
        const _exhaustive: never = pending;
        return _exhaustive;
      }
    }
  }
}

export function viewOf(state: UserState, version: number): UserView | undefined {
  switch (state.kind) {
    case 'absent':
      return undefined;
    case 'deleted':
      return { username: state.username, status: 'deleted', version, deletedAt: state.deletedAt };
    case 'present': {
      const { username, status, profile, disabledReason, createdAt, updatedAt } = state.user;
      return { username, status, version, profile, createdAt, updatedAt, ...(disabledReason === undefined ? {} : { disabledReason }) };
    }
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}

function auditEntry({ seq, event }: StoredUserEvent): AuditEntry {
  const { passwordHash: _hidden, ...data } = event.data as Record<string, unknown>;
  return { seq, id: event.id, type: event.type, time: event.time, source: event.source, by: event.data.by, data };
}
