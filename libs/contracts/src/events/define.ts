import { z } from 'zod';
import { Identifier, IsoTime } from '../primitives.js';

/** CloudEvents 1.0 attribute names; `data` is typed per event. */
export const EnvelopeBase = z.object({
  specversion: z.literal('1.0'),
  id: Identifier,
  source: z.string().regex(/^[a-z][a-z0-9-]*\/\S{1,128}$/, 'expected "<service>/<instance>"'),
  type: z.string().regex(/^ferry\.[a-z_]+(\.[a-z_]+)+\.v\d+$/, 'expected "ferry.<domain>.<event>.v<N>"'),
  time: IsoTime,
  subject: z.string().max(512).optional(),
});

export interface EventDefinition<Type extends string = string, Data extends z.ZodType = z.ZodType> {
  readonly type: Type;
  readonly data: Data;
  /** The full envelope schema for this event type. */
  readonly schema: z.ZodType<Envelope<Type, z.infer<Data>>>;
  /** The NATS subject an event of this type is published on. */
  readonly subjectOf: (data: z.infer<Data>) => string;
}

export interface Envelope<Type extends string, Data> {
  specversion: '1.0';
  id: string;
  source: string;
  type: Type;
  time: string;
  subject?: string | undefined;
  data: Data;
}

export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? Envelope<T, z.infer<S>> : never;

export function defineEvent<const Type extends string, Data extends z.ZodType>(
  type: Type,
  data: Data,
  subjectOf: (data: z.infer<Data>) => string,
): EventDefinition<Type, Data> {
  const schema = EnvelopeBase.extend({ type: z.literal(type), data }) as unknown as z.ZodType<Envelope<Type, z.infer<Data>>>;
  return { type, data, schema, subjectOf };
}
