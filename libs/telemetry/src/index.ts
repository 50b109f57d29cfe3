export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { REDACTED, redactSecrets } from './redact.js';
export { initTracing, type Tracing, type TracingOptions } from './tracing.js';
export { TracingError } from './tracing-errors.js';
export type { TracingEnv } from './otlp-env.js';
export {
  currentTraceIds,
  extractTraceContext,
  injectTraceContext,
  instrument,
  type InstrumentOptions,
  type TraceIds,
} from './instrument.js';
export { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
export {
  createMetrics,
  type Counter,
  type Gauge,
  type Histogram,
  type Registry,
  type Metrics,
  type MetricsOptions,
} from './metrics.js';
export {
  opsRoutes,
  type OpsRoutesOptions,
  type ReadinessCheck,
  type ReadinessProbe,
  type ReadinessReport,
} from './ops-routes.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js';
