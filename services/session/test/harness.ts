import { EventEmitter } from 'node:events';
import { connectBus, ensureStreams, publishEvent, startDurableConsumer, type Bus, type RunningConsumer } from '@ferry/bus';
import { eventFactory, LoginFailed, LoginSucceeded, streamNames, streamSpecs, type EventDefinition, type FerryEvent } from '@ferry/contracts';
import { runService, type RunningService } from '@ferry/service';
import { getFreePort } from '@ferry/testing';
import { sessionService } from '../src/service.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef-XYZ';

export interface Instance {
  readonly running: RunningService;
  readonly apiUrl: string;
  readonly opsUrl: string;
  stop(): Promise<void>;
}

/** Starts a real session-service instance in this process (its own NATS and Redis connections). */
export async function startInstance(natsUrl: string, redisUrl: string, id: string, env: Record<string, string> = {}): Promise<Instance> {
  const port = await getFreePort();
  const running = await runService(sessionService, {
    env: {
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      FERRY_INSTANCE_ID: id,
      FERRY_API_PORT: String(port),
      FERRY_ADMIN_TOKEN: ADMIN_TOKEN,
      FERRY_HEARTBEAT_INTERVAL: '1s',
      LOG_LEVEL: 'silent',
      ...env,
    },
    signals: new EventEmitter(),
    exit: (code) => {
      if (code !== 0) throw new Error(`session instance ${id} exited with ${code}`);
    },
  });
  // Started is not ready: wait until Redis is connected too.
  await poll(async () => (await fetch(`${running.opsUrl}/readyz`)).status === 200);
  return { running, apiUrl: `http://127.0.0.1:${port}`, opsUrl: running.opsUrl, stop: () => running.shutdown('test finished') };
}

export async function testBus(natsUrl: string): Promise<Bus> {
  const bus = await connectBus({ servers: [natsUrl], name: 'session-test', connectTimeoutMs: 5_000 });
  await ensureStreams(bus, streamSpecs({ replicas: 1, activityMaxAgeMs: 24 * 60 * 60 * 1000 }));
  return bus;
}

const newAuthEvent = eventFactory('auth/test');
let sessionCounter = 0;

export function loginFailed(username: string, clientIp: string) {
  return newAuthEvent(LoginFailed, { username, clientIp, gateway: 'gw-1', sessionId: `s-${++sessionCounter}`, reason: 'bad_password' });
}

export async function publishFailures(bus: Bus, count: number, username: string | ((i: number) => string), clientIp: string | ((i: number) => string)): Promise<void> {
  for (let i = 0; i < count; i++) {
    const user = typeof username === 'string' ? username : username(i);
    const ip = typeof clientIp === 'string' ? clientIp : clientIp(i);
    await publishEvent(bus, loginFailed(user, ip));
  }
}

export async function publishSuccess(bus: Bus, username: string, clientIp: string): Promise<void> {
  await publishEvent(bus, newAuthEvent(LoginSucceeded, { username, clientIp, gateway: 'gw-1', sessionId: `s-${++sessionCounter}`, cached: false }));
}

/** Resolves once the shared durable consumer has settled everything in the stream. */
export async function consumerIdle(bus: Bus, durable: string): Promise<void> {
  await poll(async () => {
    const info = await bus.jsm.consumers.info(streamNames.activity, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}

export async function poll(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Collects every stored event of one kind from the start of the stream, through its own durable consumer. */
export async function collectEvents<E extends FerryEvent>(bus: Bus, durable: string, definition: EventDefinition, filterSubject: string): Promise<{ events: E[]; consumer: RunningConsumer }> {
  const events: E[] = [];
  const consumer = await startDurableConsumer<E>(bus, {
    stream: streamNames.activity,
    durable,
    source: 'test/collector',
    filterSubject,
    events: [definition],
    handle: (event) => {
      events.push(event);
      return Promise.resolve();
    },
  });
  return { events, consumer };
}

export function authorized(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${ADMIN_TOKEN}`, ...extra };
}
