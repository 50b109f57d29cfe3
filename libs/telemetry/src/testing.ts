import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { initTracing } from './tracing.js';

export type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
export { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  /** Spans ended so far, oldest first. */
  spans(): ReadableSpan[];
  /** Forgets the spans recorded so far. */
  reset(): void;
  /** Unregisters the globals so another test can start tracing. */
  shutdown(): Promise<void>;
}

/**
 * Real tracing (globals, context manager, W3C propagator) exporting to memory,
 * span by span. Call `shutdown()` in afterEach/afterAll: only one can run at once.
 */
export function createTestTracing({ service = 'test', instance = 'test-1' } = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const tracing = initTracing({ service, instance, env: {}, exporter });
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown: () => tracing.shutdown(),
  };
}
