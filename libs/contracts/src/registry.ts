import type { EventDefinition } from './events/define.js';
import { alertEvents, type AlertEvent } from './events/alert.js';
import { authEvents, type AuthEvent } from './events/auth.js';
import { deadLetterEvents, type DeadLettered } from './events/dead-letter.js';
import { fsEvents, type FsEvent } from './events/fs.js';
import { healthEvents, type HealthEvent } from './events/health.js';
import { sessionEvents, type SessionEvent } from './events/session.js';
import { transferEvents, type TransferEvent } from './events/transfer.js';
import { userEvents, type UserEvent } from './events/user.js';

/** One discriminated union per stream. */
export type ActivityEvent = AuthEvent | SessionEvent | TransferEvent | FsEvent;
export type FerryEvent = UserEvent | ActivityEvent | HealthEvent | AlertEvent | DeadLettered;
export type FerryEventType = FerryEvent['type'];

export const activityEvents = [...authEvents, ...sessionEvents, ...transferEvents, ...fsEvents] as const;

export const allEventDefinitions: readonly EventDefinition[] = [
  ...userEvents,
  ...activityEvents,
  ...healthEvents,
  ...alertEvents,
  ...deadLetterEvents,
];

const definitionsByType = new Map<string, EventDefinition>(allEventDefinitions.map((definition) => [definition.type, definition]));

export function eventDefinitionOf(type: string): EventDefinition | undefined {
  return definitionsByType.get(type);
}

/** The subject an event is published on, derived from its type and data. */
export function subjectOf(event: { type: string; data: unknown }): string {
  const definition = definitionsByType.get(event.type);
  if (definition === undefined) throw new RangeError(`unknown event type ${event.type}`);
  return definition.subjectOf(event.data);
}
