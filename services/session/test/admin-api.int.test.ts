import { serve, type Bus, type Responder } from '@ferry/bus';
import { eventFactory, eventSubjects, gatewayCommands, parseEvent, SessionKicked, streamNames } from '@ferry/contracts';
import { createLogger } from '@ferry/telemetry';
import { startNats, startRedis, type NatsServerHandle, type RedisServerHandle } from '@ferry/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BanStore } from '../src/adapters/ban-store.js';
import { kickSession } from '../src/adapters/kick.js';
import { SessionStore } from '../src/adapters/session-store.js';
import { buildApp } from '../src/http/admin-api.js';
import { ADMIN_TOKEN, authorized, loginFailed, testBus } from './harness.js';

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let client: Redis;
let bus: Bus;
let app: FastifyInstance;
let sessions: SessionStore;
let bans: BanStore;
let kickResponder: Responder;
const kicksReceived: { sessionId: string; by: string; reason?: string | undefined }[] = [];

const accountPolicy = { threshold: 1, windowMs: 60_000, baseDelayMs: 60_000, maxDelayMs: 120_000, knownAddressTtlMs: 60_000, strikeMemoryMs: 60_000 };

async function openSession(sessionId: string, username: string, gateway: string): Promise<void> {
  expect(await sessions.open({ sessionId, username, clientIp: '198.51.100.3', gateway, protocol: 'ftps', maxSessions: 10, nowMs: Date.now() })).toEqual({ opened: true });
}

async function failTimes(count: number, username: string, clientIp: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const event = loginFailed(username, clientIp);
    await bans.recordFailure({ eventId: event.id, eventTimeMs: Date.now(), nowMs: Date.now(), clientIp, username, countAddress: true });
  }
}

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  bus = await testBus(nats.url);
  client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  sessions = new SessionStore(client, 30_000);
  bans = new BanStore(client, { threshold: 2, windowMs: 60_000, durationMs: 60_000 }, accountPolicy);
  const runtime = { bus, newEvent: eventFactory('session/admin-test'), logger: createLogger({ service: 'session', instance: 'admin-test', level: 'silent' }) };
  app = await buildApp({
    adminToken: ADMIN_TOKEN,
    sessionTtlMs: 30_000,
    clock: () => new Date(),
    sessions,
    bans,
    kick: (sessionId, reason) => kickSession(runtime, sessions, sessionId, 'admin-api', reason),
  });
  kickResponder = serve(bus, gatewayCommands('gw-1').kick, (body) => {
    kicksReceived.push(body);
    return Promise.resolve({ kicked: true });
  });
});

afterAll(async () => {
  await kickResponder?.stop();
  await app?.close();
  client?.disconnect();
  await bus?.close();
  await Promise.all([nats?.stop(), redis?.stop()]);
});

beforeEach(async () => {
  await client.flushall();
  kicksReceived.length = 0;
});

