import { publishEvent, type Bus } from '@ferry/bus';
import { eventSubjects, FerryError, parseEvent, streamNames, userEvents, type UserEvent } from '@ferry/contracts';

/** A user event as stored, with its stream sequence (the user's version after it). */
export interface StoredUserEvent {
  readonly seq: number;
  readonly event: UserEvent;
}

export interface LoadedUser {
  readonly events: readonly StoredUserEvent[];
  /** The stream sequence of the user's last event; 0 when the subject is empty. */
  readonly version: number;
}

export class UserStoreUnavailableError extends FerryError {
  override readonly name = 'UserStoreUnavailableError';
  constructor(message: string, cause?: unknown) {
    super('AUTH_STORE_UNAVAILABLE', message, { retryable: true, cause });
  }
}

const LOAD_TIMEOUT_MS = 10_000;

/**
 * Reads and appends the events of one user on `ferry.evt.user.<username>` in
 * FERRY_USERS. Appends carry the expected last subject sequence, so a write
 * based on a stale read fails with ConcurrencyConflictError instead of winning silently.
 */
export class UserEventStore {
  constructor(private readonly bus: Bus) {}

  async load(username: string): Promise<LoadedUser> {
    const subject = eventSubjects.user(username);
    const last = await this.bus.jsm.streams.getMessage(streamNames.users, { last_by_subj: subject });
    if (last === null) return { events: [], version: 0 };
    const consumer = await this.bus.js.consumers.get(streamNames.users, { filter_subjects: subject });
    const messages = await consumer.consume({ max_messages: 256 });
    const events: StoredUserEvent[] = [];
    let seen = 0;
    const timer = setTimeout(() => messages.stop(), LOAD_TIMEOUT_MS);
    try {
      for await (const msg of messages) {
        const parsed = parseEvent<UserEvent>(msg.data, userEvents);
        if (parsed.ok) events.push({ seq: msg.info.streamSequence, event: parsed.event });
        else this.bus.logger.warn({ subject, seq: msg.info.streamSequence, code: parsed.error.code, field: parsed.error.field }, 'skipping an unreadable user event');
        seen = msg.info.streamSequence;
        if (seen >= last.seq) break;
      }
    } finally {
      clearTimeout(timer);
      messages.stop();
    }
    if (seen < last.seq) throw new UserStoreUnavailableError(`could not read the events of user ${username} in time`);
    return { events, version: last.seq };
  }

  /** Appends in order; returns the new version. */
  async append(events: readonly UserEvent[], expectedVersion: number): Promise<number> {
    let version = expectedVersion;
    for (const event of events) {
      const receipt = await publishEvent(this.bus, event, { expectedLastSubjectSequence: version });
      version = receipt.seq;
    }
    return version;
  }
}
