import { startDurableConsumer, type Bus, type RunningConsumer } from '@ferry/bus';
import { deadLetterEvents, deadLetterSubjects, eventSubjects, healthEvents, LoginFailed, streamNames, type DeadLettered, type HealthEvent } from '@ferry/contracts';
import type { WatchdogInput } from '../domain/watchdog.js';

const HEALTH_DURABLE = 'alert-relay-health';

export interface ConsumerDeps {
  readonly bus: Bus;
  readonly source: string;
  readonly clock: () => Date;
  readonly observe: (input: WatchdogInput) => void;
}

/**
 * The watchdog's inputs: heartbeats and clean stops (FERRY_HEALTH), failed logins
 * (FERRY_ACTIVITY) and dead letters (FERRY_DEADLETTERS), each through a durable
 * consumer that starts at new messages and keeps its place across restarts.
 */
export async function startWatchdogConsumers(deps: ConsumerDeps): Promise<RunningConsumer[]> {
  const at = (time: string) => Math.min(Date.parse(time), deps.clock().getTime());
  const common = { source: deps.source, startAt: 'new', unknownTypes: 'skip' } as const;
  const health = await startDurableConsumer<HealthEvent>(deps.bus, {
    ...common,
    stream: streamNames.health,
    durable: HEALTH_DURABLE,
    filterSubject: eventSubjects.allHealth,
    events: healthEvents,
    handle: (event) => {
      deps.observe(healthInput(event, at(event.time)));
      return Promise.resolve();
    },
  });
  const logins = await startDurableConsumer<LoginFailed>(deps.bus, {
    ...common,
    stream: streamNames.activity,
    durable: 'alert-relay-login-failures',
    filterSubject: eventSubjects.auth('login.failed'),
    events: [LoginFailed],
    handle: (event) => {
      deps.observe({ kind: 'login_failed', gateway: event.data.gateway, at: at(event.time) });
      return Promise.resolve();
    },
  });
  const deadLetters = await startDurableConsumer<DeadLettered>(deps.bus, {
    ...common,
    stream: streamNames.deadLetters,
    durable: 'alert-relay-dead-letters',
    filterSubject: deadLetterSubjects.all,
    events: deadLetterEvents,
    handle: (event) => {
      deps.observe({ kind: 'dead_lettered', consumer: event.data.consumer, at: at(event.time) });
      return Promise.resolve();
    },
  });
  return [health, logins, deadLetters];
}


/**
 * After a restart the health consumer first delivers what arrived while the relay
 * was away; evaluating silence before that would page about every instance. Waits
 * (bounded) until it has nothing pending.
 */
export async function waitForHealthBacklog(bus: Bus, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await bus.jsm.consumers.info(streamNames.health, HEALTH_DURABLE).catch(() => undefined);
    if (info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function healthInput(event: HealthEvent, at: number): WatchdogInput {
  if (event.type === 'ferry.health.stopped.v1') return { kind: 'stopped', service: event.data.service, instance: event.data.instance, at };
  const { service, instance, intervalMs, load, gauges } = event.data;
  const eventBuffer = load ? { depth: load.eventBufferDepth, capacity: load.eventBufferCapacity } : undefined;
  return { kind: 'heartbeat', service, instance, intervalMs, at, eventBuffer, gauges };
}
