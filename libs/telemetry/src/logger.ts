import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { redactSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Service name, e.g. `ftp-gateway`; on every line as `service`. */
  readonly service: string;
  /** This process's instance id; on every line as `instance`. */
  readonly instance: string;
  readonly level: LevelWithSilent;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/** Correlates a log line with the trace a collector shows for the same work. */
function activeTraceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

function redactRecord(record: Record<string, unknown>): Record<string, unknown> {
  return redactSecrets(record) as Record<string, unknown>;
}

function serializeError(value: unknown): unknown {
  // The log formatter has usually serialised errors already; this catches the rest.
  return value instanceof Error ? redactSecrets(value) : value;
}

type Bindings = Parameters<Logger['setBindings']>[0];

/**
 * pino runs `formatters.bindings` for the root logger's bindings only; a
 * child's bindings are stringified once, verbatim. So redact them on the way
 * in. Children of children inherit these methods through the prototype chain.
 */
function redactChildBindings(logger: Logger): Logger {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound below with the caller's `this`
  const { child, setBindings } = logger;
  logger.child = function (this: Logger, bindings: Bindings, options?: Parameters<Logger['child']>[1]) {
    return child.call(this, redactRecord(bindings), options);
  } as Logger['child'];
  logger.setBindings = function (this: Logger, bindings: Bindings) {
    setBindings.call(this, redactRecord(bindings));
  };
  return logger;
}

/**
 * A pino JSON logger that never writes a password. pino's own `redact` only
 * knows fixed paths; credentials show up at any depth (request bodies, error
 * causes, child bindings), so every object is walked instead.
 */
export function createLogger({ service, instance, level, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service, instance },
    mixin: activeTraceFields,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      // Labels ("info") rather than numbers: what on-call engineers grep for.
      level: (label: string) => ({ level: label }),
      bindings: redactRecord,
      log: redactRecord,
    },
    serializers: { err: serializeError },
  };
  return redactChildBindings(destination === undefined ? pino(options) : pino(options, destination));
}
