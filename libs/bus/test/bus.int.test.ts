import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityEvents, DeadLettered, eventSubjects, streamNames, streamSpecs, TransferCompleted, type ActivityEvent, type DeadLettered as DeadLetteredEvent } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { createEvent, UserCreated, UserDisabled } from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';
import { connectBus, ConcurrencyConflictError, ensureStreams, publishEvent, startDurableConsumer, BusUnavailableError, type Bus, type RunningConsumer } from '../src/index.js';
import { eventually, fileDeleted, source, transferCompleted } from './helpers.js';

let nats: NatsServerHandle;
let bus: Bus;
const running: RunningConsumer[] = [];

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: [nats.url], name: 'bus-test' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

async function streamMessages(name: string): Promise<number> {
  return (await bus.jsm.streams.info(name)).state.messages;
}

async function collect(durable: string, filterSubject: string, into: ActivityEvent[], handle?: (event: ActivityEvent) => Promise<void>): Promise<RunningConsumer> {
  const consumer = await startDurableConsumer<ActivityEvent>(bus, {
    stream: streamNames.activity,
    durable,
    source,
    filterSubject,
    events: activityEvents,
    redeliveryBackoffMs: [50],
    handle: async (event) => {
      await handle?.(event);
      into.push(event);
    },
  });
  running.push(consumer);
  return consumer;
}

describe('streams', () => {
  it('ensureStreams is idempotent and applies changed settings', async () => {
    const again = await ensureStreams(bus, streamSpecs({ replicas: 1 }));
    expect(Object.values(again).every((outcome) => outcome === 'unchanged')).toBe(true);
    const changed = await ensureStreams(bus, streamSpecs({ replicas: 1, activityMaxAgeMs: 30 * 24 * 3600 * 1000 }));
    expect(changed[streamNames.activity]).toBe('updated');
    await ensureStreams(bus, streamSpecs({ replicas: 1 }));
  });
});

describe('publish and consume', () => {
  it('a published event is consumed by a durable consumer and acked', async () => {
    const received: ActivityEvent[] = [];
    await collect('t-basic', eventSubjects.transfer('completed'), received);
    const event = transferCompleted(1);
    const receipt = await publishEvent(bus, event);
    expect(receipt).toMatchObject({ stream: streamNames.activity, duplicate: false });
    await eventually(() => received.length, (n) => n === 1);
    expect(received[0]).toEqual(event);
    const info = await bus.jsm.consumers.info(streamNames.activity, 't-basic');
    await eventually(async () => (await bus.jsm.consumers.info(streamNames.activity, 't-basic')).num_ack_pending, (n) => n === 0);
    expect(info.delivered.stream_seq).toBeGreaterThan(0);
  });

  it('the same event id published twice is stored once', async () => {
    const before = await streamMessages(streamNames.activity);
    const event = fileDeleted(1);
    const first = await publishEvent(bus, event);
    const second = await publishEvent(bus, event);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
    expect(await streamMessages(streamNames.activity)).toBe(before + 1);
  });

  it('a consumer stopped and restarted resumes where it was and misses nothing', async () => {
    const received: ActivityEvent[] = [];
    const subject = eventSubjects.fs('delete');
    const published = Array.from({ length: 40 }, (_, i) => fileDeleted(1000 + i));
    const first = await collect('t-resume', subject, received);
    for (const event of published.slice(0, 20)) await publishEvent(bus, event);
    await eventually(() => received.length, (n) => n >= 20);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    for (const event of published.slice(20)) await publishEvent(bus, event);
    await collect('t-resume', subject, received);
    const expected = published.map((event) => event.id);
    await eventually(() => expected.filter((id) => received.some((event) => event.id === id)).length, (n) => n === expected.length);
    const ids = received.map((event) => event.id);
    // The durable started before this test's events, so earlier fs.delete events may precede ours.
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a failing handler gets the event again, with backoff, until it succeeds', async () => {
    const received: ActivityEvent[] = [];
    let failures = 0;
    await collect('t-retry', eventSubjects.transfer('completed'), received, (event) => {
      if (event.type === 'ferry.transfer.completed.v1' && event.data.path === '/upload-77.bin' && failures < 2) {
        failures += 1;
        return Promise.reject(new Error('projection store busy'));
      }
      return Promise.resolve();
    });
    await publishEvent(bus, transferCompleted(77));
    await eventually(() => received.filter((e) => e.type === 'ferry.transfer.completed.v1' && e.data.path === '/upload-77.bin').length, (n) => n === 1);
    expect(failures).toBe(2);
  });

  it('an append with a stale expected subject sequence is refused as a conflict', async () => {
    const created = createEvent(UserCreated, { ...exampleDataFor(UserCreated), username: 'conflict-user' }, { source: 'auth/a1' });
    const receipt = await publishEvent(bus, created, { expectedLastSubjectSequence: 0 });
    const disable = (by: string) => createEvent(UserDisabled, { username: 'conflict-user', by }, { source: 'auth/a1' });
    await publishEvent(bus, disable('admin-a'), { expectedLastSubjectSequence: receipt.seq });
    await expect(publishEvent(bus, disable('admin-b'), { expectedLastSubjectSequence: receipt.seq })).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(publishEvent(bus, { ...created, id: `${created.id}-again` }, { expectedLastSubjectSequence: 0 })).rejects.toBeInstanceOf(ConcurrencyConflictError);
  });
});

