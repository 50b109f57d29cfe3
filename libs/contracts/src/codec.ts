import type { z } from 'zod';
import { ContractViolationError, EventParseError } from './errors.js';
import { EnvelopeBase, type EventDefinition, type EventOf } from './events/define.js';
import { newEventId } from './ids.js';
import { allEventDefinitions, eventDefinitionOf, type FerryEvent } from './registry.js';

/** Built once: zod compiles a schema on first use, and parseEvent runs for every consumed message. */
const LooseEnvelope = EnvelopeBase.passthrough();

export type ParseResult<E> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly error: EventParseError };

/** "data.profile.allowedCidrs[0]" from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

/** The first issue of a zod error as "field: what is expected". */
export function describeIssue(error: z.ZodError, prefix = ''): { field: string; message: string } {
  const issue = error.issues[0];
  const field = formatIssuePath([...(prefix === '' ? [] : [prefix]), ...(issue?.path ?? [])]) || '(root)';
  return { field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

export interface EventMeta {
  /** "<service>/<instance>" */
  readonly source: string;
  readonly id?: string;
  readonly time?: Date;
  readonly subject?: string;
}

/** Builds a validated event; throws ContractViolationError naming the failing field. */
export function createEvent<D extends EventDefinition>(definition: D, data: z.input<D['data']>, meta: EventMeta): EventOf<D> {
  const candidate = {
    specversion: '1.0',
    id: meta.id ?? newEventId(meta.time?.getTime()),
    source: meta.source,
    type: definition.type,
    time: (meta.time ?? new Date()).toISOString(),
    ...(meta.subject === undefined ? {} : { subject: meta.subject }),
    data,
  };
  const parsed = definition.schema.safeParse(candidate);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new ContractViolationError(`invalid ${definition.type} event: ${message}`, field, parsed.error);
  }
  return parsed.data as EventOf<D>;
}

/** Binds source and clock once per service, so call sites only pass the data. */
export function eventFactory(source: string, clock: () => Date = () => new Date()) {
  return <D extends EventDefinition>(definition: D, data: z.input<D['data']>, subject?: string): EventOf<D> =>
    createEvent(definition, data, { source, time: clock(), ...(subject === undefined ? {} : { subject }) });
}

/**
 * Parses bytes, text or an object into a typed event. Never throws: the result
 * names the failing field so that a consumer can dead-letter it with a reason.
 * Extra fields from a newer producer are dropped, not refused.
 */
export function parseEvent<E = FerryEvent>(raw: unknown, definitions: readonly EventDefinition[] = allEventDefinitions): ParseResult<E> {
  let value: unknown = raw;
  if (raw instanceof Uint8Array || typeof raw === 'string') {
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
    } catch (cause) {
      return failure('EVENT_INVALID_JSON', 'payload is not valid JSON', { cause });
    }
  }
  const envelope = LooseEnvelope.safeParse(value);
  if (!envelope.success) {
    const { field, message } = describeIssue(envelope.error);
    return failure('EVENT_INVALID_ENVELOPE', `invalid event envelope: ${message}`, { field });
  }
  const type = envelope.data.type;
  const definition = definitions === allEventDefinitions ? eventDefinitionOf(type) : definitions.find((candidate) => candidate.type === type);
  if (definition === undefined) {
    return failure('EVENT_UNKNOWN_TYPE', `unknown event type ${type}`, { field: 'type', eventType: type });
  }
  const parsed = definition.schema.safeParse(value);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    return failure('EVENT_INVALID_DATA', `invalid ${type} event: ${message}`, { field, eventType: type });
  }
  return { ok: true, event: parsed.data as E };
}

function failure(code: EventParseError['code'], message: string, details: { field?: string; eventType?: string; cause?: unknown }): ParseResult<never> {
  return { ok: false, error: new EventParseError(code, message, details) };
}

export function encodeEvent(event: { readonly id: string }): Uint8Array {
  return Buffer.from(JSON.stringify(event), 'utf8');
}