describe('admin token', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: `Bearer ${ADMIN_TOKEN}x` }],
    ['a token prefix', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, 10)}` }],
    ['another scheme', { authorization: `Basic ${ADMIN_TOKEN}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('answers 401 to a request with %s, on every route', async (_name, headers) => {
    for (const [method, url] of [
      ['GET', '/sessions'],
      ['GET', '/sessions/s-1'],
      ['POST', '/sessions/s-1/kick'],
      ['GET', '/bans'],
      ['DELETE', '/bans/addresses/203.0.113.1'],
      ['DELETE', '/bans/accounts/alice'],
    ] as const) {
      const response = await app.inject({ method, url, headers });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'a valid admin bearer token is required' } });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('serves the OpenAPI document, which lists every operation and the bearer scheme', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } }>();
    expect(Object.keys(doc.paths).sort()).toEqual(['/bans', '/bans/accounts/{username}', '/bans/addresses/{address}', '/sessions', '/sessions/{sessionId}', '/sessions/{sessionId}/kick']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('sessions', () => {
  it('lists live sessions, all of them, by user, by gateway, or both', async () => {
    await openSession('s-1', 'alice', 'gw-1');
    await openSession('s-2', 'alice', 'gw-2');
    await openSession('s-3', 'bob', 'gw-1');
    const ids = async (query: string) => {
      const response = await app.inject({ method: 'GET', url: `/sessions${query}`, headers: authorized() });
      expect(response.statusCode).toBe(200);
      return (response.json().sessions as { sessionId: string }[]).map((session) => session.sessionId);
    };
    expect(await ids('')).toEqual(['s-1', 's-2', 's-3']);
    expect(await ids('?username=alice')).toEqual(['s-1', 's-2']);
    expect(await ids('?gateway=gw-1')).toEqual(['s-1', 's-3']);
    expect(await ids('?username=alice&gateway=gw-1')).toEqual(['s-1']);
    expect(await ids('?username=nobody')).toEqual([]);
    expect(await ids('?limit=2')).toHaveLength(2);

    const one = await app.inject({ method: 'GET', url: '/sessions/s-2', headers: authorized() });
    expect(one.json().session).toMatchObject({ sessionId: 's-2', username: 'alice', gateway: 'gw-2', clientIp: '198.51.100.3', protocol: 'ftps' });
    const shown = one.json<{ session: { expiresAt: string; lastSeenAt: string } }>().session;
    expect(Date.parse(shown.expiresAt) - Date.parse(shown.lastSeenAt)).toBe(30_000);
  });

  it.each([
    ['/sessions?gateway=GW_1', 'query.gateway'],
    ['/sessions?username=', 'query.username'],
    ['/sessions?limit=0', 'query.limit'],
    ['/sessions?limit=abc', 'query.limit'],
    ['/sessions?limit=10001', 'query.limit'],
    ['/sessions?user=alice', 'query.user'],
    ['/sessions/bad!id', 'params.sessionId'],
  ])('answers 400 naming the field for GET %s', async (url, field) => {
    const response = await app.inject({ method: 'GET', url, headers: authorized() });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_REQUEST', field });
  });

  it('answers 404 for a session that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/sessions/s-missing', headers: authorized() });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('SESSION_NOT_FOUND');
  });
});

describe('kick', () => {
  it('asks the owning gateway to close the session, removes it and publishes session.kicked', async () => {
    await openSession('k-1', 'carol', 'gw-1');
    const response = await app.inject({ method: 'POST', url: '/sessions/k-1/kick', headers: authorized(), payload: { reason: 'abuse' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ kicked: true, gatewayConfirmed: true, session: { sessionId: 'k-1', username: 'carol' } });
    expect(kicksReceived).toEqual([{ sessionId: 'k-1', by: 'admin-api', reason: 'abuse' }]);
    expect(await sessions.get('k-1')).toBeNull();

    const stored = await bus.jsm.streams.getMessage(streamNames.activity, { last_by_subj: eventSubjects.session('kicked') });
    const parsed = parseEvent<SessionKicked>(stored?.data, [SessionKicked]);
    expect(parsed.ok && parsed.event.data).toEqual({ sessionId: 'k-1', username: 'carol', clientIp: '198.51.100.3', gateway: 'gw-1', by: 'admin-api', reason: 'abuse' });
  });

  it('still removes the session when its gateway does not answer, and says so', async () => {
    await openSession('k-2', 'dan', 'gw-gone');
    const response = await app.inject({ method: 'POST', url: '/sessions/k-2/kick', headers: authorized() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ kicked: true, gatewayConfirmed: false, gatewayError: 'RPC_NO_RESPONDERS' });
    expect(await sessions.get('k-2')).toBeNull();
    const stored = await bus.jsm.streams.getMessage(streamNames.activity, { last_by_subj: eventSubjects.session('kicked') });
    const parsed = parseEvent<SessionKicked>(stored?.data, [SessionKicked]);
    expect(parsed.ok && parsed.event.data.sessionId).toBe('k-2');
  });

  it('says so when the gateway answers that it does not hold the session, and removes it anyway', async () => {
    const forgetful = serve(bus, gatewayCommands('gw-forgetful').kick, () => Promise.resolve({ kicked: false }));
    try {
      await openSession('k-5', 'gil', 'gw-forgetful');
      const response = await app.inject({ method: 'POST', url: '/sessions/k-5/kick', headers: authorized() });
      expect(response.json()).toMatchObject({ kicked: true, gatewayConfirmed: false, gatewayError: 'GATEWAY_SESSION_UNKNOWN' });
      expect(await sessions.get('k-5')).toBeNull();
    } finally {
      await forgetful.stop();
    }
  });

  it('still removes the session when its gateway is there but never answers the kick', async () => {
    // Listens on the kick subject and stays silent: the request times out (3 s, the contract's timeout).
    const silent = bus.nc.subscribe(gatewayCommands('gw-silent').kick.subject);
    try {
      await openSession('k-4', 'fay', 'gw-silent');
      const response = await app.inject({ method: 'POST', url: '/sessions/k-4/kick', headers: authorized() });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ kicked: true, gatewayConfirmed: false, gatewayError: 'RPC_TIMEOUT' });
      expect(await sessions.get('k-4')).toBeNull();
    } finally {
      silent.unsubscribe();
    }
  });

  it('answers 404 when kicking a session that does not exist, and 400 for a bad body', async () => {
    const missing = await app.inject({ method: 'POST', url: '/sessions/k-none/kick', headers: authorized() });
    expect(missing.statusCode).toBe(404);
    await openSession('k-3', 'erin', 'gw-1');
    const cases: [string, string | object, string][] = [
      ['application/json', { reason: 'x'.repeat(513) }, 'body.reason'],
      ['application/json', { reason: 7 }, 'body.reason'],
      ['application/json', ['a list'], 'body'],
      ['application/json', { why: 'extra field' }, 'body.why'],
      ['application/json', '{not json', 'body'],
    ];
    for (const [contentType, payload, field] of cases) {
      const response = await app.inject({ method: 'POST', url: '/sessions/k-3/kick', headers: authorized({ 'content-type': contentType }), payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'INVALID_REQUEST', field });
    }
    expect(await sessions.get('k-3')).not.toBeNull();
    expect(kicksReceived).toEqual([]);
  });
});

