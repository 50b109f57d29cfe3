import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { ContractViolationError, describeIssue, encodeEvent, eventDefinitionOf, type FerryEvent } from '@ferry/contracts';
import { instrument, SpanKind } from '@ferry/telemetry';
import type { Bus } from './connection.js';
import { ConcurrencyConflictError, PublishFailedError } from './errors.js';
import { headersWithTraceContext } from './trace-headers.js';

export interface PublishOptions {
  /** Optimistic concurrency on the event's subject (an aggregate): 0 means "must not exist yet". */
  readonly expectedLastSubjectSequence?: number;
  readonly timeoutMs?: number;
}

export interface PublishReceipt {
  readonly stream: string;
  readonly seq: number;
  /** True when JetStream had already stored this event id (a retried publish). */
  readonly duplicate: boolean;
}

/**
 * Validates the event against its contract, publishes it on its subject with
 * Nats-Msg-Id = event id (stored once however often it is retried) and the
 * trace context in the headers, and waits for JetStream's ack.
 */
export async function publishEvent(bus: Bus, event: FerryEvent, options: PublishOptions = {}): Promise<PublishReceipt> {
  const definition = eventDefinitionOf(event.type);
  if (definition === undefined) throw new ContractViolationError(`unknown event type ${event.type}`, 'type');
  const checked = definition.schema.safeParse(event);
  if (!checked.success) {
    const { field, message } = describeIssue(checked.error);
    throw new ContractViolationError(`refusing to publish invalid ${event.type}: ${message}`, field, checked.error);
  }
  const subject = definition.subjectOf(event.data);
  return instrument({
    name: `publish ${event.type}`,
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'messaging.message.id': event.id },
    fn: async () => {
      const headers = headersWithTraceContext(natsHeaders());
      try {
        const ack = await bus.js.publish(subject, encodeEvent(event), {
          msgID: event.id,
          headers,
          timeout: options.timeoutMs ?? 5_000,
          ...(options.expectedLastSubjectSequence === undefined ? {} : { expect: { lastSubjectSequence: options.expectedLastSubjectSequence } }),
        });
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
      } catch (error) {
        if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence && options.expectedLastSubjectSequence !== undefined) {
          throw new ConcurrencyConflictError(subject, options.expectedLastSubjectSequence, error);
        }
        const retryable = !(error instanceof JetStreamApiError) || error.status >= 500;
        throw new PublishFailedError(`publish of ${event.type} ${event.id} to ${subject} failed: ${(error as Error).message}`, { retryable, cause: error });
      }
    },
  });
}
