import { SessionExpired } from '@ferry/contracts';
import { publishEvent } from '@ferry/bus';
import type { ServiceRuntime } from '@ferry/service';
import type { SessionStore } from './session-store.js';

export interface SweeperOptions {
  readonly intervalMs: number;
  /** How long a claimed session waits for its claimant before another instance may claim it again. */
  readonly leaseMs: number;
  readonly batch: number;
  /**
   * After this instance starts, or sees a sweep fail (Redis or NATS away), it
   * expires nothing until it has been able to work for this long (the session
   * TTL): gateways whose heartbeats could not be served meanwhile get a full TTL
   * to refresh their sessions first, instead of losing them all at once.
   */
  readonly graceAfterOutageMs: number;
  readonly onExpired: () => void;
}

export interface RunningSweeper {
  stop(): Promise<void>;
}

/**
 * Every instance sweeps; the atomic claim in Redis hands each expired session to
 * exactly one of them, which publishes `session.expired` and then removes it.
 */
export function startExpirySweeper(runtime: ServiceRuntime, store: SessionStore, options: SweeperOptions): RunningSweeper {
  let stopped = false;
  let running: Promise<void> | undefined;
  let lastFailureMs = runtime.clock().getTime();

  const sweepOnce = async (): Promise<number> => {
    const claimed = await store.claimExpired(runtime.clock().getTime(), options.leaseMs, options.batch);
    for (const session of claimed) {
      const event = runtime.newEvent(SessionExpired, {
        sessionId: session.sessionId,
        username: session.username,
        clientIp: session.clientIp,
        gateway: session.gateway,
        lastSeenAt: new Date(session.lastSeenAt).toISOString(),
      });
      await publishEvent(runtime.bus, event);
      await store.remove(session.sessionId);
      options.onExpired();
      runtime.logger.info({ sessionId: session.sessionId, username: session.username, gateway: session.gateway }, 'session expired');
    }
    return claimed.length;
  };

  const tick = async () => {
    const nowMs = runtime.clock().getTime();
    try {
      if (nowMs - lastFailureMs < options.graceAfterOutageMs) {
        await store.count(); // still probe, so a new failure restarts the grace period
        return;
      }
      // A full batch means more may be waiting: keep going before sleeping.
      while (!stopped && (await sweepOnce()) === options.batch);
    } catch (error) {
      lastFailureMs = nowMs;
      runtime.logger.warn({ err: error }, 'expiry sweep failed; the next sweep retries');
    }
  };

  const timer = setInterval(() => {
    // One sweep at a time per instance: a slow sweep is not queued behind itself.
    running ??= tick().finally(() => {
      running = undefined;
    });
  }, options.intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