describe('dead letters', () => {
  async function deadLetters(): Promise<DeadLetteredEvent[]> {
    const found: DeadLetteredEvent[] = [];
    const total = await streamMessages(streamNames.deadLetters);
    for (let seq = 1; seq <= total; seq++) {
      const stored = await bus.jsm.streams.getMessage(streamNames.deadLetters, { seq });
      if (stored) found.push(stored.json<DeadLetteredEvent>());
    }
    return found;
  }

  it('a message that fails validation lands on the dead-letter subject with its reason and the consumer goes on', async () => {
    const received: ActivityEvent[] = [];
    await collect('t-dlq', eventSubjects.transfer('failed'), received);
    const subject = eventSubjects.transfer('failed');
    await bus.js.publish(subject, new TextEncoder().encode('{"specversion":"1.0","broken":'));
    const wrongField = { ...transferCompleted(5), type: 'ferry.transfer.failed.v1' };
    await bus.js.publish(subject, new TextEncoder().encode(JSON.stringify(wrongField)));
    const good = createEvent(TransferCompleted, exampleDataFor(TransferCompleted), { source });
    const goodFailed = { ...good, type: 'ferry.transfer.failed.v1', data: { ...good.data, status: 'failed', partial: false, error: { code: 'EIO', message: 'disk' } } };
    await bus.js.publish(subject, new TextEncoder().encode(JSON.stringify(goodFailed)), { msgID: goodFailed.id });
    await eventually(() => received.length, (n) => n === 1);
    const letters = await eventually(deadLetters, (list) => list.filter((l) => l.data.consumer === 't-dlq').length === 2);
    const mine = letters.filter((l) => l.data.consumer === 't-dlq').map((l) => l.data.reason);
    expect(mine[0]).toMatchObject({ code: 'EVENT_INVALID_JSON' });
    expect(mine[1]).toMatchObject({ code: 'EVENT_INVALID_DATA', field: 'data.status' });
    expect(letters.every((l) => DeadLettered.schema.safeParse(l).success)).toBe(true);
    // Terminated, not left pending: a poison message is not redelivered and recorded again.
    await eventually(async () => (await bus.jsm.consumers.info(streamNames.activity, 't-dlq')).num_ack_pending, (n) => n === 0);
  });
});

describe('connection', () => {
  it('names the address and what to do when NATS is unreachable', async () => {
    const error = await connectBus({ servers: ['nats://127.0.0.1:1'], name: 'x', connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusUnavailableError);
    expect((error as Error).message).toContain('nats://127.0.0.1:1');
    expect((error as Error).message).toContain('NATS_URL');
  });
});
