import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishEvent, type Bus } from '@ferry/bus';
import { instrument, SpanKind } from '@ferry/telemetry';
import { createTestTracing } from '@ferry/telemetry/testing';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startIndexer, testBus, type IndexerHandle, removeStateDirs } from './harness.js';
import * as f from './fixtures.js';

let tracing: ReturnType<typeof createTestTracing>;
let nats: NatsServerHandle;
let bus: Bus;
let indexer: IndexerHandle;

beforeAll(async () => {
  tracing = createTestTracing();
  nats = await startNats();
  bus = await testBus(nats.url);
  indexer = await startIndexer(nats.url);
});

afterAll(async () => {
  await indexer?.stop();
  await bus?.close();
  await nats?.stop();
  removeStateDirs();
  await tracing?.shutdown();
});

describe('tracing', () => {
  it('a projected transfer continues the trace of the command that published it', async () => {
    const event = f.completed({ transferId: 'traced' });
    const traceId = await instrument({
      name: 'ftp STOR',
      kind: SpanKind.SERVER,
      fn: async (span) => {
        await publishEvent(bus, event);
        return span.spanContext().traceId;
      },
    });
    await vi.waitFor(
      () => {
        const span = tracing.spans().find((s) => s.name === 'project ferry.transfer.completed.v1');
        if (span === undefined) throw new Error('no projection span yet');
        expect(span.spanContext().traceId).toBe(traceId);
        expect(span.attributes['messaging.message.id']).toBe(event.id);
      },
      { timeout: 15_000, interval: 50 },
    );
  });
});
