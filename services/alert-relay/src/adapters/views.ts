import type { RelayState } from '../domain/model.js';

/** What the HTTP API shows: plain JSON with ISO times. */
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function alertsView(state: RelayState) {
  return Object.values(state.alerts).map((a) => ({ fingerprint: a.fingerprint, status: a.status, origin: a.origin, labels: a.labels, annotations: a.annotations, startsAt: iso(a.startsAt) }));
}

export function groupsView(state: RelayState) {
  return Object.values(state.groups).map((g) => ({
    groupKey: g.key,
    receiver: g.receiver,
    labels: g.groupLabels,
    fingerprints: Object.keys(g.alerts),
    escalationLevel: g.escalationLevel,
    acknowledged: g.acknowledged ? { by: g.acknowledged.by, at: iso(g.acknowledged.at) } : undefined,
    nextFlushAt: iso(g.nextFlushAt),
  }));
}

export function silencesView(state: RelayState, now: number) {
  return Object.values(state.silences).map((s) => ({
    id: s.id,
    matchers: s.matchers,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    createdBy: s.by,
    comment: s.comment,
    state: s.expired || s.endsAt <= now ? 'expired' : 'active',
  }));
}

export function notificationsView(state: RelayState, limit: number) {
  return [...state.recent]
    .reverse()
    .slice(0, limit)
    .map((n) => ({ ...n, createdAt: iso(n.createdAt), updatedAt: iso(n.updatedAt) }));
}