describe('bans', () => {
  it('lists banned addresses and throttled accounts, and lifts each', async () => {
    await failTimes(3, 'mallory', '203.0.113.50');
    const listed = await app.inject({ method: 'GET', url: '/bans', headers: authorized() });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().addresses).toEqual([{ address: '203.0.113.50', failures: 3, expiresAt: expect.any(String) }]);
    expect(listed.json().accounts).toEqual([{ username: 'mallory', strike: 1, expiresAt: expect.any(String) }]);
    expect(await bans.blockState('203.0.113.50', 'mallory', Date.now())).toMatchObject({ addressBanMs: expect.any(Number), accountThrottleMs: expect.any(Number) });

    expect((await app.inject({ method: 'DELETE', url: '/bans/addresses/203.0.113.50', headers: authorized() })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/bans/accounts/mallory', headers: authorized() })).statusCode).toBe(204);
    expect(await bans.blockState('203.0.113.50', 'mallory', Date.now())).toEqual({ addressBanMs: null, accountThrottleMs: null });
    const after = await app.inject({ method: 'GET', url: '/bans', headers: authorized() });
    expect(after.json()).toEqual({ addresses: [], accounts: [] });

    const again = await app.inject({ method: 'DELETE', url: '/bans/addresses/203.0.113.50', headers: authorized() });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('BAN_NOT_FOUND');
    expect((await app.inject({ method: 'DELETE', url: '/bans/accounts/mallory', headers: authorized() })).json().error.code).toBe('THROTTLE_NOT_FOUND');
  });

  it('lifting a ban also forgets the failures counted against the address', async () => {
    await failTimes(3, 'x', '203.0.113.51');
    await app.inject({ method: 'DELETE', url: '/bans/addresses/203.0.113.51', headers: authorized() });
    await failTimes(1, 'y', '203.0.113.51');
    expect((await bans.blockState('203.0.113.51', undefined, Date.now())).addressBanMs).toBeNull();
  });

  it('answers 400 naming the field for an address that is not an IP', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/bans/addresses/not-an-ip', headers: authorized() });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_REQUEST', field: 'params.address' });
  });

  it('counts a failure event id once, however often it is recorded', async () => {
    const event = loginFailed('once', '203.0.113.52');
    const record = () => bans.recordFailure({ eventId: event.id, eventTimeMs: Date.now(), nowMs: Date.now(), clientIp: '203.0.113.52', username: 'once', countAddress: true });
    expect(await record()).toEqual({ duplicate: false, newlyBanned: false, newlyThrottled: false });
    for (let i = 0; i < 5; i++) expect((await record()).duplicate).toBe(true);
    expect((await bans.blockState('203.0.113.52', undefined, Date.now())).addressBanMs).toBeNull();
  });
});
