import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityEvents, eventSubjects, SessionAdmit, streamNames, streamSpecs, type ActivityEvent } from '@ferry/contracts';
import { instrument, SpanKind } from '@ferry/telemetry';
import { createTestTracing } from '@ferry/telemetry/testing';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { BufferedPublisher, connectBus, ensureStreams, publishEvent, request, serve, startDurableConsumer, type Bus } from '../src/index.js';
import { eventually, source, transferCompleted } from './helpers.js';

let nats: NatsServerHandle;
let bus: Bus;
let tracing: ReturnType<typeof createTestTracing>;

beforeAll(async () => {
  tracing = createTestTracing();
  nats = await startNats();
  bus = await connectBus({ servers: [nats.url], name: 'trace-test' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop();
  await tracing?.shutdown();
});

describe('W3C trace context over NATS', () => {
  it('survives publish → JetStream → consume: the consumer span is a child of the publisher span', async () => {
    let consumedTraceId: string | undefined;
    const consumer = await startDurableConsumer<ActivityEvent>(bus, {
      stream: streamNames.activity,
      durable: 'trace-check',
      source,
      filterSubject: eventSubjects.transfer('completed'),
      events: activityEvents,
      handle: () => {
        consumedTraceId = 'seen';
        return Promise.resolve();
      },
    });
    const traceId = await instrument({ name: 'ftp STOR', kind: SpanKind.SERVER, fn: async (span) => {
      await publishEvent(bus, transferCompleted(9));
      return span.spanContext().traceId;
    } });
    await eventually(() => consumedTraceId, (seen) => seen === 'seen');
    await consumer.stop();
    const spans = await eventually(() => tracing.spans(), (list) => list.some((s) => s.name.startsWith('consume ')));
    const publish = spans.find((s) => s.name === 'publish ferry.transfer.completed.v1')!;
    const consume = spans.find((s) => s.name === 'consume ferry.transfer.completed.v1')!;
    expect(publish.spanContext().traceId).toBe(traceId);
    expect(consume.spanContext().traceId).toBe(traceId);
    expect(consume.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
  });

  it('survives request → reply: the server span is a child of the client span', async () => {
    const responder = serve(bus, SessionAdmit, () => Promise.resolve({ admitted: true as const }));
    await instrument({ name: 'ftp PASS', fn: () => request(bus, SessionAdmit, { clientIp: '127.0.0.1', gateway: 'gw-1', sessionId: 's-1' }) });
    await responder.stop();
    const spans = tracing.spans();
    const client = spans.find((s) => s.name === 'rpc session.admit')!;
    const server = spans.find((s) => s.name === 'serve session.admit')!;
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
  });

  it('an event offered to the buffered publisher is published in the trace it was offered in', async () => {
    const buffer = new BufferedPublisher(bus, { capacity: 10 });
    const event = transferCompleted(11);
    const offeredIn = await instrument({ name: 'ftp upload', fn: (span) => {
      buffer.offer(event);
      return Promise.resolve(span.spanContext());
    } });
    await buffer.stop(5_000);
    const publish = await eventually(() => tracing.spans().find((s) => s.name === 'publish ferry.transfer.completed.v1' && s.attributes['messaging.message.id'] === event.id), Boolean);
    expect(publish!.spanContext().traceId).toBe(offeredIn.traceId);
    expect(publish!.parentSpanContext?.spanId).toBe(offeredIn.spanId);
  });
});
