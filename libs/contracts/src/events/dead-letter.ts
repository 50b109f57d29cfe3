import { z } from 'zod';
import { IsoTime, NonNegativeInt } from '../primitives.js';
import { deadLetterSubjects } from '../subjects.js';
import { defineEvent, type EventOf } from './define.js';

/**
 * A message a consumer refused (it failed validation or its handler gave up).
 * The original stays in its stream; this record says who refused it and why.
 */
export const DeadLettered = defineEvent(
  'ferry.dlq.recorded.v1',
  z.object({
    consumer: z.string().min(1).max(128),
    stream: z.string().min(1).max(64),
    subject: z.string().min(1).max(512),
    streamSequence: NonNegativeInt,
    deliveryCount: NonNegativeInt,
    reason: z.object({ code: z.string().min(1).max(64), message: z.string().max(2048), field: z.string().max(256).optional() }),
    /** The original payload as UTF-8 text, cut at 64 KiB. */
    payload: z.string().max(65_536),
    payloadTruncated: z.boolean(),
    recordedAt: IsoTime,
  }),
  (data) => deadLetterSubjects.forConsumer(data.consumer),
);

export const deadLetterEvents = [DeadLettered] as const;
export type DeadLettered = EventOf<typeof DeadLettered>;
