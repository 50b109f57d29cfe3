import { NoRespondersError, TimeoutError, headers as natsHeaders, type Msg, type Subscription } from '@nats-io/transport-node';
import { ContractViolationError, describeIssue, FerryError, rpcWireReply, type RpcDefinition, type RpcErrorBody, type RpcReply, type RpcRequest } from '@ferry/contracts';
import { context, instrument, SpanKind } from '@ferry/telemetry';
import type { z } from 'zod';
import type { Bus } from './connection.js';
import { BusUnavailableError, RpcNoRespondersError, RpcRemoteError, RpcTimeoutError } from './errors.js';
import { headersWithTraceContext, traceContextOf } from './trace-headers.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends a request validated against its contract and returns the validated
 * reply; every failure is a typed error (timeout, nobody listening, the
 * responder's own typed error, or a reply that breaks the contract).
 */
export async function request<D extends RpcDefinition>(bus: Bus, definition: D, body: RpcRequest<D>, options: { timeoutMs?: number } = {}): Promise<RpcReply<D>> {
  const checked = definition.request.safeParse(body);
  if (!checked.success) {
    const { field, message } = describeIssue(checked.error);
    throw new ContractViolationError(`invalid ${definition.name} request: ${message}`, field, checked.error);
  }
  const timeoutMs = options.timeoutMs ?? definition.timeoutMs;
  return instrument({
    name: `rpc ${definition.name}`,
    kind: SpanKind.CLIENT,
    attributes: { 'rpc.system': 'nats', 'rpc.method': definition.name },
    fn: async () => {
      let reply: Msg;
      try {
        reply = await bus.nc.request(definition.subject, encoder.encode(JSON.stringify(checked.data)), { timeout: timeoutMs, headers: headersWithTraceContext(natsHeaders()) });
      } catch (error) {
        throw mapRequestError(error, definition.subject, timeoutMs);
      }
      return parseReply(definition, reply.data);
    },
  });
}

function mapRequestError(error: unknown, subject: string, timeoutMs: number): FerryError {
  if (error instanceof TimeoutError) return new RpcTimeoutError(subject, timeoutMs, error);
  if (error instanceof NoRespondersError || (error instanceof Error && /no responders/i.test(error.message))) return new RpcNoRespondersError(subject, error);
  return new BusUnavailableError(`request on ${subject} failed: ${(error as Error).message}`, error);
}

function parseReply<D extends RpcDefinition>(definition: D, data: Uint8Array): RpcReply<D> {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new ContractViolationError(`${definition.name} reply is not JSON`, undefined, error);
  }
  const wire = rpcWireReply(definition.reply).safeParse(json);
  if (!wire.success) {
    const { field, message } = describeIssue(wire.error);
    throw new ContractViolationError(`${definition.name} reply breaks its contract: ${message}`, field, wire.error);
  }
  if (!wire.data.ok) {
    const { code, message, retryable, field } = wire.data.error;
    throw new RpcRemoteError(code, message, retryable, field);
  }
  return wire.data.result as RpcReply<D>;
}

export interface RpcContext {
  readonly subject: string;
}

export type RpcHandler<D extends RpcDefinition> = (body: z.infer<D['request']>, ctx: RpcContext) => Promise<RpcReply<D>>;

export interface Responder {
  stop(): Promise<void>;
}

/**
 * Answers requests for one contract. Instances share the load through a queue
 * group. A request that breaks the contract gets a CONTRACT_VIOLATION error
 * naming the field; a FerryError thrown by the handler travels with its code;
 * anything else is logged here and answered as a bare INTERNAL error, so
 * internal details never reach the caller.
 */
export function serve<D extends RpcDefinition>(bus: Bus, definition: D, handler: RpcHandler<D>, options: { queue?: string } = {}): Responder {
  const inFlight = new Set<Promise<void>>();
  const subscription: Subscription = bus.nc.subscribe(definition.subject, {
    queue: options.queue ?? definition.subject,
    callback: (error, msg) => {
      if (error) {
        bus.logger.error({ err: error, subject: definition.subject }, 'responder subscription failed');
        return;
      }
      const handling = answer(bus, definition, handler, msg).finally(() => inFlight.delete(handling));
      inFlight.add(handling);
    },
  });
  return {
    stop: async () => {
      await subscription.drain();
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function answer<D extends RpcDefinition>(bus: Bus, definition: D, handler: RpcHandler<D>, msg: Msg): Promise<void> {
  const respond = (wire: unknown) => {
    if (msg.reply) msg.respond(encoder.encode(JSON.stringify(wire)));
  };
  const fail = (body: RpcErrorBody) => respond({ ok: false, error: body });
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(msg.data));
  } catch {
    return fail({ code: 'CONTRACT_VIOLATION', message: `${definition.name} request is not JSON`, retryable: false });
  }
  const parsed = definition.request.safeParse(json);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    return fail({ code: 'CONTRACT_VIOLATION', message: `invalid ${definition.name} request: ${message}`, retryable: false, field });
  }
  await context.with(traceContextOf(msg.headers), async () => {
    try {
      const result = await instrument({
        name: `serve ${definition.name}`,
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'nats', 'rpc.method': definition.name },
        fn: () => handler(parsed.data as z.infer<D['request']>, { subject: msg.subject }),
      });
      const checked = definition.reply.safeParse(result);
      if (!checked.success) {
        bus.logger.error({ subject: definition.subject, issue: describeIssue(checked.error).message }, 'handler produced a reply that breaks the contract');
        return fail({ code: 'INTERNAL', message: 'internal error', retryable: true });
      }
      respond({ ok: true, result: checked.data });
    } catch (error) {
      if (error instanceof FerryError) {
        return fail({ code: error.code, message: error.message, retryable: error.retryable });
      }
      bus.logger.error({ err: error, subject: definition.subject }, 'request handler failed');
      fail({ code: 'INTERNAL', message: 'internal error', retryable: true });
    }
  });
}
