import { createEvent, DeadLettered, FerryError, streamNames } from '@ferry/contracts';
import { publishEvent, traceContextOf, type Bus } from '@ferry/bus';
import { context, instrument, SpanKind } from '@ferry/telemetry';
import { parseActivity } from './parse.js';
import type { BatchItem } from './projection-store.js';
import type { StoreHolder } from './store-files.js';

type Consumer = Awaited<ReturnType<Bus['js']['consumers']['get']>>;
type Fetched = Awaited<ReturnType<Consumer['fetch']>>;
type JsMsg = Fetched extends AsyncIterable<infer M> ? M : never;
type ConsumerConfig = Parameters<Bus['jsm']['consumers']['add']>[1];

export type Outcome = 'applied' | 'duplicate' | 'skipped' | 'dead_lettered' | 'retried';

export interface BatchConsumerOptions {
  readonly durable: string;
  /** "<service>/<instance>", the source of dead-letter records. */
  readonly source: string;
  readonly batchSize: number;
  readonly ackWaitMs: number;
  /** Deliveries of a message before it is dead-lettered. */
  readonly maxDeliver?: number;
  /** How long one fetch waits for messages when the stream is idle. */
  readonly fetchExpiresMs?: number;
  readonly onOutcome?: (outcome: Outcome, count: number) => void;
  readonly logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const MAX_PAYLOAD_CHARS = 65_536;
/**
 * How long one pull may wait for messages. The client ends a pull when two of its idle
 * heartbeats (half of this) are missed; at 1 s a long commit tripped that, and the
 * events behind it waited for the retry (freshness p99 of 2 s at 1,000 transfers/s).
 */
const FETCH_EXPIRES_MS = 5_000;
const RETRY_DELAY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Why not `startDurableConsumer` from @ferry/bus: it settles one message per handler
 * call, so every event is its own SQLite transaction (~2k events/s here, fsync-bound).
 * This consumer fetches up to `batchSize` messages, applies them in ONE transaction
 * (events, their ids and the position together), and acks them only after the commit.
 * Settling follows the bus's rules: poison (invalid payload, or failing `maxDeliver`
 * times) is recorded on ferry.dlq.<durable> and terminated; unknown types are skipped.
 */
