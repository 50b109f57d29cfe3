import { z } from 'zod';
import { HomePath, Identifier, IsoTime, NonNegativeInt } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { Protocol, SessionRef } from './common.js';
import { defineEvent, type EventOf } from './define.js';

export const TransferDirection = z.enum(['upload', 'download']);
export type TransferDirection = z.infer<typeof TransferDirection>;
export const TransferMode = z.enum(['passive', 'active']);
export type TransferMode = z.infer<typeof TransferMode>;

/** The fields AWS Transfer Family logs carry, and what analysts filter on. */
const TransferStart = SessionRef.extend({
  transferId: Identifier,
  protocol: Protocol,
  mode: TransferMode,
  direction: TransferDirection,
  path: HomePath,
  /** REST offset: a resumed transfer starts here. */
  offset: NonNegativeInt,
  startedAt: IsoTime,
});

const TransferEnd = TransferStart.extend({
  /** Bytes moved by this transfer (not counting the offset). */
  bytes: NonNegativeInt,
  durationMs: NonNegativeInt,
  endedAt: IsoTime,
});

export const TransferError = z.object({ code: z.string().min(1).max(64), message: z.string().max(1024) });

export const TransferStarted = defineEvent('ferry.transfer.started.v1', TransferStart, () => eventSubjects.transfer('started'));

export const TransferCompleted = defineEvent(
  'ferry.transfer.completed.v1',
  TransferEnd.extend({ status: z.literal('completed'), fileSize: NonNegativeInt.optional() }),
  () => eventSubjects.transfer('completed'),
);

/** `partial` is true when some bytes moved before the failure: the file can be resumed. */
export const TransferFailed = defineEvent(
  'ferry.transfer.failed.v1',
  TransferEnd.extend({ status: z.literal('failed'), partial: z.boolean(), error: TransferError }),
  () => eventSubjects.transfer('failed'),
);

export const TransferAborted = defineEvent(
  'ferry.transfer.aborted.v1',
  TransferEnd.extend({ status: z.literal('aborted'), partial: z.boolean(), error: TransferError.optional() }),
  () => eventSubjects.transfer('aborted'),
);

export const transferEvents = [TransferStarted, TransferCompleted, TransferFailed, TransferAborted] as const;
export type TransferStarted = EventOf<typeof TransferStarted>;
export type TransferCompleted = EventOf<typeof TransferCompleted>;
export type TransferFailed = EventOf<typeof TransferFailed>;
export type TransferAborted = EventOf<typeof TransferAborted>;
export type TransferEvent = TransferStarted | TransferCompleted | TransferFailed | TransferAborted;
