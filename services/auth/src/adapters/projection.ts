import type { Bus } from '@ferry/bus';
import { eventSubjects, parseEvent, streamNames, userEvents, type UserEvent } from '@ferry/contracts';
import { evolve, initialState, type UserState } from '../domain/user.js';

/** JetStream's API error code for a missing stream. */
const STREAM_NOT_FOUND = 10059;

export interface ProjectedUser {
  readonly state: UserState;
  /** Stream sequence of the user's last event. */
  readonly version: number;
}

export interface UserProjectionOptions {
  /** Called for every applied event (the credential cache drops that user's entries). */
  readonly onEvent?: (event: UserEvent) => void;
}

/**
 * Every user's current state, in memory: FERRY_USERS replayed from its first
 * message by an ordered consumer at start, then kept current by the same
 * consumer. Not caught up (and so not ready) until it has applied the stream's
 * last sequence as it was when the replay began.
 */
export class UserProjection {
  private readonly users = new Map<string, ProjectedUser>();
  private applied = 0;
  private target = Number.POSITIVE_INFINITY;
  private messages: { stop(): void } | undefined;
  private loop: Promise<void> | undefined;
  private caughtUpWaiters: Array<() => void> = [];
  private sequenceWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private unreadable = 0;
  /** Set when the projection can no longer follow FERRY_USERS (subscription failed, stream deleted): stale from then on. */
  failure: string | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly options: UserProjectionOptions = {},
  ) {}

  async start(): Promise<void> {
    const info = await this.bus.jsm.streams.info(streamNames.users);
    this.target = info.state.last_seq;
    const consumer = await this.bus.js.consumers.get(streamNames.users, { filter_subjects: eventSubjects.allUsers });
    const messages = await consumer.consume({ max_messages: 1_024 });
    this.messages = messages;
    this.watch(messages.status()).catch((error: unknown) => this.bus.logger.warn({ err: error }, 'FERRY_USERS consumer notifications ended'));
    this.loop = (async () => {
      try {
        for await (const msg of messages) this.apply(msg.data, msg.info.streamSequence);
      } catch (error) {
        this.failure = (error as Error).message;
        this.bus.logger.error({ err: error }, 'the FERRY_USERS subscription failed: users are no longer kept current');
      }
    })();
    this.checkCaughtUp();
  }

  /**
   * A deleted FERRY_USERS cannot be followed any more (the ordered consumer goes
   * quiet): say so through readiness instead of serving stale users silently.
   */
  private async watch(notifications: AsyncIterable<{ type: string }>): Promise<void> {
    for await (const notification of notifications) {
      if (notification.type === 'consumer_deleted' || notification.type === 'stream_not_found') await this.checkStreamExists();
    }
  }

  private async checkStreamExists(): Promise<void> {
    try {
      await this.bus.jsm.streams.info(streamNames.users);
    } catch (error) {
      const { code, message } = error as { code?: number; message?: string };
      if (this.failure !== undefined || !(code === STREAM_NOT_FOUND || /stream not found/i.test(message ?? ''))) return;
      this.failure = 'stream FERRY_USERS was deleted; restore it, then restart auth';
      this.bus.logger.error({ stream: streamNames.users }, 'FERRY_USERS was deleted: users are no longer kept current');
    }
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop;
  }

  get caughtUp(): boolean {
    return this.applied >= this.target;
  }

  /** How far the replay has come: applied and target sequences. */
  progress(): { applied: number; target: number; unreadable: number } {
    return { applied: this.applied, target: this.target, unreadable: this.unreadable };
  }

  waitUntilCaughtUp(): Promise<void> {
    if (this.caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /**
   * Resolves once the projection has applied stream sequence `seq` (a write's
   * receipt), or after `timeoutMs` anyway: read-your-writes for the admin who
   * just changed a user, without ever hanging a request on a slow stream.
   */
  waitForSequence(seq: number, timeoutMs: number): Promise<void> {
    if (this.applied >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { seq, resolve: () => resolve() };
      const timer = setTimeout(() => {
        this.sequenceWaiters = this.sequenceWaiters.filter((other) => other !== waiter);
        resolve();
      }, timeoutMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.sequenceWaiters.push(waiter);
    });
  }

  get(username: string): ProjectedUser | undefined {
    return this.users.get(username);
  }

  stateOf(username: string): UserState {
    return this.users.get(username)?.state ?? initialState();
  }

  /** How many users exist (not deleted). */
  get userCount(): number {
    let count = 0;
    for (const user of this.users.values()) if (user.state.kind === 'present') count++;
    return count;
  }

  /** Users that exist (not deleted), sorted by name. */
  list(): Array<ProjectedUser & { state: Extract<UserState, { kind: 'present' }> }> {
    return [...this.users.values()]
      .filter((user): user is ProjectedUser & { state: Extract<UserState, { kind: 'present' }> } => user.state.kind === 'present')
      .sort((a, b) => (a.state.user.username < b.state.user.username ? -1 : 1));
  }

  private apply(data: Uint8Array, seq: number): void {
    const parsed = parseEvent<UserEvent>(data, userEvents);
    if (parsed.ok) {
      const event = parsed.event;
      const username = event.data.username;
      const current = this.users.get(username)?.state ?? initialState();
      this.users.set(username, { state: evolve(current, event), version: seq });
      this.options.onEvent?.(event);
    } else {
      this.unreadable++;
      this.bus.logger.error({ seq, code: parsed.error.code, field: parsed.error.field }, 'unreadable event in FERRY_USERS, skipped');
    }
    this.applied = seq;
    this.checkCaughtUp();
    this.releaseSequenceWaiters();
  }

  private releaseSequenceWaiters(): void {
    if (this.sequenceWaiters.length === 0) return;
    const [done, waiting] = [this.sequenceWaiters.filter((w) => w.seq <= this.applied), this.sequenceWaiters.filter((w) => w.seq > this.applied)];
    this.sequenceWaiters = waiting;
    for (const waiter of done) waiter.resolve();
  }

  private checkCaughtUp(): void {
    if (!this.caughtUp || this.caughtUpWaiters.length === 0) return;
    const waiters = this.caughtUpWaiters;
    this.caughtUpWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
