import type { Redis } from 'ioredis';
import { openOutcome, sessionFromFields, type OpenOutcome, type SessionRecord } from '../domain/sessions.js';
import { claimExpired, heartbeat, openSession, removeSession } from './lua/session-scripts.js';
import { asNumber, asStrings, guarded, KEY_PREFIX } from './store-guard.js';

export interface OpenInput {
  readonly sessionId: string;
  readonly username: string;
  readonly clientIp: string;
  readonly gateway: string;
  readonly protocol: 'ftp' | 'ftps';
  readonly maxSessions: number;
  readonly nowMs: number;
}

/** Ids per heartbeat script call: bounds how long one script holds Redis. */
const HEARTBEAT_CHUNK = 2_000;

/**
 * A session hash also carries a Redis TTL of its deadline plus this grace: the
 * sweepers normally expire it long before (and publish session.expired); the
 * TTL only cleans up after every session instance was down for longer than
 * this, in which case those sessions vanish without an event.
 */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Live sessions in Redis: a hash per session, a set per user (the concurrent
 * limit), a set per gateway, and one sorted set of deadlines (lastSeenAt + TTL)
 * that the sweepers of every instance share.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly prefix = KEY_PREFIX,
  ) {}

  private sessionKey(id: string): string {
    return `${this.prefix}sess:${id}`;
  }

  private get deadlines(): string {
    return `${this.prefix}deadlines`;
  }

  async open(input: OpenInput): Promise<OpenOutcome> {
    const keys = [this.sessionKey(input.sessionId), `${this.prefix}user:${input.username}`, `${this.prefix}gw:${input.gateway}`, this.deadlines];
    const args = [input.sessionId, input.username, input.clientIp, input.gateway, input.protocol, input.maxSessions, input.nowMs, this.ttlMs, this.prefix, ORPHAN_GRACE_MS];
    const code = asNumber(await guarded(() => openSession.run(this.redis, keys, args)));
    return openOutcome(code, input.maxSessions);
  }

  async heartbeat(gateway: string, sessionIds: readonly string[], nowMs: number): Promise<{ refreshed: number; unknown: string[] }> {
    let refreshed = 0;
    const unknown: string[] = [];
    for (let start = 0; start < sessionIds.length; start += HEARTBEAT_CHUNK) {
      const chunk = sessionIds.slice(start, start + HEARTBEAT_CHUNK);
      const reply = (await guarded(() => heartbeat.run(this.redis, [this.deadlines], [this.prefix, gateway, nowMs, this.ttlMs, ORPHAN_GRACE_MS, ...chunk]))) as unknown[];
      refreshed += asNumber(reply[0]);
      unknown.push(...asStrings(reply[1]));
    }
    return { refreshed, unknown };
  }

  /** Removes a session; with `match`, only when it belongs to that user and gateway. Returns what was removed. */
  async remove(sessionId: string, match: { username?: string; gateway?: string } = {}): Promise<SessionRecord | null> {
    const args = [this.prefix, sessionId, match.username ?? '', match.gateway ?? ''];
    const fields = asStrings(await guarded(() => removeSession.run(this.redis, [this.sessionKey(sessionId), this.deadlines], args)));
    return fields.length === 0 ? null : sessionFromFields(sessionId, fields);
  }

  /** Claims up to `limit` sessions past their deadline for this instance to expire (see claimExpired). */
  async claimExpired(nowMs: number, leaseMs: number, limit: number): Promise<SessionRecord[]> {
    const flat = (await guarded(() => claimExpired.run(this.redis, [this.deadlines], [this.prefix, nowMs, leaseMs, limit, ORPHAN_GRACE_MS]))) as unknown[];
    const claimed: SessionRecord[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const record = sessionFromFields(String(flat[i]), asStrings(flat[i + 1]));
      if (record) claimed.push(record);
    }
    return claimed;
  }

  /** How many sessions the store holds (live, or expired and not swept yet). */
  async count(): Promise<number> {
    return guarded(() => this.redis.zcard(this.deadlines));
  }

  async get(sessionId: string): Promise<SessionRecord | null> {
    const fields = await guarded(() => this.redis.hgetall(this.sessionKey(sessionId)));
    if ('expiring' in fields) return null;
    return sessionFromFields(sessionId, Object.entries(fields).flat());
  }

  /** Live sessions, optionally of one user and/or one gateway, by session id, at most `limit`. */
  async list(filter: { username?: string; gateway?: string }, limit: number): Promise<SessionRecord[]> {
    const ids = await guarded(async () => {
      if (filter.username !== undefined && filter.gateway !== undefined) return this.redis.sinter(`${this.prefix}user:${filter.username}`, `${this.prefix}gw:${filter.gateway}`);
      if (filter.username !== undefined) return this.redis.smembers(`${this.prefix}user:${filter.username}`);
      if (filter.gateway !== undefined) return this.redis.smembers(`${this.prefix}gw:${filter.gateway}`);
      return this.redis.zrange(this.deadlines, '0', String(limit - 1));
    });
    const chosen = [...ids].sort().slice(0, limit);
    if (chosen.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of chosen) pipeline.hgetall(this.sessionKey(id));
    const replies = (await guarded(() => pipeline.exec())) ?? [];
    return chosen.flatMap((id, i) => {
      const fields = (replies[i]?.[1] ?? {}) as Record<string, string>;
      if ('expiring' in fields) return [];
      const record = sessionFromFields(id, Object.entries(fields).flat());
      return record ? [record] : [];
    });
  }
}
