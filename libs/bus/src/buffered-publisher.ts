import { FerryError, type FerryEvent } from '@ferry/contracts';
import { context, type Context } from '@ferry/telemetry';
import type { Bus } from './connection.js';
import { sleep } from './connection.js';
import { silentLogger, type BusLogger } from './logger.js';
import { publishEvent, type PublishReceipt } from './publisher.js';

export interface BufferedPublisherOptions {
  /** Events held while NATS is slow or away; beyond this, offer() refuses. */
  readonly capacity: number;
  /** Publishes awaiting their ack at once (pipelining on one connection keeps order). */
  readonly maxInFlight?: number;
  readonly logger?: BusLogger;
  /** Called once when the buffer becomes full and once when it has room again. */
  readonly onFullChange?: (full: boolean) => void;
  /** Test seam: the publish function (defaults to publishEvent on the bus). */
  readonly publish?: (event: FerryEvent) => Promise<PublishReceipt>;
}

export interface BufferedPublisherStats {
  readonly depth: number;
  readonly capacity: number;
  readonly published: number;
  readonly refused: number;
  readonly retries: number;
  readonly dropped: number;
}

/**
 * For hot paths (the gateway's transfers): offer() never waits on NATS. A
 * background loop publishes with acks; a failed batch is retried with backoff
 * until it is stored, and Nats-Msg-Id dedup makes a retry after a lost ack
 * harmless. Order is kept: a batch is retried before anything behind it.
 */
export class BufferedPublisher {
  /** Each event with the trace context it was offered in, so its publish span joins that trace. */
  private readonly queue: Array<{ readonly event: FerryEvent; readonly context: Context }> = [];
  private head = 0;
  private readonly maxInFlight: number;
  private readonly logger: BusLogger;
  private readonly publish: (event: FerryEvent) => Promise<PublishReceipt>;
  private running = true;
  private full = false;
  private wake: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly loop: Promise<void>;
  private counters = { published: 0, refused: 0, retries: 0, dropped: 0 };

  constructor(
    bus: Bus | undefined,
    private readonly options: BufferedPublisherOptions,
  ) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.maxInFlight = options.maxInFlight ?? 256;
    this.logger = options.logger ?? bus?.logger ?? silentLogger;
    const publish = options.publish ?? (bus ? (event: FerryEvent) => publishEvent(bus, event) : undefined);
    if (publish === undefined) throw new RangeError('BufferedPublisher needs a bus or a publish function');
    this.publish = publish;
    this.loop = this.run();
  }

  /** Queues an event; false (and counted) when the buffer is full or stopped. */
  offer(event: FerryEvent): boolean {
    if (!this.running || this.depth >= this.options.capacity) {
      this.counters.refused += 1;
      this.setFull(true);
      return false;
    }
    this.queue.push({ event, context: context.active() });
    this.wake?.();
    return true;
  }

  get depth(): number {
    return this.queue.length - this.head;
  }

  get isFull(): boolean {
    return this.full;
  }

  stats(): BufferedPublisherStats {
    return { depth: this.depth, capacity: this.options.capacity, ...this.counters };
  }

  /** Resolves when everything offered so far is stored, or rejects after timeoutMs. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.depth === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`event buffer not flushed within ${timeoutMs} ms (${this.depth} events left)`)), timeoutMs);
    });
    try {
      await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops accepting, flushes what is queued (up to timeoutMs) and reports what could not be stored. */
  async stop(timeoutMs: number): Promise<{ unsent: number }> {
    try {
      await this.flush(timeoutMs);
    } catch (error) {
      this.logger.error({ err: error, unsent: this.depth }, 'event buffer could not be flushed before stop');
    }
    this.running = false;
    this.wake?.();
    await this.loop;
    return { unsent: this.depth };
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (this.running) {
      if (this.depth === 0) {
        this.compact();
        this.idleWaiters.splice(0).forEach((resolve) => resolve());
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = this.queue.slice(this.head, this.head + this.maxInFlight);
      const results = await Promise.allSettled(batch.map((entry) => context.with(entry.context, () => this.publish(entry.event))));
      const firstFailure = results.findIndex((result) => result.status === 'rejected');
      const stored = firstFailure === -1 ? batch.length : firstFailure;
      this.head += stored;
      this.counters.published += stored;
      if (firstFailure === -1) {
        backoffMs = 100;
        if (this.full && this.depth < this.options.capacity * 0.9) this.setFull(false);
        continue;
      }
      const reason = (results[firstFailure] as PromiseRejectedResult).reason as Error;
      if (reason instanceof FerryError && !reason.retryable) {
        // Retrying cannot help (an invalid event): drop it loudly rather than block everything behind it.
        this.head += 1;
        this.counters.dropped += 1;
        this.logger.error({ err: reason, eventId: batch[firstFailure]?.event.id }, 'event dropped: it can never be published');
        continue;
      }
      this.counters.retries += 1;
      this.logger.warn({ err: reason, depth: this.depth, retryInMs: backoffMs }, 'event publish failed, will retry');
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
  }

  private compact(): void {
    this.queue.splice(0, this.head);
    this.head = 0;
  }

  private setFull(full: boolean): void {
    if (this.full === full) return;
    this.full = full;
    if (full) this.logger.error({ capacity: this.options.capacity }, 'event buffer full: refusing new work until NATS catches up');
    else this.logger.info({ depth: this.depth }, 'event buffer has room again');
    this.options.onFullChange?.(full);
  }
}
