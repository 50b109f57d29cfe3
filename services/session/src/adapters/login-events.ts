import type { BlockList } from 'node:net';
import { LoginFailed, LoginSucceeded, eventSubjects, streamNames } from '@ferry/contracts';
import { startDurableConsumer, type RunningConsumer } from '@ferry/bus';
import type { ServiceRuntime } from '@ferry/service';
import { isStale } from '../domain/policy.js';
import { isAllowListed } from './allow-list.js';
import type { BanStore } from './ban-store.js';

/** Shared by every session instance, so each event is handled by exactly one of them. */
export const FAILED_LOGINS_DURABLE = 'session-login-failures';
export const SUCCEEDED_LOGINS_DURABLE = 'session-login-successes';

export interface LoginEventDeps {
  readonly runtime: ServiceRuntime;
  readonly bans: BanStore;
  readonly allowList: BlockList;
  /** The longer of the address and account windows: an older failure cannot count any more. */
  readonly windowMs: number;
  readonly knownAddressTtlMs: number;
  readonly onBan: (kind: 'address' | 'account') => void;
}

/**
 * Counts failed logins towards address bans and account throttles, and records
 * successful ones as known (username, address) pairs. A Redis failure is
 * retryable: the message is redelivered later, and the dedupe by event id in
 * the same script keeps a redelivered event from counting twice.
 */
export async function consumeLoginEvents(deps: LoginEventDeps): Promise<RunningConsumer[]> {
  return [await consumeFailures(deps), await consumeSuccesses(deps)];
}

const settling = { redeliveryBackoffMs: [500, 1_000, 2_000, 5_000], maxDeliver: 1_000 } as const;

function consumeFailures(deps: LoginEventDeps): Promise<RunningConsumer> {
  const { runtime, bans, allowList } = deps;
  return startDurableConsumer<LoginFailed>(runtime.bus, {
    stream: streamNames.activity,
    durable: FAILED_LOGINS_DURABLE,
    source: runtime.source,
    filterSubject: eventSubjects.auth('login.failed'),
    events: [LoginFailed],
    ...settling,
    handle: async (event) => {
      const nowMs = runtime.clock().getTime();
      const eventTimeMs = Date.parse(event.time);
      if (isStale(eventTimeMs, nowMs, deps.windowMs)) return;
      const { clientIp, username } = event.data;
      const countAddress = !isAllowListed(allowList, clientIp);
      const outcome = await bans.recordFailure({ eventId: event.id, eventTimeMs, nowMs, clientIp, username, countAddress });
      if (outcome.newlyBanned) {
        deps.onBan('address');
        runtime.logger.warn({ clientIp }, 'address banned after repeated login failures');
      }
      if (outcome.newlyThrottled) {
        deps.onBan('account');
        runtime.logger.warn({ username }, 'account throttled after repeated login failures');
      }
    },
  });
}

function consumeSuccesses(deps: LoginEventDeps): Promise<RunningConsumer> {
  const { runtime, bans } = deps;
  return startDurableConsumer<LoginSucceeded>(runtime.bus, {
    stream: streamNames.activity,
    durable: SUCCEEDED_LOGINS_DURABLE,
    source: runtime.source,
    filterSubject: eventSubjects.auth('login.succeeded'),
    events: [LoginSucceeded],
    ...settling,
    handle: async (event) => {
      const nowMs = runtime.clock().getTime();
      const at = Math.min(Date.parse(event.time), nowMs);
      if (isStale(at, nowMs, deps.knownAddressTtlMs)) return;
      await bans.recordSuccess(event.data.username, event.data.clientIp, at);
    },
  });
}