export async function startBatchConsumer(bus: Bus, holder: StoreHolder, options: BatchConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const maxDeliver = options.maxDeliver ?? 10;
  await ensureDurable(bus, options, maxDeliver);
  const consumer = await bus.js.consumers.get(streamNames.activity, options.durable);
  let stopping = false;
  let current: Fetched | undefined;
  const loop = (async () => {
    while (!stopping) {
      let messages: JsMsg[] = [];
      let failure: unknown;
      try {
        current = await consumer.fetch({ max_messages: options.batchSize, expires: options.fetchExpiresMs ?? FETCH_EXPIRES_MS });
        for await (const message of current) {
          messages.push(message);
          // Commit when the batch is full, or at once when nothing else is waiting (fresh at low rates).
          if (messages.length >= options.batchSize || message.info.pending === 0) {
            const batch = messages;
            messages = [];
            await settleBatch(bus, holder, options, maxDeliver, batch);
          }
        }
      } catch (error) {
        failure = error;
      }
      // Delivered messages are settled, not left to redeliver after ack_wait.
      if (messages.length > 0) await settleBatch(bus, holder, options, maxDeliver, messages);
      // A pull that ends early (its heartbeats missed while a commit held the event loop)
      // is only a pull: the next one starts at once.
      if (failure !== undefined && !stopping && !/heartbeats missed/i.test((failure as Error).message)) {
        options.logger.warn({ err: failure }, 'fetching activity failed, retrying');
        await new Promise((done) => setTimeout(done, 500));
      }
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      void current?.close();
      await loop;
    },
  };
}

async function ensureDurable(bus: Bus, options: BatchConsumerOptions, maxDeliver: number): Promise<void> {
  try {
    await bus.jsm.consumers.info(streamNames.activity, options.durable);
    return;
  } catch (error) {
    if (!/consumer not found/i.test((error as Error).message)) throw error;
  }
  // Enum values of @nats-io/jetstream written as their wire strings: this service does not depend on the client directly.
  const config = {
    durable_name: options.durable,
    ack_policy: 'explicit',
    deliver_policy: 'all',
    max_deliver: maxDeliver + 1,
    ack_wait: options.ackWaitMs * 1_000_000,
    max_ack_pending: Math.max(1_000, options.batchSize * 4),
  } as unknown as ConsumerConfig;
  await bus.jsm.consumers.add(streamNames.activity, config);
}

interface Sorted {
  readonly items: BatchItem[];
  readonly settle: (() => void)[];
  /** One consumer span per applied event, in the trace its producer started. */
  readonly spans: (() => Promise<void>)[];
  readonly poison: { message: JsMsg; code: string; text: string; field?: string | undefined }[];
}

function sort(messages: readonly JsMsg[]): Sorted {
  const sorted: Sorted = { items: [], settle: [], spans: [], poison: [] };
  for (const message of messages) {
    const seq = message.info.streamSequence;
    const parsed = parseActivity(message.data);
    if (parsed.ok) {
      sorted.items.push({ event: parsed.event, seq });
      const attributes = { 'messaging.system': 'nats', 'messaging.message.id': parsed.event.id, 'messaging.batch.message_count': messages.length };
      sorted.spans.push(() => context.with(traceContextOf(message.headers), () => instrument({ name: `project ${parsed.event.type}`, kind: SpanKind.CONSUMER, attributes, fn: () => Promise.resolve() })));
    }
    else if (parsed.error.code === 'EVENT_UNKNOWN_TYPE') sorted.items.push({ seq });
    else sorted.poison.push({ message, code: parsed.error.code, text: parsed.error.message, field: parsed.error.field });
    if (parsed.ok || parsed.error.code === 'EVENT_UNKNOWN_TYPE') sorted.settle.push(() => message.ack());
  }
  return sorted;
}

async function settleBatch(bus: Bus, holder: StoreHolder, options: BatchConsumerOptions, maxDeliver: number, messages: readonly JsMsg[]): Promise<void> {
  const { items, settle, spans, poison } = sort(messages);
  try {
    const results = await holder.applyBatch(items);
    for (const ack of settle) ack();
    await Promise.all(spans.map((span) => span()));
    for (const outcome of ['applied', 'duplicate', 'skipped'] as const) options.onOutcome?.(outcome, results.filter((r) => r === outcome).length);
  } catch (error) {
    // One bad event must not hold the batch hostage: settle the messages one by one.
    options.logger.warn({ err: error, messages: items.length }, 'batch failed, applying its messages one by one');
    await settleOneByOne(bus, holder, options, maxDeliver, messages.filter((m) => !poison.some((p) => p.message === m)), items);
  }
  for (const bad of poison) await deadLetter(bus, holder, options, bad.message, { code: bad.code, message: bad.text, field: bad.field });
}

async function settleOneByOne(bus: Bus, holder: StoreHolder, options: BatchConsumerOptions, maxDeliver: number, messages: readonly JsMsg[], items: readonly BatchItem[]): Promise<void> {
  for (const [i, message] of messages.entries()) {
    const item = items[i];
    if (item === undefined) continue;
    try {
      const [result] = await holder.applyBatch([item]);
      message.ack();
      options.onOutcome?.(result ?? 'applied', 1);
    } catch (error) {
      const retryable = !(error instanceof FerryError) || error.retryable;
      if (retryable && message.info.deliveryCount < maxDeliver) {
        message.nak(RETRY_DELAY_MS[Math.min(message.info.deliveryCount - 1, RETRY_DELAY_MS.length - 1)]);
        options.onOutcome?.('retried', 1);
      } else {
        await deadLetter(bus, holder, options, message, { code: error instanceof FerryError ? error.code : 'HANDLER_FAILED', message: `gave up after ${message.info.deliveryCount} deliveries: ${(error as Error).message}` });
      }
    }
  }
}

async function deadLetter(bus: Bus, holder: StoreHolder, options: BatchConsumerOptions, message: JsMsg, reason: { code: string; message: string; field?: string | undefined }): Promise<void> {
  const text = Buffer.from(message.data).toString('utf8');
  const stream = message.info.stream;
  const seq = message.info.streamSequence;
  const event = createEvent(
    DeadLettered,
    {
      consumer: options.durable,
      stream,
      subject: message.subject,
      streamSequence: seq,
      deliveryCount: message.info.deliveryCount,
      reason: { code: reason.code.slice(0, 64), message: reason.message.slice(0, 2048), ...(reason.field ? { field: reason.field.slice(0, 256) } : {}) },
      payload: text.slice(0, MAX_PAYLOAD_CHARS),
      payloadTruncated: text.length > MAX_PAYLOAD_CHARS,
      recordedAt: new Date().toISOString(),
    },
    // The same id as @ferry/bus gives it: a redelivered poison message is recorded once.
    { source: options.source, id: `dlq:${options.durable}:${stream}:${seq}` },
  );
  try {
    await publishEvent(bus, event);
  } catch (error) {
    options.logger.error({ err: error, streamSequence: seq }, 'could not record dead letter, will redeliver');
    message.nak(5_000);
    options.onOutcome?.('retried', 1);
    return;
  }
  options.logger.warn({ reason, subject: message.subject, streamSequence: seq, consumer: options.durable }, 'message dead-lettered');
  message.term(reason.code);
  await holder.applyBatch([{ seq }]);
  options.onOutcome?.('dead_lettered', 1);
}
