import type { JsMsg } from '@nats-io/jetstream';
import { createEvent, DeadLettered } from '@ferry/contracts';
import type { Bus } from './connection.js';
import { publishEvent } from './publisher.js';

const MAX_PAYLOAD_CHARS = 65_536;

export interface DeadLetterReason {
  readonly code: string;
  readonly message: string;
  readonly field?: string | undefined;
}

/**
 * Records a refused message on ferry.dlq.<consumer>. The id is derived from the
 * stream position, so a redelivered poison message is recorded once.
 */
export async function recordDeadLetter(bus: Bus, source: string, consumer: string, msg: JsMsg, reason: DeadLetterReason): Promise<void> {
  const text = Buffer.from(msg.data).toString('utf8');
  const event = createEvent(
    DeadLettered,
    {
      consumer,
      stream: msg.info.stream,
      subject: msg.subject,
      streamSequence: msg.info.streamSequence,
      deliveryCount: msg.info.deliveryCount,
      reason: { code: reason.code.slice(0, 64), message: reason.message.slice(0, 2048), ...(reason.field ? { field: reason.field.slice(0, 256) } : {}) },
      payload: text.slice(0, MAX_PAYLOAD_CHARS),
      payloadTruncated: text.length > MAX_PAYLOAD_CHARS,
      recordedAt: new Date().toISOString(),
    },
    { source, id: `dlq:${consumer}:${msg.info.stream}:${msg.info.streamSequence}` },
  );
  await publishEvent(bus, event);
}
