import { NotificationDelivered, NotificationFailed } from '@ferry/contracts';
import type { DeliverySettings, RelayConfig } from './config.js';
import type { EventIntent, NotificationRecord, PendingNotification, RelayState } from './model.js';

/** What one POST to a webhook came to, as the adapter classified it. */
export type DeliveryResult =
  | { readonly kind: 'delivered'; readonly httpStatus: number }
  /** 5xx, 429, timeout, connection refused: try again (after retryAfterMs when the receiver said so). */
  | { readonly kind: 'transient'; readonly error: string; readonly httpStatus?: number | undefined; readonly retryAfterMs?: number | undefined }
  /** 4xx other than 429: retrying the same message cannot help. */
  | { readonly kind: 'permanent'; readonly error: string; readonly httpStatus?: number | undefined };

/** Exponential backoff with jitter (jitter in [0,1) spreads it over 50–100 %), or the receiver's Retry-After. */
export function retryDelayMs(attempts: number, settings: DeliverySettings, jitter: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.max(0, retryAfterMs);
  const exponential = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + Math.min(Math.max(jitter, 0), 1) / 2));
}

export function applyDelivery(state: RelayState, id: string, result: DeliveryResult, jitter: number, ctx: { readonly now: number; readonly config: RelayConfig }): { state: RelayState; events: EventIntent[] } {
  const pending = state.outbox[id];
  if (pending === undefined) return { state, events: [] };
  const attempts = pending.attempts + 1;
  const firstAttemptAt = pending.firstAttemptAt ?? ctx.now;
  const { [id]: _done, ...outbox } = state.outbox;
  switch (result.kind) {
    case 'delivered': {
      const next = { ...state, outbox, recent: updateRecent(state.recent, id, { outcome: 'delivered', attempts, httpStatus: result.httpStatus, updatedAt: ctx.now }) };
      return { state: next, events: [{ type: NotificationDelivered.type, data: { ...notificationRef(pending, attempts), httpStatus: result.httpStatus, deliveredAt: iso(ctx.now) } }] };
    }
    case 'permanent':
      return failed(state, outbox, pending, attempts, result.error, result.httpStatus, ctx.now);
    case 'transient': {
      if (ctx.now - firstAttemptAt >= ctx.config.delivery.giveUpAfterMs) return failed(state, outbox, pending, attempts, `gave up after ${attempts} attempts: ${result.error}`, result.httpStatus, ctx.now);
      const nextAttemptAt = ctx.now + retryDelayMs(attempts, ctx.config.delivery, jitter, result.retryAfterMs);
      const retried: PendingNotification = { ...pending, attempts, firstAttemptAt, nextAttemptAt };
      const recent = updateRecent(state.recent, id, { attempts, httpStatus: result.httpStatus, error: result.error, updatedAt: ctx.now });
      return { state: { ...state, outbox: { ...state.outbox, [id]: retried }, recent }, events: [] };
    }
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
}

function failed(state: RelayState, outbox: RelayState['outbox'], pending: PendingNotification, attempts: number, error: string, httpStatus: number | undefined, now: number) {
  const recent = updateRecent(state.recent, pending.id, { outcome: 'failed', attempts, httpStatus, error, updatedAt: now });
  const data = { ...notificationRef(pending, attempts), error: error.slice(0, 1024), failedAt: iso(now), ...(httpStatus !== undefined ? { httpStatus } : {}) };
  return { state: { ...state, outbox, recent }, events: [{ type: NotificationFailed.type, data }] };
}

function notificationRef(pending: PendingNotification, attempts: number) {
  return {
    notificationId: pending.id,
    receiver: pending.receiver,
    groupKey: pending.groupKey,
    status: pending.status,
    fingerprints: pending.alerts.map((a) => a.fingerprint),
    escalationLevel: pending.escalationLevel,
    attempts,
  };
}

function updateRecent(recent: readonly NotificationRecord[], id: string, patch: Partial<NotificationRecord>): NotificationRecord[] {
  return recent.map((record) => (record.id === id ? { ...record, ...patch } : record));
}

const iso = (ms: number) => new Date(ms).toISOString();
