import type { SessionEvent } from '@ferry/contracts';
import type { Evolved } from './anomalies.js';

export type SessionStatus = 'open' | 'closed' | 'expired' | 'kicked' | 'refused';

export interface SessionDoc {
  readonly sessionId: string;
  readonly username: string | null;
  readonly clientIp: string;
  readonly gateway: string;
  readonly protocol: 'ftp' | 'ftps' | null;
  readonly status: SessionStatus;
  readonly openedAt: string | null;
  /** When the session ended (closed, expired: last seen, kicked: the event time). */
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly reason: string | null;
  readonly kickedBy: string | null;
  readonly lastEventId: string;
}

/** How final a status is: a later event never moves a session back to a less final one. */
const RANK: Record<SessionStatus, number> = { open: 0, kicked: 1, refused: 2, expired: 2, closed: 3 };

function blank(event: SessionEvent): SessionDoc {
  const d = event.data;
  return {
    sessionId: d.sessionId,
    username: d.username ?? null,
    clientIp: d.clientIp,
    gateway: d.gateway,
    protocol: null,
    status: 'open',
    openedAt: null,
    endedAt: null,
    durationMs: null,
    reason: null,
    kickedBy: null,
    lastEventId: event.id,
  };
}

function changes(event: SessionEvent): Partial<SessionDoc> & { status: SessionStatus } {
  switch (event.type) {
    case 'ferry.session.opened.v1':
      return { status: 'open', protocol: event.data.protocol, openedAt: event.data.openedAt };
    case 'ferry.session.closed.v1':
      return { status: 'closed', endedAt: event.data.closedAt, durationMs: event.data.durationMs, reason: event.data.reason };
    case 'ferry.session.expired.v1':
      return { status: 'expired', endedAt: event.data.lastSeenAt, reason: 'expired' };
    case 'ferry.session.kicked.v1':
      return { status: 'kicked', endedAt: event.time, kickedBy: event.data.by, reason: event.data.reason ?? 'kicked' };
    case 'ferry.session.refused.v1':
      return { status: 'refused', endedAt: event.time, reason: event.data.reason };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/**
 * Folds a session event into the session's row, in any order: fields only ever
 * get filled in, and the status only moves towards the more final one
 * (open → kicked → closed), so a late `opened` never reopens a closed session.
 */
export function evolveSession(doc: SessionDoc | null, event: SessionEvent): Evolved<SessionDoc> {
  const base = doc ?? blank(event);
  const next = changes(event);
  const keepStatus = RANK[base.status] > RANK[next.status] && doc !== null;
  const merged: SessionDoc = {
    ...base,
    username: base.username ?? event.data.username ?? null,
    protocol: next.protocol ?? base.protocol,
    openedAt: next.openedAt ?? base.openedAt,
    status: keepStatus ? base.status : next.status,
    endedAt: keepStatus ? (base.endedAt ?? next.endedAt ?? null) : (next.endedAt ?? base.endedAt),
    durationMs: next.durationMs ?? base.durationMs,
    reason: keepStatus ? (base.reason ?? next.reason ?? null) : (next.reason ?? base.reason),
    kickedBy: next.kickedBy ?? base.kickedBy,
    lastEventId: event.id,
  };
  return { doc: merged, anomalies: [] };
}
