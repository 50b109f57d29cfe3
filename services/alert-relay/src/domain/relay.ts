import { AlertAcknowledged, AlertFired, AlertResolved, AlertSilenced, SilenceExpired } from '@ferry/contracts';
import type { RelayConfig } from './config.js';
import { escalate, flushGroup, muteContext } from './groups.js';
import { alertNameOf, fingerprintOf, severityOf, type Matcher } from './labels.js';
import type { AlertOrigin, AlertRecord, AlertStatus, EventIntent, GroupState, NotificationRecord, PendingNotification, RelayState, Silence } from './model.js';
import { applyDelivery, type DeliveryResult } from './delivery.js';
import { groupKeyOf, groupLabelsOf, routesFor } from './routing.js';
import type { DesiredAlert } from './watchdog.js';

/** An alert as a source reports it (Alertmanager or the watchdog). */
export interface IncomingAlert {
  readonly fingerprint?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt?: number | undefined;
  readonly status: AlertStatus;
}

export type RelayInput =
  | { readonly kind: 'watchdog'; readonly desired: readonly DesiredAlert[] }
  | { readonly kind: 'alertmanager'; readonly dedupKey: string; readonly alerts: readonly IncomingAlert[] }
  | { readonly kind: 'tick' }
  | { readonly kind: 'acknowledge'; readonly groupKey: string; readonly by: string }
  | { readonly kind: 'create_silence'; readonly id: string; readonly matchers: readonly Matcher[]; readonly endsAt: number; readonly by: string; readonly comment: string }
  | { readonly kind: 'expire_silence'; readonly id: string; readonly by: string }
  | { readonly kind: 'delivery'; readonly id: string; readonly result: DeliveryResult; readonly jitter: number };

export type RelayResult = { readonly ok: true; readonly duplicate?: boolean } | { readonly ok: false; readonly code: 'unknown_group' | 'unknown_silence' | 'empty_silence' };

export interface StepContext {
  readonly now: number;
  readonly config: RelayConfig;
}

export interface StepOutput {
  readonly state: RelayState;
  readonly events: readonly EventIntent[];
  readonly result: RelayResult;
}

const OK: RelayResult = { ok: true };

/** The relay's decider: one input in, the next state and the events it owes out. Pure. */
export function step(state: RelayState, input: RelayInput, ctx: StepContext): StepOutput {
  switch (input.kind) {
    case 'watchdog':
      return observeWatchdog(state, input.desired, ctx);
    case 'alertmanager': {
      if (state.seenPayloads[input.dedupKey] !== undefined) return { state, events: [], result: { ok: true, duplicate: true } };
      const seen = { ...state, seenPayloads: { ...state.seenPayloads, [input.dedupKey]: ctx.now } };
      return upsertAll(seen, input.alerts, 'alertmanager', ctx);
    }
    case 'tick':
      return tick(state, ctx);
    case 'acknowledge':
      return acknowledge(state, input.groupKey, input.by, ctx.now);
    case 'create_silence':
      return createSilence(state, input, ctx.now);
    case 'expire_silence':
      return expireSilence(state, input.id, input.by, ctx.now);
    case 'delivery': {
      const out = applyDelivery(state, input.id, input.result, input.jitter, ctx);
      return { state: out.state, events: out.events, result: OK };
    }
    default: {
      const _exhaustive: never = input;
      return _exhaustive;
    }
  }
}

function observeWatchdog(state: RelayState, desired: readonly DesiredAlert[], ctx: StepContext): StepOutput {
  const incoming: IncomingAlert[] = desired.map((d) => ({ labels: d.labels, annotations: d.annotations, startsAt: d.startsAt, status: 'firing' }));
  const wanted = new Set(incoming.map((a) => fingerprintOf(a.labels)));
  for (const alert of Object.values(state.alerts)) {
    if (alert.origin === 'watchdog' && !wanted.has(alert.fingerprint)) {
      incoming.push({ ...alert, status: 'resolved', endsAt: ctx.now });
    }
  }
  return upsertAll(state, incoming, 'watchdog', ctx);
}

