import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { TracingError } from './tracing-errors.js';

export type TracingEnv = Readonly<Record<string, string | undefined>>;

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** True when the standard switches turn the SDK or trace export off. */
export function tracingSwitchedOff(env: TracingEnv): boolean {
  return present(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true' || present(env.OTEL_TRACES_EXPORTER) === 'none';
}

function parseEndpoint(variable: string, raw: string): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  // `collector:4318` parses as a URL with scheme "collector:", so check the scheme too.
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TracingError('TRACING_ENDPOINT_INVALID', `${variable} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  }
  return url;
}

/**
 * The OTLP/HTTP traces URL per the OpenTelemetry spec: the signal-specific
 * variable is used as is, the generic one gets `/v1/traces` appended.
 * Undefined when neither is set, which means "tracing off".
 */
export function otlpTracesUrl(env: TracingEnv): string | undefined {
  const tracesEndpoint = present(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (tracesEndpoint !== undefined) return parseEndpoint('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint).href;
  const endpoint = present(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (endpoint === undefined) return undefined;
  const base = parseEndpoint('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint).href;
  return `${base.endsWith('/') ? base : `${base}/`}v1/traces`;
}

/** OTLP headers (`key=value,key2=value2`); the traces-specific ones win. */
export function otlpHeaders(env: TracingEnv): Record<string, string> | undefined {
  const headers = {
    ...parseKeyPairsIntoRecord(present(env.OTEL_EXPORTER_OTLP_HEADERS)),
    ...parseKeyPairsIntoRecord(present(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS)),
  };
  return Object.keys(headers).length === 0 ? undefined : headers;
}
