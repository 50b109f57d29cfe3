import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { FerryError, parseEvent, type EventDefinition, type FerryEvent } from '@ferry/contracts';
import { context, instrument, SpanKind } from '@ferry/telemetry';
import { sleep, type Bus } from './connection.js';
import { recordDeadLetter, type DeadLetterReason } from './dead-letter.js';
import { traceContextOf } from './trace-headers.js';

export interface Delivery {
  readonly subject: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  /** Messages left in the stream for this consumer after this one. */
  readonly pending: number;
}

export type ConsumeOutcome = 'acked' | 'retried' | 'dead_lettered' | 'skipped';

export interface DurableConsumerOptions<E extends FerryEvent> {
  readonly stream: string;
  /** The durable name: the consumer's position survives restarts under this name. */
  readonly durable: string;
  /** "<service>/<instance>", the source of dead-letter records. */
  readonly source: string;
  /** One subject filter (nats-server 2.9 accepts one). */
  readonly filterSubject?: string;
  /** The event types this consumer understands. */
  readonly events: readonly EventDefinition[];
  readonly handle: (event: E, delivery: Delivery) => Promise<void>;
  /** What to do with a valid envelope of a type not in `events`: skip (ack, counted) or dead-letter. */
  readonly unknownTypes?: 'skip' | 'dead-letter';
  readonly maxDeliver?: number;
  /** Delay before redelivery after the Nth failure; the last value repeats. */
  readonly redeliveryBackoffMs?: readonly number[];
  readonly ackWaitMs?: number;
  readonly batchSize?: number;
  /** Where a new durable starts: the whole stream (default) or only new messages. */
  readonly startAt?: 'all' | 'new';
  readonly onOutcome?: (outcome: ConsumeOutcome, delivery: Delivery) => void;
}

export interface RunningConsumer {
  /** Stops fetching, lets the message in hand finish, and resolves. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * A typed durable pull consumer with explicit acks. Every message is settled:
 * ack on success, nak(delay) for a retryable failure, and for poison (invalid
 * payload, a non-retryable error, or too many deliveries) a dead-letter record
 * with the reason followed by term, so the consumer goes on.
 */
export async function startDurableConsumer<E extends FerryEvent>(bus: Bus, options: DurableConsumerOptions<E>): Promise<RunningConsumer> {
  const maxDeliver = options.maxDeliver ?? 10;
  const settle = new MessageSettler(bus, options, maxDeliver);
  let stopped = false;
  let messages: ConsumerMessages = await openMessages(bus, options, maxDeliver);
  // The iterator ends only when stopped, or when the server lost the consumer
  // (deleted, stream recreated): then it is re-created and consumption resumes.
  const loop = (async () => {
    for (;;) {
      try {
        for await (const msg of messages) await settle.process(msg);
      } catch (error) {
        bus.logger.error({ err: error, durable: options.durable }, 'consumer failed');
      }
      if (stopped) return;
      bus.logger.warn({ durable: options.durable }, 'consumer ended unexpectedly, re-creating it');
      messages = await reopen(bus, options, maxDeliver, () => stopped);
      if (stopped) return;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      messages.stop();
      await loop;
    },
  };
}

async function openMessages(bus: Bus, options: DurableSettings, maxDeliver: number): Promise<ConsumerMessages> {
  await ensureDurable(bus, options, maxDeliver);
  const consumer = await bus.js.consumers.get(options.stream, options.durable);
  return consumer.consume({ max_messages: options.batchSize ?? 256, abort_on_missing_resource: true });
}

async function reopen(bus: Bus, options: DurableSettings, maxDeliver: number, stopped: () => boolean): Promise<ConsumerMessages> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openMessages(bus, options, maxDeliver);
    } catch (error) {
      if (stopped()) throw error;
      bus.logger.error({ err: error, durable: options.durable, attempt }, 'could not re-create consumer, retrying');
      await sleep(Math.min(5_000, 250 * attempt));
    }
  }
}

