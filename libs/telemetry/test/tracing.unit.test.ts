import { afterEach, describe, expect, it } from 'vitest';
import {
  context,
  currentTraceIds,
  extractTraceContext,
  initTracing,
  injectTraceContext,
  instrument,
  SpanKind,
  SpanStatusCode,
  TracingError,
} from '../src/index.js';
import { createTestTracing, type TestTracing } from '../src/testing.js';

describe('instrument with tracing on', () => {
  let tracing: TestTracing;
  afterEach(async () => {
    await tracing.shutdown();
  });

  it('records a span with its name, kind, attributes and an unset status on success', async () => {
    tracing = createTestTracing();
    const result = await instrument({
      name: 'ftp.stor',
      kind: SpanKind.SERVER,
      attributes: { 'ferry.user': 'alice' },
      fn: (span) => {
        span.setAttribute('ferry.bytes', 42);
        return 'stored';
      },
    });
    expect(result).toBe('stored');
    const [span] = tracing.spans();
    expect(span?.name).toBe('ftp.stor');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.attributes).toMatchObject({ 'ferry.user': 'alice', 'ferry.bytes': 42 });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.ended).toBe(true);
  });

  it('sets ERROR, records the exception and rethrows on a throw', async () => {
    tracing = createTestTracing();
    const failure = new Error('disk full');
    await expect(
      instrument({
        name: 'ftp.stor',
        fn: async () => {
          await Promise.resolve();
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    const [span] = tracing.spans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'disk full' });
    expect(span?.events[0]?.name).toBe('exception');
    expect(span?.events[0]?.attributes?.['exception.message']).toBe('disk full');
    expect(span?.ended).toBe(true);
  });

  it('makes a span started inside fn a child of the instrumented span', async () => {
    tracing = createTestTracing();
    await instrument({
      name: 'parent',
      fn: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await instrument({ name: 'child', fn: () => undefined });
      },
    });
    const child = tracing.spans().find((span) => span.name === 'child');
    const parent = tracing.spans().find((span) => span.name === 'parent');
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(parent?.parentSpanContext).toBeUndefined();
  });

  it('carries the trace through inject and extract', async () => {
    tracing = createTestTracing();
    const headers = new Map<string, string>();
    const sender = await instrument({
      name: 'publish',
      kind: SpanKind.PRODUCER,
      fn: () => {
        injectTraceContext((key, value) => headers.set(key, value));
        return currentTraceIds();
      },
    });
    expect(headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // Received elsewhere: a fresh root context, only the headers in hand.
    const received = context.with(context.active(), () => extractTraceContext((key) => headers.get(key)));
    await context.with(received, () => instrument({ name: 'consume', kind: SpanKind.CONSUMER, fn: () => undefined }));

    const consume = tracing.spans().find((span) => span.name === 'consume');
    expect(consume?.spanContext().traceId).toBe(sender?.traceId);
    expect(consume?.parentSpanContext?.spanId).toBe(sender?.spanId);
  });

  it('extracts nothing from headers without trace context', () => {
    tracing = createTestTracing();
    const extracted = extractTraceContext(() => undefined);
    expect(context.with(extracted, currentTraceIds)).toBeUndefined();
  });

  it('refuses to start twice without a shutdown', () => {
    tracing = createTestTracing();
    expect(() => createTestTracing()).toThrow(TracingError);
  });

  it('can start again after a shutdown', async () => {
    tracing = createTestTracing();
    await tracing.shutdown();
    tracing = createTestTracing();
    await instrument({ name: 'again', fn: () => undefined });
    expect(tracing.spans().map((span) => span.name)).toEqual(['again']);
  });
});

describe('tracing off', () => {
  it('is off without an OTLP endpoint and instrument still runs fn', async () => {
    const tracing = initTracing({ service: 'auth', instance: 'a-1', env: {} });
    expect(tracing.enabled).toBe(false);
    const result = await instrument({ name: 'login', fn: () => 7 });
    expect(result).toBe(7);
    expect(currentTraceIds()).toBeUndefined();
    const headers = new Map<string, string>();
    await instrument({ name: 'publish', fn: () => injectTraceContext((key, value) => headers.set(key, value)) });
    expect(headers.size).toBe(0);
    await tracing.shutdown();
  });

  it('still rethrows when off', async () => {
    await expect(instrument({ name: 'x', fn: () => Promise.reject(new Error('boom')) })).rejects.toThrow('boom');
  });

  it('stays off when OTEL_SDK_DISABLED=true even with an endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' };
    expect(initTracing({ service: 's', instance: 'i', env }).enabled).toBe(false);
  });

  it('rejects an endpoint that is not a URL, naming the variable', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 ' };
    expect(() => initTracing({ service: 's', instance: 'i', env })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