function upsertAll(state: RelayState, incoming: readonly IncomingAlert[], origin: AlertOrigin, ctx: StepContext): StepOutput {
  let next = state;
  const events: EventIntent[] = [];
  for (const alert of incoming) {
    const out = upsert(next, alert, origin, ctx);
    next = out.state;
    events.push(...out.events);
  }
  return { state: next, events, result: OK };
}

function upsert(state: RelayState, incoming: IncomingAlert, origin: AlertOrigin, ctx: StepContext): { state: RelayState; events: EventIntent[] } {
  const fingerprint = incoming.fingerprint ?? fingerprintOf(incoming.labels);
  const existing = state.alerts[fingerprint];
  if (incoming.status === 'resolved') {
    if (existing === undefined) return { state, events: [] };
    const record: AlertRecord = { ...existing, status: 'resolved', endsAt: incoming.endsAt ?? ctx.now };
    const { [fingerprint]: _gone, ...alerts } = state.alerts;
    const groups = mapGroups(state.groups, (g) => (g.alerts[fingerprint] ? { ...g, alerts: { ...g.alerts, [fingerprint]: record } } : g));
    return { state: { ...state, alerts, groups }, events: [resolvedEvent(record)] };
  }
  const isNew = existing === undefined;
  const record: AlertRecord = isNew
    ? { fingerprint, labels: incoming.labels, annotations: incoming.annotations, startsAt: incoming.startsAt, status: 'firing', origin }
    : { ...existing, annotations: incoming.annotations };
  const groups = { ...state.groups };
  for (const route of routesFor(ctx.config.route, record.labels)) {
    const groupLabels = groupLabelsOf(route, record.labels);
    const key = groupKeyOf(route, groupLabels);
    const group: GroupState = groups[key] ?? {
      key,
      receiver: route.receiver,
      groupLabels,
      createdAt: ctx.now,
      groupIntervalMs: route.groupIntervalMs,
      repeatIntervalMs: route.repeatIntervalMs,
      escalation: route.escalation,
      alerts: {},
      nextFlushAt: ctx.now + route.groupWaitMs,
      escalationLevel: 0,
      seq: 0,
    };
    groups[key] = { ...group, alerts: { ...group.alerts, [fingerprint]: record } };
  }
  return { state: { ...state, alerts: { ...state.alerts, [fingerprint]: record }, groups }, events: isNew ? [firedEvent(record)] : [] };
}

function tick(state: RelayState, ctx: StepContext): StepOutput {
  const events: EventIntent[] = [];
  const silences: Record<string, Silence> = {};
  for (const silence of Object.values(state.silences)) {
    if (!silence.expired && silence.endsAt <= ctx.now) {
      events.push({ type: SilenceExpired.type, data: { silenceId: silence.id, at: iso(ctx.now) } });
      silences[silence.id] = { ...silence, expired: true };
    } else if (!(silence.expired && ctx.now - silence.endsAt > 86_400_000)) {
      silences[silence.id] = silence;
    }
  }
  const seenPayloads = Object.fromEntries(Object.entries(state.seenPayloads).filter(([, at]) => ctx.now - at < ctx.config.history.payloadDedupMs));
  let next: RelayState = { ...state, silences, seenPayloads };
  const mute = muteContext(next, ctx.config, ctx.now);
  const groups: Record<string, GroupState> = {};
  const created: PendingNotification[] = [];
  for (const group of Object.values(next.groups)) {
    let current: GroupState | undefined = group;
    if (current.nextFlushAt <= ctx.now) {
      const flushed = flushGroup(current, ctx.config, mute, ctx.now);
      created.push(...flushed.notifications);
      current = flushed.group;
    }
    if (current !== undefined) {
      const escalated = escalate(current, mute, ctx.now);
      created.push(...escalated.notifications);
      groups[current.key] = escalated.group ?? current;
    }
  }
  next = { ...next, groups };
  for (const notification of created) next = enqueue(next, notification, ctx);
  return { state: next, events, result: OK };
}

