import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Bus } from '@ferry/bus';
import { AuthLogin, streamNames } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startAuth, testBus, type AuthUnderTest } from './harness.js';

let nats: NatsServerHandle;
let auth: AuthUnderTest;
let bus: Bus;

const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  nats = await startNats();
  auth = await startAuth(nats.url);
  bus = await testBus(nats.url);
  await auth.api('POST', '/v1/users', { body: { username: 'before', password: PASSWORD } });
});

afterAll(async () => {
  await bus?.close();
  await auth?.stop();
  await nats?.stop();
});

describe('NATS away and back', () => {
  it('admin writes fail with a retryable 503 while NATS is away; afterwards writes and logins work again without a restart', async () => {
    await nats.pause();
    await expect.poll(async () => (await fetch(`${auth.opsUrl}/readyz`)).status, { timeout: 15_000 }).toBe(503);
    const refused = await auth.api('POST', '/v1/users', { body: { username: 'during', password: PASSWORD } });
    expect(refused.status).toBe(503);
    expect(['AUTH_STORE_UNAVAILABLE', 'BUS_PUBLISH_FAILED', 'BUS_UNAVAILABLE']).toContain(refused.body.error.code);
    expect(JSON.stringify(refused.body)).not.toContain(PASSWORD);

    await nats.resume();
    await expect.poll(async () => (await fetch(`${auth.opsUrl}/readyz`)).status, { timeout: 30_000 }).toBe(200);
    await expect.poll(async () => (await auth.api('POST', '/v1/users', { body: { username: 'after', password: PASSWORD } })).status, { timeout: 30_000 }).toBe(201);
    const login = (username: string) => request(bus, AuthLogin, { username, password: PASSWORD, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: `s-${username}` });
    await expect.poll(() => login('after').catch((error: Error) => error.message), { timeout: 30_000, interval: 500 }).toMatchObject({ outcome: 'accepted' });
    expect(await login('before')).toMatchObject({ outcome: 'accepted' });
    expect((await auth.api('GET', '/v1/users/during')).status).toBe(404);
  });

  it('reports not ready, saying why, when FERRY_USERS is deleted under it', async () => {
    await bus.jsm.streams.delete(streamNames.users);
    await expect
      .poll(async () => ((await (await fetch(`${auth.opsUrl}/readyz`)).json()) as { checks: Record<string, unknown> }).checks.users, { timeout: 15_000 })
      .toEqual({ ok: false, detail: 'FERRY_USERS subscription failed: stream FERRY_USERS was deleted; restore it, then restart auth' });
  });
});
