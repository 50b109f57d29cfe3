import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFactory, InstanceStopped, streamNames, streamSpecs, type HealthEvent } from '@ferry/contracts';
import { connectBus, ensureStreams, publishEvent, type Bus } from '@ferry/bus';
import { createLogger, createMetrics } from '@ferry/telemetry';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startHeartbeats } from '../src/heartbeat.js';
import type { ServiceRuntime } from '../src/runtime.js';

let nats: NatsServerHandle;
let bus: Bus;

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: [nats.url], name: 'heartbeat-test' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

async function healthTypes(): Promise<string[]> {
  const info = await bus.jsm.streams.info(streamNames.health);
  const types: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const stored = await bus.jsm.streams.getMessage(streamNames.health, { seq });
    if (stored !== null) types.push(stored.json<HealthEvent>().type);
  }
  return types;
}

describe('heartbeats', () => {
  it('a beat still gathering its status when the service stops is never published after stop() resolves', async () => {
    const source = 'session/hb-1';
    const runtime: ServiceRuntime = {
      service: 'session',
      instance: 'hb-1',
      source,
      version: '0.0.0',
      startedAt: new Date(),
      logger: createLogger({ service: 'session', instance: 'hb-1', level: 'silent' }),
      metrics: createMetrics({ service: 'session', instance: 'hb-1', collectDefaults: false }),
      bus,
      clock: () => new Date(),
      newEvent: eventFactory(source),
    };
    // The status check (a Redis ping, say) answers only after the stop has begun.
    let answer!: () => void;
    let asked!: () => void;
    const statusAsked = new Promise<void>((resolve) => (asked = resolve));
    const status = () => {
      asked();
      return new Promise<{ status: 'ready'; failingChecks: string[] }>((resolve) => (answer = () => resolve({ status: 'ready', failingChecks: [] })));
    };
    const heartbeats = startHeartbeats(runtime, 60_000, { status });
    await statusAsked;
    const stopping = heartbeats.stop();
    answer();
    await stopping;
    await publishEvent(bus, runtime.newEvent(InstanceStopped, { service: 'session', instance: 'hb-1', reason: 'SIGTERM', stoppedAt: new Date().toISOString() }));
    // Give a late publish the time to land, were there one.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await healthTypes()).toEqual([InstanceStopped.type]);
  });
});
