import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityEvents, eventSubjects, streamNames, streamSpecs, type ActivityEvent } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { connectBus, ensureStreams, publishEvent, startDurableConsumer, type Bus, type RunningConsumer } from '../src/index.js';
import { eventually, fileDeleted, source } from './helpers.js';

let nats: NatsServerHandle;
let bus: Bus;
let consumer: RunningConsumer | undefined;

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: [nats.url], name: 'consumer-outage-test' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
});

afterAll(async () => {
  await consumer?.stop();
  await bus?.close();
  await nats?.stop();
});

describe('a durable consumer across a NATS restart', () => {
  it('keeps consuming after NATS stops and comes back, missing nothing', async () => {
    const received: ActivityEvent[] = [];
    consumer = await startDurableConsumer<ActivityEvent>(bus, {
      stream: streamNames.activity,
      durable: 'outage-consumer',
      source,
      filterSubject: eventSubjects.fs('delete'),
      events: activityEvents,
      handle: (event) => {
        received.push(event);
        return Promise.resolve();
      },
    });
    const before = Array.from({ length: 10 }, (_, i) => fileDeleted(i));
    for (const event of before) await publishEvent(bus, event);
    await eventually(() => received.length, (n) => n === 10);

    await nats.pause();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await nats.resume();
    await eventually(() => bus.isConnected(), Boolean, 20_000);

    const after = Array.from({ length: 10 }, (_, i) => fileDeleted(100 + i));
    for (const event of after) await publishEvent(bus, event);
    await eventually(() => received.length, (n) => n >= 20, 30_000);
    expect(received.map((e) => e.id)).toEqual([...before, ...after].map((e) => e.id));
  });

  it('re-creates its durable consumer when the server lost it, and goes on', async () => {
    const received: ActivityEvent[] = [];
    const lost = await startDurableConsumer<ActivityEvent>(bus, {
      stream: streamNames.activity,
      durable: 'lost-consumer',
      source,
      filterSubject: eventSubjects.fs('delete'),
      events: activityEvents,
      handle: (event) => {
        received.push(event);
        return Promise.resolve();
      },
    });
    try {
      await bus.jsm.consumers.delete(streamNames.activity, 'lost-consumer');
      const later = fileDeleted(999);
      await eventually(async () => (await bus.jsm.consumers.info(streamNames.activity, 'lost-consumer').catch(() => undefined)) !== undefined, Boolean, 30_000);
      await publishEvent(bus, later);
      await eventually(() => received.some((e) => e.id === later.id), Boolean, 30_000);
    } finally {
      await lost.stop();
    }
  });
});