type DurableSettings = Pick<DurableConsumerOptions<FerryEvent>, 'stream' | 'durable' | 'filterSubject' | 'startAt' | 'ackWaitMs' | 'batchSize'>;

async function ensureDurable(bus: Bus, options: DurableSettings, maxDeliver: number): Promise<void> {
  try {
    const info = await bus.jsm.consumers.info(options.stream, options.durable);
    if (options.filterSubject !== undefined && info.config.filter_subject !== options.filterSubject) {
      bus.logger.warn({ durable: options.durable, existing: info.config.filter_subject, wanted: options.filterSubject }, 'durable consumer exists with another filter; keeping the existing one');
    }
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
  }
  await bus.jsm.consumers.add(options.stream, {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: options.startAt === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    max_deliver: maxDeliver + 1,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: Math.max(1_000, (options.batchSize ?? 256) * 4),
    ...(options.filterSubject === undefined ? {} : { filter_subject: options.filterSubject }),
  });
}

class MessageSettler<E extends FerryEvent> {
  constructor(
    private readonly bus: Bus,
    private readonly options: DurableConsumerOptions<E>,
    private readonly maxDeliver: number,
  ) {}

  async process(msg: JsMsg): Promise<void> {
    const delivery: Delivery = {
      subject: msg.subject,
      streamSequence: msg.info.streamSequence,
      deliveryCount: msg.info.deliveryCount,
      pending: msg.info.pending,
    };
    const parsed = parseEvent<E>(msg.data, this.options.events);
    if (!parsed.ok) {
      if (parsed.error.code === 'EVENT_UNKNOWN_TYPE' && this.options.unknownTypes === 'skip') {
        msg.ack();
        return this.report('skipped', delivery);
      }
      const reason = { code: parsed.error.code, message: parsed.error.message, field: parsed.error.field };
      return this.deadLetter(msg, delivery, reason);
    }
    const event = parsed.event;
    try {
      await context.with(traceContextOf(msg.headers), () =>
        instrument({
          name: `consume ${event.type}`,
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.system': 'nats', 'messaging.consumer.group.name': this.options.durable, 'messaging.message.id': event.id },
          fn: () => this.options.handle(event, delivery),
        }),
      );
      msg.ack();
      this.report('acked', delivery);
    } catch (error) {
      const retryable = !(error instanceof FerryError) || error.retryable;
      if (retryable && delivery.deliveryCount < this.maxDeliver) {
        const backoff = this.options.redeliveryBackoffMs ?? DEFAULT_BACKOFF_MS;
        const delay = backoff[Math.min(delivery.deliveryCount - 1, backoff.length - 1)] ?? 1_000;
        this.bus.logger.warn({ err: error, eventId: event.id, deliveryCount: delivery.deliveryCount, retryInMs: delay }, 'event handler failed, will redeliver');
        msg.nak(delay);
        return this.report('retried', delivery);
      }
      const code = error instanceof FerryError ? error.code : 'HANDLER_FAILED';
      const why = retryable ? `gave up after ${delivery.deliveryCount} deliveries: ${(error as Error).message}` : (error as Error).message;
      return this.deadLetter(msg, delivery, { code, message: why });
    }
  }

  private async deadLetter(msg: JsMsg, delivery: Delivery, reason: DeadLetterReason): Promise<void> {
    try {
      await recordDeadLetter(this.bus, this.options.source, this.options.durable, msg, reason);
    } catch (error) {
      // Never lose a poison message silently: keep it and try again later.
      this.bus.logger.error({ err: error, streamSequence: delivery.streamSequence }, 'could not record dead letter, will redeliver');
      msg.nak(5_000);
      return this.report('retried', delivery);
    }
    this.bus.logger.warn({ reason, subject: delivery.subject, streamSequence: delivery.streamSequence, consumer: this.options.durable }, 'message dead-lettered');
    // No reason argument: nats-server 2.9 ignores a TERM that carries one, leaving the message pending.
    msg.term();
    this.report('dead_lettered', delivery);
  }

  private report(outcome: ConsumeOutcome, delivery: Delivery): void {
    this.options.onOutcome?.(outcome, delivery);
  }
}
