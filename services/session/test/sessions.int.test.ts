import { request, type Bus, type RunningConsumer } from '@ferry/bus';
import { eventSubjects, SessionAdmit, SessionClose, SessionExpired, SessionHeartbeat, SessionOpen } from '@ferry/contracts';
import { startNats, startRedis, type NatsServerHandle, type RedisServerHandle } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, collectEvents, consumerIdle, poll, startInstance, testBus, type Instance } from './harness.js';

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let bus: Bus;
let first: Instance;
let second: Instance;
let expired: { events: SessionExpired[]; consumer: RunningConsumer };

const env = { SESSION_TTL: '3s', SESSION_SWEEP_INTERVAL: '100ms' };

const open = (sessionId: string, username: string, gateway = 'gw-1', maxSessions = 3) =>
  request(bus, SessionOpen, { sessionId, username, clientIp: '198.51.100.1', gateway, protocol: 'ftp', maxSessions });

async function sessionIdsOf(query: string): Promise<string[]> {
  const response = await fetch(`${first.apiUrl}/sessions?${query}`, { headers: authorized() });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { sessions: { sessionId: string }[] };
  return body.sessions.map((session) => session.sessionId).sort();
}

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  bus = await testBus(nats.url);
  first = await startInstance(nats.url, redis.url, 'session-a', env);
  second = await startInstance(nats.url, redis.url, 'session-b', env);
  expired = await collectEvents<SessionExpired>(bus, 'test-expired', SessionExpired, eventSubjects.session('expired'));
});

afterAll(async () => {
  await expired?.consumer.stop();
  await first?.stop();
  await second?.stop();
  await bus?.close();
  await Promise.all([nats?.stop(), redis?.stop()]);
});

describe('concurrent session limit', () => {
  it('lets exactly 3 of 50 parallel opens for one user with limit 3 succeed', async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => open(`race-${i}`, 'racer')));
    expect(replies.filter((reply) => reply.opened)).toHaveLength(3);
    const refused = replies.filter((reply) => !reply.opened);
    expect(refused).toHaveLength(47);
    expect(refused.every((reply) => !reply.opened && reply.reason === 'session_limit' && reply.limit === 3)).toBe(true);
    expect(await sessionIdsOf('username=racer')).toHaveLength(3);
  });

  it('frees a slot when a session closes, and only its own user and gateway may close it', async () => {
    await Promise.all(['c-1', 'c-2'].map((id) => open(id, 'closer', 'gw-1', 2)));
    expect(await open('c-3', 'closer', 'gw-1', 2)).toEqual({ opened: false, reason: 'session_limit', limit: 2 });
    expect(await request(bus, SessionClose, { sessionId: 'c-1', username: 'someone-else', gateway: 'gw-1', reason: 'quit' })).toEqual({ closed: false });
    expect(await request(bus, SessionClose, { sessionId: 'c-1', username: 'closer', gateway: 'gw-2', reason: 'quit' })).toEqual({ closed: false });
    expect(await request(bus, SessionClose, { sessionId: 'c-1', username: 'closer', gateway: 'gw-1', reason: 'quit' })).toEqual({ closed: true });
    expect(await request(bus, SessionClose, { sessionId: 'c-1', username: 'closer', gateway: 'gw-1', reason: 'quit' })).toEqual({ closed: false });
    expect(await open('c-3', 'closer', 'gw-1', 2)).toEqual({ opened: true });
  });

  it('answers a retried open of the same session as opened without taking a second slot', async () => {
    expect(await open('retry-1', 'retrier', 'gw-1', 1)).toEqual({ opened: true });
    expect(await open('retry-1', 'retrier', 'gw-1', 1)).toEqual({ opened: true });
    expect(await open('retry-2', 'retrier', 'gw-1', 1)).toMatchObject({ opened: false, reason: 'session_limit' });
    expect(await open('retry-1', 'intruder', 'gw-1', 5)).toEqual({ opened: false, reason: 'session_conflict' });
  });
});

