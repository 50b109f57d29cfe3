import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { extractTraceContext, injectTraceContext, type Context } from '@ferry/telemetry';

/** Puts the active trace context (W3C traceparent/tracestate) into NATS headers. */
export function headersWithTraceContext(base?: MsgHdrs): MsgHdrs {
  const target = base ?? natsHeaders();
  injectTraceContext((key, value) => target.set(key, value));
  return target;
}

/** The trace context a message carried, to run its handler under. */
export function traceContextOf(headers: MsgHdrs | undefined): Context {
  return extractTraceContext((key) => (headers?.has(key) ? headers.get(key) : undefined));
}
