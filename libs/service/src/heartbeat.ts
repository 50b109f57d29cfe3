import { Heartbeat, type GatewayLoad, type InstanceStatus } from '@ferry/contracts';
import { publishEvent } from '@ferry/bus';
import type { ServiceRuntime } from './runtime.js';

export interface HeartbeatSource {
  status(): Promise<{ status: InstanceStatus; failingChecks: string[] }>;
  load?: () => GatewayLoad | undefined;
  gauges?: () => Record<string, number> | undefined;
}

/**
 * Publishes a heartbeat now and then every interval. A missed heartbeat (NATS
 * away) is logged, not retried: the next one supersedes it, and watchdogs
 * reason about silence anyway. `stop()` resolves once no beat is in flight, so
 * nothing published after it (the instance's "stopped" event) can be overtaken
 * by a late heartbeat that would make it look alive again.
 */
export function startHeartbeats(runtime: ServiceRuntime, intervalMs: number, source: HeartbeatSource): { stop(): Promise<void> } {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const beat = async () => {
    const { status, failingChecks } = await source.status();
    if (stopped) return;
    const load = source.load?.();
    const gauges = source.gauges?.();
    const event = runtime.newEvent(Heartbeat, {
      service: runtime.service,
      instance: runtime.instance,
      status,
      startedAt: runtime.startedAt.toISOString(),
      intervalMs,
      version: runtime.version,
      ...(failingChecks.length > 0 ? { failingChecks } : {}),
      ...(load ? { load } : {}),
      ...(gauges ? { gauges } : {}),
    });
    await publishEvent(runtime.bus, event, { timeoutMs: Math.min(intervalMs, 5_000) });
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    inFlight = beat()
      .catch((error: unknown) => runtime.logger.warn({ err: error }, 'heartbeat not published'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
