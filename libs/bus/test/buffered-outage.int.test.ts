import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityEvents, createEvent, eventSubjects, streamNames, streamSpecs, TransferStarted, type ActivityEvent } from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { BufferedPublisher, connectBus, ensureStreams, startDurableConsumer, type Bus } from '../src/index.js';
import { eventually, source } from './helpers.js';

let nats: NatsServerHandle;
let bus: Bus;

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: [nats.url], name: 'buffer-test' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

describe('buffered publisher against a real NATS outage', () => {
  it('NATS stopped for a few seconds while events are published: all arrive once it is back, none lost, none duplicated', async () => {
    const buffer = new BufferedPublisher(bus, { capacity: 10_000, maxInFlight: 64 });
    const started = (i: number) => createEvent(TransferStarted, { ...exampleDataFor(TransferStarted), path: `/outage/${i}.bin` }, { source });
    const events = Array.from({ length: 600 }, (_, i) => started(i));

    events.slice(0, 200).forEach((event) => expect(buffer.offer(event)).toBe(true));
    await buffer.flush(15_000);
    await nats.pause();
    events.slice(200, 400).forEach((event) => expect(buffer.offer(event)).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(buffer.depth).toBeGreaterThan(0);
    await nats.resume();
    events.slice(400).forEach((event) => expect(buffer.offer(event)).toBe(true));
    expect(await buffer.stop(60_000)).toEqual({ unsent: 0 });

    const received: ActivityEvent[] = [];
    const consumer = await startDurableConsumer<ActivityEvent>(bus, {
      stream: streamNames.activity,
      durable: 'outage-check',
      source,
      filterSubject: eventSubjects.transfer('started'),
      events: activityEvents,
      handle: (event) => {
        received.push(event);
        return Promise.resolve();
      },
    });
    await eventually(() => received.length, (n) => n >= events.length);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await consumer.stop();
    expect(received.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
  });
});
