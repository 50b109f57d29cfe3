import { randomUUID } from 'node:crypto';
import type { Logger } from '@ferry/telemetry';
import { signActionToken } from '../domain/action-token.js';
import type { RelayConfig } from '../domain/config.js';
import type { DeliveryResult } from '../domain/delivery.js';
import type { Matcher } from '../domain/labels.js';
import { buildMessage } from '../domain/message.js';
import type { EventIntent, PendingNotification, RelayState } from '../domain/model.js';
import { step, type RelayInput, type RelayResult } from '../domain/relay.js';
import { evaluate, observe, prune, type WatchdogInput } from '../domain/watchdog.js';

const MAX_PENDING_EVENTS = 5_000;

export interface EngineDeps {
  readonly config: RelayConfig;
  readonly initialState: RelayState;
  readonly save: (state: RelayState) => Promise<void>;
  readonly publish: (intent: EventIntent) => Promise<void>;
  readonly post: (url: string, body: unknown, timeoutMs: number) => Promise<DeliveryResult>;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly random: () => number;
  readonly runbookBaseUrl: string;
  readonly actionBaseUrl: string | undefined;
  readonly actionSecret: string;
  readonly onDelivery?: (receiver: string, result: DeliveryResult['kind']) => void;
}

/**
 * Runs the pure relay in time: applies inputs, persists the state before any
 * notification leaves, ticks the watchdog and the groups, delivers due
 * notifications, and publishes the events the relay owes.
 */
export class RelayEngine {
  private state: RelayState;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private publishing: Promise<void> | undefined;
  private lastSaveOk = true;

  constructor(private readonly deps: EngineDeps) {
    this.state = deps.initialState;
  }

  get snapshot(): RelayState {
    return this.state;
  }

  get healthy(): boolean {
    return this.lastSaveOk;
  }

  start(): void {
    this.running = true;
    const loop = () => {
      this.tick()
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'alert-relay tick failed'))
        .finally(() => {
          if (this.running) this.timer = setTimeout(loop, this.deps.config.watchdog.evaluationIntervalMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values(), this.publishing]);
    await this.persist().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'final state save failed'));
  }

  observe(input: WatchdogInput): void {
    this.state = { ...this.state, watchdog: observe(this.state.watchdog, input) };
  }

  /** Applies one input and stores the result before answering. Throws when the state cannot be stored. */
  async apply(input: RelayInput): Promise<RelayResult> {
    const result = this.applyInMemory(input);
    await this.persist();
    return result;
  }

  async tick(): Promise<void> {
    const now = this.now();
    const rules = this.deps.config.watchdog;
    const watchdog = prune(this.state.watchdog, now, rules);
    this.state = { ...this.state, watchdog };
    this.applyInMemory({ kind: 'watchdog', desired: evaluate(watchdog, now, rules) });
    this.applyInMemory({ kind: 'tick' });
    await this.persist();
    this.deliverDue();
    this.publishPending();
  }

  createSilence(matchers: readonly Matcher[], endsAt: number, by: string, comment: string): Promise<{ id: string; result: RelayResult }> {
    const id = randomUUID();
    return this.apply({ kind: 'create_silence', id, matchers, endsAt, by, comment }).then((result) => ({ id, result }));
  }

  /** "Silence 1h" from a button: matchers are the group's labels. */
  silenceGroup(groupKey: string, by: string): Promise<{ id: string; result: RelayResult }> {
    const group = this.state.groups[groupKey];
    if (group === undefined) return Promise.resolve({ id: '', result: { ok: false, code: 'unknown_group' } });
    const matchers = Object.entries(group.groupLabels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
    return this.createSilence(matchers, this.now() + this.deps.config.actions.silenceMs, by, `silenced from chat for group ${groupKey}`);
  }

  private applyInMemory(input: RelayInput): RelayResult {
    const out = step(this.state, input, { now: this.now(), config: this.deps.config });
    this.state = out.events.length > 0 ? { ...out.state, pendingEvents: this.boundEvents([...out.state.pendingEvents, ...out.events]) } : out.state;
    for (const event of out.events) this.logEvent(event);
    return out.result;
  }

  /** While NATS is away events wait in the state; past the bound the oldest are dropped, loudly. */
  private boundEvents(events: EventIntent[]): EventIntent[] {
    if (events.length <= MAX_PENDING_EVENTS) return events;
    const dropped = events.length - MAX_PENDING_EVENTS;
    this.deps.logger.error({ dropped }, 'too many alert events waiting for NATS: dropping the oldest');
    return events.slice(dropped);
  }

  private logEvent(event: EventIntent): void {
    if (event.type.endsWith('notification_failed.v1')) {
      this.deps.logger.error({ notification: event.data }, 'ALERT NOTIFICATION FAILED: a chat message could not be delivered and was given up');
    } else {
      this.deps.logger.info({ event: event.type, data: event.data }, 'alert-relay event');
    }
  }

  private async persist(): Promise<void> {
    try {
      await this.deps.save(this.state);
      this.lastSaveOk = true;
    } catch (error) {
      this.lastSaveOk = false;
      throw error;
    }
  }

  private deliverDue(): void {
    const now = this.now();
    for (const notification of Object.values(this.state.outbox)) {
      if (notification.nextAttemptAt > now || this.inFlight.has(notification.id)) continue;
      const attempt = this.deliver(notification)
        .catch((error: unknown) => this.deps.logger.error({ err: error, notification: notification.id }, 'delivery attempt failed unexpectedly'))
        .finally(() => this.inFlight.delete(notification.id));
      this.inFlight.set(notification.id, attempt);
    }
  }

  private async deliver(notification: PendingNotification): Promise<void> {
    const receiver = this.deps.config.receivers.find((r) => r.name === notification.receiver);
    let result: DeliveryResult;
    if (receiver === undefined) {
      result = { kind: 'permanent', error: `receiver ${notification.receiver} is not configured any more` };
    } else {
      const exp = this.now() + this.deps.config.actions.tokenTtlMs;
      const tokens = {
        ack: signActionToken({ action: 'ack', groupKey: notification.groupKey, exp }, this.deps.actionSecret),
        silence: signActionToken({ action: 'silence', groupKey: notification.groupKey, exp }, this.deps.actionSecret),
      };
      const body = buildMessage(notification, receiver, { runbookBaseUrl: this.deps.runbookBaseUrl, actionBaseUrl: this.deps.actionBaseUrl, tokens });
      result = await this.deps.post(receiver.url, body, this.deps.config.delivery.timeoutMs);
    }
    this.deps.onDelivery?.(notification.receiver, result.kind);
    if (result.kind !== 'delivered') {
      this.deps.logger.warn({ notification: notification.id, receiver: notification.receiver, attempt: notification.attempts + 1, outcome: result.kind, error: result.error }, 'notification not delivered yet');
    }
    await this.apply({ kind: 'delivery', id: notification.id, result, jitter: this.deps.random() });
    this.publishPending();
  }

  private publishPending(): void {
    if (this.publishing !== undefined) return;
    this.publishing = (async () => {
      while (this.state.pendingEvents.length > 0) {
        const [head] = this.state.pendingEvents;
        if (head === undefined) break;
        try {
          await this.deps.publish(head);
        } catch (error) {
          this.deps.logger.warn({ err: error, event: head.type }, 'alert event not stored yet; will retry');
          break;
        }
        this.state = { ...this.state, pendingEvents: this.state.pendingEvents.filter((e) => e !== head) };
      }
    })().finally(() => {
      this.publishing = undefined;
    });
  }

  private now(): number {
    return this.deps.clock().getTime();
  }
}