describe('metrics', () => {
  it('exposes live sessions and RPC outcomes to Prometheus', async () => {
    const text = async () => Promise.all([first, second].map(async (instance) => (await fetch(`${instance.opsUrl}/metrics`)).text()));
    const sum = (pages: string[], pattern: RegExp) => pages.reduce((total, page) => total + Number(pattern.exec(page)?.[1] ?? 0), 0);
    const pages = await text();
    // Both instances answered opens of the 50-way race above: 47 refusals in total.
    expect(sum(pages, /ferry_session_rpc_total\{[^}]*rpc="open"[^}]*result="session_limit"[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(47);
    expect(pages[0]).toMatch(/ferry_session_live_sessions\{[^}]*\} [1-9]\d*/);
  });
});

describe('bad requests', () => {
  const raw = async (subject: string, body: unknown) => {
    const reply = await bus.nc.request(subject, new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)), { timeout: 2_000 });
    return reply.json<{ ok: boolean; error?: { code: string; field?: string; retryable: boolean } }>();
  };

  it.each([
    [SessionOpen.subject, { sessionId: 'b-1', username: 'bad', clientIp: '198.51.100.1', gateway: 'gw-1', protocol: 'ftp', maxSessions: 0 }, 'maxSessions'],
    [SessionOpen.subject, { sessionId: 'b-1', username: 'bad', clientIp: '198.51.100.1', gateway: 'gw-1', protocol: 'sftp', maxSessions: 1 }, 'protocol'],
    [SessionOpen.subject, { sessionId: 'b-1', username: 'bad', clientIp: '999.1.1.1', gateway: 'gw-1', protocol: 'ftp', maxSessions: 1 }, 'clientIp'],
    [SessionAdmit.subject, { clientIp: 'localhost', gateway: 'gw-1', sessionId: 'b-2' }, 'clientIp'],
    [SessionAdmit.subject, { clientIp: '198.51.100.1', gateway: 'GW 1', sessionId: 'b-2' }, 'gateway'],
    [SessionHeartbeat.subject, { gateway: 'gw-1', sessionIds: ['ok', 'not ok'] }, 'sessionIds[1]'],
    [SessionClose.subject, { sessionId: 'b-3', gateway: 'gw-1', reason: 'quit' }, 'username'],
  ] as const)('refuses a malformed request on %s naming the field', async (subject, body, field) => {
    expect(await raw(subject, body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'CONTRACT_VIOLATION', field, retryable: false }) });
  });

  it('refuses a request that is not JSON, and keeps answering', async () => {
    expect(await raw(SessionAdmit.subject, '{nope')).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION' } });
    expect(await request(bus, SessionAdmit, { clientIp: '198.51.100.1', gateway: 'gw-1', sessionId: 'b-4' })).toEqual({ admitted: true });
  });

  it('answers an empty heartbeat', async () => {
    expect(await request(bus, SessionHeartbeat, { gateway: 'gw-empty', sessionIds: [] })).toEqual({ refreshed: 0, unknown: [] });
  });
});

describe('heartbeats and expiry', () => {
  it('reports the ids the store does not know, and those of another gateway, as unknown', async () => {
    await open('hb-1', 'beater', 'gw-hb', 5);
    await open('hb-2', 'beater', 'gw-hb', 5);
    const reply = await request(bus, SessionHeartbeat, { gateway: 'gw-hb', sessionIds: ['hb-1', 'hb-2', 'never-opened'] });
    expect(reply).toEqual({ refreshed: 2, unknown: ['never-opened'] });
    expect(await request(bus, SessionHeartbeat, { gateway: 'gw-other', sessionIds: ['hb-1'] })).toEqual({ refreshed: 0, unknown: ['hb-1'] });
  });

  it("expires a silent gateway's sessions with one session.expired event each, while a heartbeating gateway keeps its own", async () => {
    const dead = Array.from({ length: 8 }, (_, i) => `dead-${i}`);
    const alive = ['alive-1', 'alive-2'];
    for (const id of dead) await open(id, `user-${id}`, 'gw-dead', 1);
    for (const id of alive) await open(id, `user-${id}`, 'gw-alive', 1);
    const beating = setInterval(() => {
      request(bus, SessionHeartbeat, { gateway: 'gw-alive', sessionIds: alive }).catch(() => undefined);
    }, 200);
    try {
      await poll(() => dead.every((id) => expired.events.some((event) => event.data.sessionId === id)), 15_000);
      await poll(async () => (await sessionIdsOf('gateway=gw-dead')).length === 0);
      await consumerIdle(bus, 'test-expired');
      expect(await sessionIdsOf('gateway=gw-alive')).toEqual(alive);
    } finally {
      clearInterval(beating);
    }
    const ofDead = expired.events.filter((event) => event.data.gateway === 'gw-dead');
    expect(ofDead.map((event) => event.data.sessionId).sort()).toEqual([...dead].sort());
    expect(ofDead[0]?.data).toMatchObject({ username: `user-${ofDead[0]?.data.sessionId}`, clientIp: '198.51.100.1' });
    const late = await request(bus, SessionHeartbeat, { gateway: 'gw-dead', sessionIds: dead });
    expect(late).toEqual({ refreshed: 0, unknown: dead });
    // Their slots are free again.
    expect(await open('dead-0-again', 'user-dead-0', 'gw-1', 1)).toEqual({ opened: true });
  });
});
