import { request, RpcRemoteError, type Bus } from '@ferry/bus';
import { eventSubjects, SessionAdmit, SessionClose, SessionHeartbeat, SessionOpen, streamNames } from '@ferry/contracts';
import { startNats, startRedis, type NatsServerHandle, type RedisServerHandle } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, poll, publishFailures, startInstance, testBus, type Instance } from './harness.js';

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let bus: Bus;
let instance: Instance;

const admit = (clientIp: string) => request(bus, SessionAdmit, { clientIp, gateway: 'gw-1', sessionId: 'probe' });
const open = (sessionId: string) => request(bus, SessionOpen, { sessionId, username: 'frank', clientIp: '198.51.100.5', gateway: 'gw-1', protocol: 'ftp', maxSessions: 5 });

async function failure(attempt: () => Promise<unknown>): Promise<RpcRemoteError> {
  const error = await attempt().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RpcRemoteError);
  return error as RpcRemoteError;
}

async function readiness(): Promise<{ status: number; body: { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> } }> {
  const response = await fetch(`${instance.opsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as never };
}

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  // Redis saves its data when stopped, so sessions survive the restart (as with persistence in production).
  redis = await startRedis({ args: ['--save', '3600 1'] });
  instance = await startInstance(nats.url, redis.url, 'session-outage', { SESSION_BAN_THRESHOLD: '2', SESSION_BAN_DURATION: '1m', SESSION_TTL: '2s', SESSION_SWEEP_INTERVAL: '100ms' });
});

/** A gateway that heartbeats its sessions every 300 ms, whatever the answers; counts the successful calls. */
function keepHeartbeating(gateway: string, sessionIds: string[]) {
  const state = { ok: 0, lastUnknown: [] as string[] };
  const timer = setInterval(() => {
    request(bus, SessionHeartbeat, { gateway, sessionIds }).then(
      (reply) => {
        state.ok += 1;
        state.lastUnknown = reply.unknown;
      },
      () => undefined,
    );
  }, 300);
  return { state, stop: () => clearInterval(timer) };
}

afterAll(async () => {
  await instance?.stop();
  await bus?.close();
  await Promise.all([nats?.stop(), redis?.stop()]);
});

describe('Redis away', () => {
  it('fails admit and open closed with SESSION_STORE_UNAVAILABLE and reports not ready, then recovers without a restart', async () => {
    expect(await admit('198.51.100.5')).toEqual({ admitted: true });
    expect((await readiness()).status).toBe(200);

    await redis.pause();
    const refusedAdmit = await failure(() => admit('198.51.100.5'));
    expect(refusedAdmit.code).toBe('SESSION_STORE_UNAVAILABLE');
    expect(refusedAdmit.retryable).toBe(true);
    expect((await failure(() => open('outage-1'))).code).toBe('SESSION_STORE_UNAVAILABLE');
    expect((await failure(() => request(bus, SessionHeartbeat, { gateway: 'gw-1', sessionIds: ['x'] }))).code).toBe('SESSION_STORE_UNAVAILABLE');
    await poll(async () => (await readiness()).status === 503);
    const notReady = await readiness();
    expect(notReady.body.ready).toBe(false);
    expect(notReady.body.checks['redis']).toMatchObject({ ok: false });
    expect(notReady.body.checks['redis']?.detail).toMatch(/Redis/);
    const api = await fetch(`${instance.apiUrl}/sessions`, { headers: authorized() });
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: { code: 'SESSION_STORE_UNAVAILABLE' } });
    const kick = await fetch(`${instance.apiUrl}/sessions/outage-0/kick`, { method: 'POST', headers: authorized() });
    expect(kick.status).toBe(503);

    // Failures that arrive while Redis is away are counted once it is back.
    await publishFailures(bus, 3, (i) => `away${i}`, '203.0.113.99');

    await redis.resume();
    await poll(async () => (await admit('198.51.100.5').catch(() => ({ admitted: false }))).admitted, 20_000);
    await poll(async () => (await readiness()).status === 200, 20_000);
    expect(await open('outage-2')).toEqual({ opened: true });
    await request(bus, SessionClose, { sessionId: 'outage-2', username: 'frank', gateway: 'gw-1', reason: 'quit' });
    await poll(async () => !(await admit('203.0.113.99')).admitted, 20_000);
    expect(await admit('203.0.113.99')).toMatchObject({ admitted: false, reason: 'banned' });
  });

  it('does not expire the sessions of a heartbeating gateway because of an outage longer than the TTL', async () => {
    const ids = ['kept-1', 'kept-2'];
    for (const id of ids) expect(await open(id)).toEqual({ opened: true });
    const gateway = keepHeartbeating('gw-1', ids);
    try {
      await poll(() => gateway.state.ok >= 2);
      await redis.pause();
      // Longer than the 2 s TTL: every deadline passes while the heartbeats fail.
      const failing = gateway.state.ok;
      await poll(async () => (await readiness()).status === 503);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(gateway.state.ok).toBe(failing);
      await redis.resume();
      // Two TTLs of heartbeats after the return: the sweeper had every chance to expire them, and must not have.
      const back = gateway.state.ok;
      await poll(() => gateway.state.ok >= back + 14, 20_000);
      expect(gateway.state.lastUnknown).toEqual([]);
      expect((await request(bus, SessionHeartbeat, { gateway: 'gw-1', sessionIds: ids })).refreshed).toBe(2);
    } finally {
      gateway.stop();
    }
    const stored = await bus.jsm.streams.info(streamNames.activity, { subjects_filter: eventSubjects.session('expired') });
    expect(stored.state.subjects?.[eventSubjects.session('expired')] ?? 0).toBe(0);
  });
});
