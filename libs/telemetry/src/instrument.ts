import {
  context,
  isSpanContextValid,
  propagation,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

const TRACER_NAME = '@ferry/telemetry';

export interface InstrumentOptions<T> {
  readonly name: string;
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The work; runs with its span active, so spans it starts become children. */
  readonly fn: (span: Span) => T | PromiseLike<T>;
}

function recordFailure(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

/**
 * Runs `fn` inside an active span: ERROR status and the exception on a throw
 * (then rethrows), always ended. Success leaves the status UNSET, as the
 * OpenTelemetry spec asks, so `fn` can still set its own. When tracing is off
 * the span is a no-op and `fn` simply runs.
 */
export function instrument<T>({ name, kind, attributes, fn }: InstrumentOptions<T>): Promise<T> {
  // Looked up per call: a tracer cached at module load would outlive a provider
  // that was shut down and replaced.
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Writes `traceparent` (and `tracestate`) of the active context, e.g. into NATS headers. */
export function injectTraceContext(setter: (key: string, value: string) => void): void {
  propagation.inject(context.active(), undefined, { set: (_carrier, key, value) => setter(key, value) });
}

/**
 * Reads trace context from incoming headers; run the handler under it with
 * `context.with(extracted, handler)` so its spans continue the sender's trace.
 */
export function extractTraceContext(getter: (key: string) => string | undefined): Context {
  return propagation.extract(context.active(), undefined, {
    get: (_carrier, key) => getter(key),
    keys: () => [],
  });
}

export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

/** The active span's ids, or undefined outside a (valid) span. */
export function currentTraceIds(): TraceIds | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : undefined;
}
