import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Bus } from '@ferry/bus';
import { AuthLogin } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { namesOf, startAuth, testBus, type AuthUnderTest } from './harness.js';

let nats: NatsServerHandle;
let bus: Bus;
const started: AuthUnderTest[] = [];

const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
});

afterAll(async () => {
  await bus?.close();
  for (const auth of started) await auth.stop();
  await nats?.stop();
});

async function launch(): Promise<AuthUnderTest> {
  const auth = await startAuth(nats.url);
  started.push(auth);
  return auth;
}

async function everything(auth: AuthUnderTest) {
  const users = namesOf((await auth.api('GET', '/v1/users')).body.users);
  const shown = await Promise.all(['u0', 'u1', 'u2', 'u3', 'u4', 'u5'].map(async (name) => (await auth.api('GET', `/v1/users/${name}?events=1000`)).body as unknown));
  return { users, shown };
}

describe('replay', () => {
  it('a restarted service rebuilds the same state from FERRY_USERS and reports its users check ready', async () => {
    const first = await launch();
    for (let i = 0; i < 6; i++) await first.api('POST', '/v1/users', { body: { username: `u${i}`, password: PASSWORD, maxSessions: i + 1 } });
    for (let round = 0; round < 20; round++) await first.api('PATCH', '/v1/users/u0', { body: { maxSessions: round + 2 } });
    await first.api('POST', '/v1/users/u1/disable', { body: { reason: 'audit' } });
    await first.api('DELETE', '/v1/users/u2');
    await first.api('POST', '/v1/users', { body: { username: 'u2', password: `${PASSWORD}2` } });
    await first.api('DELETE', '/v1/users/u3');
    await first.api('PUT', '/v1/users/u4/password', { body: { password: `${PASSWORD}4` } });
    await first.api('PATCH', '/v1/users/u5', { body: { allowedCidrs: ['10.0.0.0/8'], home: 'five' } });
    await expect.poll(async () => namesOf((await first.api('GET', '/v1/users')).body.users).length).toBe(5);
    const before = await everything(first);
    await first.stop();

    const second = await launch();
    await expect.poll(async () => (await fetch(`${second.opsUrl}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    const ready = (await (await fetch(`${second.opsUrl}/readyz`)).json()) as { checks: Record<string, unknown> };
    expect(ready.checks.users).toEqual({ ok: true, users: 5 });
    expect(await everything(second)).toEqual(before);
    expect(before.users).toEqual(['u0', 'u1', 'u2', 'u4', 'u5']);

    const login = (username: string, password: string) => request(bus, AuthLogin, { username, password, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: `s-${username}` });
    expect(await login('u0', PASSWORD)).toMatchObject({ outcome: 'accepted', profile: { maxSessions: 21 } });
    expect(await login('u1', PASSWORD)).toEqual({ outcome: 'refused' });
    expect(await login('u2', PASSWORD)).toEqual({ outcome: 'refused' });
    expect(await login('u2', `${PASSWORD}2`)).toMatchObject({ outcome: 'accepted' });
    expect(await login('u3', PASSWORD)).toEqual({ outcome: 'refused' });
    expect(await login('u4', `${PASSWORD}4`)).toMatchObject({ outcome: 'accepted' });
  });

  it('a second instance on the same NATS follows changes made through the first one', async () => {
    const [a, b] = [started.at(-1)!, await launch()];
    await a.api('POST', '/v1/users', { body: { username: 'shared', password: PASSWORD } });
    await expect.poll(async () => namesOf((await b.api('GET', '/v1/users')).body.users), { timeout: 10_000 }).toContain('shared');
    await b.api('POST', '/v1/users/shared/disable');
    await expect.poll(async () => ((await a.api('GET', '/v1/users')).body.users as Array<{ username: string; status: string }>).find((user) => user.username === 'shared')?.status, { timeout: 10_000 }).toBe('disabled');
  });
});
