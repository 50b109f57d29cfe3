import { startRedis, type RedisServerHandle } from '@ferry/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ORPHAN_GRACE_MS, SessionStore } from '../src/adapters/session-store.js';
import { KEY_PREFIX } from '../src/adapters/store-guard.js';

let redis: RedisServerHandle;
let clients: Redis[];
let store: SessionStore;
const TTL = 10_000;

const openAt = (target: SessionStore, sessionId: string, username: string, nowMs: number, maxSessions = 5, gateway = 'gw-1') =>
  target.open({ sessionId, username, clientIp: '198.51.100.9', gateway, protocol: 'ftp', maxSessions, nowMs });

beforeAll(async () => {
  redis = await startRedis();
  clients = [new Redis(redis.url), new Redis(redis.url), new Redis(redis.url)];
  store = new SessionStore(clients[0]!, TTL);
});

afterAll(async () => {
  for (const client of clients ?? []) client.disconnect();
  await redis?.stop();
});

beforeEach(async () => {
  await clients[0]!.flushall();
});

describe('session store', () => {
  it('keeps each session with a Redis TTL that a heartbeat refreshes', async () => {
    const now = Date.now();
    await openAt(store, 'ttl-1', 'tina', now);
    const first = await clients[0]!.pttl(`${KEY_PREFIX}sess:ttl-1`);
    expect(first).toBeGreaterThan(TTL);
    expect(first).toBeLessThanOrEqual(TTL + ORPHAN_GRACE_MS);
    await clients[0]!.pexpire(`${KEY_PREFIX}sess:ttl-1`, 5_000);
    expect(await store.heartbeat('gw-1', ['ttl-1'], now + 1_000)).toEqual({ refreshed: 1, unknown: [] });
    expect(await clients[0]!.pttl(`${KEY_PREFIX}sess:ttl-1`)).toBeGreaterThan(5_000);
    expect((await store.get('ttl-1'))?.lastSeenAt).toBe(now + 1_000);
  });

  it('frees the slot of a session whose record vanished, instead of counting it forever', async () => {
    const now = Date.now();
    await openAt(store, 'orphan-1', 'olga', now, 1);
    expect(await openAt(store, 'orphan-2', 'olga', now, 1)).toMatchObject({ opened: false, reason: 'session_limit' });
    await clients[0]!.del(`${KEY_PREFIX}sess:orphan-1`);
    expect(await openAt(store, 'orphan-2', 'olga', now, 1)).toEqual({ opened: true });
  });

  it('hands each expired session to exactly one of several concurrent claimers', async () => {
    const now = Date.now();
    const ids = Array.from({ length: 300 }, (_, i) => `exp-${i}`);
    for (const id of ids) await openAt(store, id, `u-${id}`, now - TTL - 1, 1);
    const claimers = clients.map((client) => new SessionStore(client, TTL));
    const claims = await Promise.all(claimers.flatMap((claimer) => Array.from({ length: 5 }, () => claimer.claimExpired(now, 30_000, 40))));
    const claimed = claims.flat().map((session) => session.sessionId);
    expect(claimed.length).toBe(new Set(claimed).size);
    const rest = await store.claimExpired(now, 30_000, 1_000);
    expect([...claimed, ...rest.map((session) => session.sessionId)].sort()).toEqual([...ids].sort());
    expect(await store.claimExpired(now, 30_000, 1_000)).toEqual([]);
  });

  it('lets another instance claim a session again when its claimant never finished', async () => {
    const now = Date.now();
    await openAt(store, 'lease-1', 'lee', now - TTL - 1);
    expect((await store.claimExpired(now, 5_000, 10)).map((session) => session.sessionId)).toEqual(['lease-1']);
    expect(await store.claimExpired(now + 4_000, 5_000, 10)).toEqual([]);
    // A claimed session is gone for the gateway and the admin API, though not yet removed.
    expect(await store.heartbeat('gw-1', ['lease-1'], now)).toEqual({ refreshed: 0, unknown: ['lease-1'] });
    expect(await store.get('lease-1')).toBeNull();
    expect((await store.claimExpired(now + 5_001, 5_000, 10)).map((session) => session.sessionId)).toEqual(['lease-1']);
  });

  it('does not expire a session that keeps being refreshed', async () => {
    const now = Date.now();
    await openAt(store, 'fresh-1', 'fred', now);
    await store.heartbeat('gw-1', ['fresh-1'], now + TTL - 1);
    expect(await store.claimExpired(now + TTL + 1, 5_000, 10)).toEqual([]);
    expect((await store.claimExpired(now + 2 * TTL, 5_000, 10)).map((session) => session.sessionId)).toEqual(['fresh-1']);
  });

  it('refreshes thousands of sessions of a gateway in one heartbeat', async () => {
    const now = Date.now();
    const ids = Array.from({ length: 4_500 }, (_, i) => `bulk-${i}`);
    const pipeline = ids.map((id, i) => openAt(store, id, `bulk-user-${i % 100}`, now, 100, 'gw-bulk'));
    await Promise.all(pipeline);
    const reply = await store.heartbeat('gw-bulk', [...ids, 'gone-1', 'gone-2'], now + 1);
    expect(reply).toEqual({ refreshed: 4_500, unknown: ['gone-1', 'gone-2'] });
  });
});
