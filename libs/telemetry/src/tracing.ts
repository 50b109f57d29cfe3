import { context, diag, DiagLogLevel, propagation, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import { otlpHeaders, otlpTracesUrl, tracingSwitchedOff, type TracingEnv } from './otlp-env.js';
import { TracingError } from './tracing-errors.js';

// We build on @opentelemetry/sdk-trace-node (NodeTracerProvider) plus the
// OTLP/HTTP trace exporter rather than @opentelemetry/sdk-node: sdk-node pulls
// in ~196 MB of exporters and instrumentations that Ferry does not use, and we
// need nothing from it beyond a provider, a span processor and one exporter.

export interface TracingOptions {
  readonly service: string;
  readonly instance: string;
  /** The process environment, passed in by main.ts; read for the standard OTEL_* variables. */
  readonly env: TracingEnv;
  /** Export here instead of OTLP, span by span (tests). Turns tracing on whatever `env` says. */
  readonly exporter?: SpanExporter;
  /** Receives the SDK's own warnings (an unreachable collector, say); silent without one. */
  readonly logger?: Logger;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Flushes pending spans and unregisters the OpenTelemetry globals. Idempotent. */
  shutdown(): Promise<void>;
}

const TRACING_OFF: Tracing = { enabled: false, shutdown: () => Promise.resolve() };

/** The API's global is a proxy that has a delegate only once a provider is registered. */
function tracerProviderRegistered(): boolean {
  const global = trace.getTracerProvider();
  return !(global instanceof ProxyTracerProvider) || global.getDelegateTracer('@ferry/telemetry') !== undefined;
}

function chooseProcessor(env: TracingEnv, exporter: SpanExporter | undefined): SpanProcessor | undefined {
  // Tests want each span the moment it ends; production batches exports off the hot path.
  if (exporter !== undefined) return new SimpleSpanProcessor(exporter);
  if (tracingSwitchedOff(env)) return undefined;
  const url = otlpTracesUrl(env);
  if (url === undefined) return undefined;
  return new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: otlpHeaders(env) }));
}

/** Returns true when it installed a diag logger, which shutdown must then remove. */
function routeDiagnostics(logger: Logger | undefined): boolean {
  if (logger === undefined) return false;
  const log = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string) =>
    logger[level]({ component: 'opentelemetry' }, message);
  diag.setLogger(
    { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), verbose: log('debug') },
    DiagLogLevel.WARN,
  );
  return true;
}

/**
 * Starts tracing when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an exporter is given. Otherwise it
 * registers nothing: the OpenTelemetry API then hands out no-op spans, so
 * `instrument` and the propagation helpers cost next to nothing.
 */
export function initTracing({ service, instance, env, exporter, logger }: TracingOptions): Tracing {
  const processor = chooseProcessor(env, exporter);
  if (processor === undefined) return TRACING_OFF;
  // A second provider would be ignored by the API, silently losing its spans.
  if (tracerProviderRegistered()) {
    throw new TracingError('TRACING_ALREADY_STARTED', 'tracing is already started: shut it down before starting it again');
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, [ATTR_SERVICE_INSTANCE_ID]: instance }),
    spanProcessors: [processor],
  });
  const ownsDiagnostics = routeDiagnostics(logger);
  // contextManager left undefined: the provider then registers an
  // AsyncLocalStorageContextManager, which carries the active span across awaits.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { enabled: true, shutdown: onlyOnce(() => stopTracing(provider, ownsDiagnostics)) };
}

async function stopTracing(provider: NodeTracerProvider, ownsDiagnostics: boolean): Promise<void> {
  try {
    await provider.shutdown();
  } finally {
    // Unregister so the process (or the next test) can start tracing again.
    trace.disable();
    context.disable();
    propagation.disable();
    if (ownsDiagnostics) diag.disable();
  }
}

function onlyOnce(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