function enqueue(state: RelayState, notification: PendingNotification, ctx: StepContext): RelayState {
  const record: NotificationRecord = {
    id: notification.id,
    receiver: notification.receiver,
    groupKey: notification.groupKey,
    status: notification.status,
    fingerprints: notification.alerts.map((a) => a.fingerprint),
    escalationLevel: notification.escalationLevel,
    attempts: 0,
    outcome: 'pending',
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  return {
    ...state,
    outbox: { ...state.outbox, [notification.id]: notification },
    recent: [...state.recent.filter((r) => r.id !== notification.id), record].slice(-ctx.config.history.recentNotifications),
  };
}

function acknowledge(state: RelayState, groupKey: string, by: string, now: number): StepOutput {
  const group = state.groups[groupKey];
  if (group === undefined) return { state, events: [], result: { ok: false, code: 'unknown_group' } };
  if (group.acknowledged !== undefined) return { state, events: [], result: OK };
  const next = { ...state, groups: { ...state.groups, [groupKey]: { ...group, acknowledged: { by, at: now } } } };
  return { state: next, events: [{ type: AlertAcknowledged.type, data: { groupKey, fingerprints: Object.keys(group.alerts), by, at: iso(now) } }], result: OK };
}

function createSilence(state: RelayState, input: Extract<RelayInput, { kind: 'create_silence' }>, now: number): StepOutput {
  if (input.matchers.length === 0) return { state, events: [], result: { ok: false, code: 'empty_silence' } };
  const silence: Silence = { id: input.id, matchers: input.matchers, startsAt: now, endsAt: input.endsAt, by: input.by, comment: input.comment, expired: false };
  const event: EventIntent = { type: AlertSilenced.type, data: { silenceId: silence.id, matchers: silence.matchers, startsAt: iso(now), endsAt: iso(silence.endsAt), by: silence.by, comment: silence.comment } };
  return { state: { ...state, silences: { ...state.silences, [silence.id]: silence } }, events: [event], result: OK };
}

function expireSilence(state: RelayState, id: string, by: string, now: number): StepOutput {
  const silence = state.silences[id];
  if (silence === undefined) return { state, events: [], result: { ok: false, code: 'unknown_silence' } };
  if (silence.expired) return { state, events: [], result: OK };
  const next = { ...state, silences: { ...state.silences, [id]: { ...silence, expired: true, endsAt: Math.min(silence.endsAt, now) } } };
  return { state: next, events: [{ type: SilenceExpired.type, data: { silenceId: id, at: iso(now), by } }], result: OK };
}

function mapGroups(groups: RelayState['groups'], fn: (g: GroupState) => GroupState): Record<string, GroupState> {
  return Object.fromEntries(Object.entries(groups).map(([key, g]) => [key, fn(g)]));
}

const iso = (ms: number) => new Date(ms).toISOString();

function alertRef(alert: AlertRecord) {
  return { fingerprint: alert.fingerprint, alertname: alertNameOf(alert.labels), severity: severityOf(alert.labels), labels: alert.labels };
}

function firedEvent(alert: AlertRecord): EventIntent {
  const annotations = Object.fromEntries(Object.entries(alert.annotations).map(([k, v]) => [k, v.slice(0, 4096)]));
  return { type: AlertFired.type, data: { ...alertRef(alert), annotations, startsAt: iso(alert.startsAt), origin: alert.origin } };
}

function resolvedEvent(alert: AlertRecord): EventIntent {
  return { type: AlertResolved.type, data: { ...alertRef(alert), startsAt: iso(alert.startsAt), endsAt: iso(alert.endsAt ?? alert.startsAt) } };
}
