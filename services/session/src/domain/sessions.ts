/**
 * Live-session records as the store keeps them, and the pure rules around them.
 */

export interface SessionRecord {
  readonly sessionId: string;
  readonly username: string;
  readonly clientIp: string;
  readonly gateway: string;
  readonly protocol: 'ftp' | 'ftps';
  /** Epoch milliseconds. */
  readonly openedAt: number;
  readonly lastSeenAt: number;
}

const FIELDS = ['username', 'clientIp', 'gateway', 'protocol', 'openedAt', 'lastSeenAt'] as const;

/** The store's flat field list (HGETALL order does not matter) → a record, or null when a field is missing or bad. */
export function sessionFromFields(sessionId: string, flat: readonly string[]): SessionRecord | null {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
  if (FIELDS.some((name) => !fields.has(name))) return null;
  const protocol = fields.get('protocol');
  const openedAt = Number(fields.get('openedAt'));
  const lastSeenAt = Number(fields.get('lastSeenAt'));
  if ((protocol !== 'ftp' && protocol !== 'ftps') || !Number.isFinite(openedAt) || !Number.isFinite(lastSeenAt)) return null;
  return {
    sessionId,
    username: fields.get('username') ?? '',
    clientIp: fields.get('clientIp') ?? '',
    gateway: fields.get('gateway') ?? '',
    protocol,
    openedAt,
    lastSeenAt,
  };
}

export type OpenOutcome = { readonly opened: true } | { readonly opened: false; readonly reason: 'session_limit'; readonly limit: number } | { readonly opened: false; readonly reason: 'session_conflict' };

/** The open script's integer answer → an outcome: 1 opened (or already open, a retried request), 0 limit reached, -1 id taken by another user. */
export function openOutcome(code: number, limit: number): OpenOutcome {
  if (code === 1) return { opened: true };
  if (code === 0) return { opened: false, reason: 'session_limit', limit };
  return { opened: false, reason: 'session_conflict' };
}

/** A session as the admin API shows it. */
export function sessionView(record: SessionRecord, ttlMs: number) {
  return {
    sessionId: record.sessionId,
    username: record.username,
    clientIp: record.clientIp,
    gateway: record.gateway,
    protocol: record.protocol,
    openedAt: new Date(record.openedAt).toISOString(),
    lastSeenAt: new Date(record.lastSeenAt).toISOString(),
    expiresAt: new Date(record.lastSeenAt + ttlMs).toISOString(),
  };
}
