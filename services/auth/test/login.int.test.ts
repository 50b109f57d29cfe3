import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Bus } from '@ferry/bus';
import { AuthLogin, eventSubjects, parseEvent, streamNames, type AuthEvent, authEvents } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { CredentialCache } from '../src/adapters/credential-cache.js';
import { createPasswordHasher } from '../src/adapters/passwords.js';
import { UserProjection } from '../src/adapters/projection.js';
import { loginHandler } from '../src/login.js';
import { startAuth, testBus, type AuthUnderTest } from './harness.js';

let nats: NatsServerHandle;
let auth: AuthUnderTest;
let bus: Bus;

const PASSWORD = 'correct horse battery staple';
let sessions = 0;
const login = (username: string, password: string, clientIp = '192.0.2.10') =>
  request(bus, AuthLogin, { username, password, clientIp, gateway: 'gw-1', sessionId: `s-${++sessions}` });

beforeAll(async () => {
  nats = await startNats();
  auth = await startAuth(nats.url);
  bus = await testBus(nats.url);
  for (const body of [
    { username: 'alice', password: PASSWORD, maxSessions: 2 },
    { username: 'office', password: PASSWORD, allowedCidrs: ['10.1.0.0/16', '2001:db8::/32'] },
    { username: 'frozen', password: PASSWORD },
    { username: 'gone', password: PASSWORD },
  ]) {
    expect((await auth.api('POST', '/v1/users', { body })).status).toBe(201);
  }
  await auth.api('POST', '/v1/users/frozen/disable');
  await auth.api('DELETE', '/v1/users/gone');
});

afterAll(async () => {
  await bus?.close();
  await auth?.stop();
  await nats?.stop();
});

/** Login events of one session, read back from FERRY_ACTIVITY. */
async function loginEvents(): Promise<AuthEvent[]> {
  const consumer = await bus.js.consumers.get(streamNames.activity, { filter_subjects: eventSubjects.allAuth });
  const info = await bus.jsm.streams.info(streamNames.activity);
  const events: AuthEvent[] = [];
  if (info.state.last_seq === 0) return events;
  const messages = await consumer.consume();
  for await (const msg of messages) {
    const parsed = parseEvent<AuthEvent>(msg.data, authEvents);
    if (parsed.ok) events.push(parsed.event);
    if (msg.info.pending === 0) break;
  }
  messages.stop();
  return events;
}

async function eventOfSession(sessionId: string): Promise<AuthEvent> {
  let found: AuthEvent | undefined;
  await expect.poll(async () => (found = (await loginEvents()).find((event) => event.data.sessionId === sessionId)), { timeout: 10_000 }).toBeDefined();
  return found!;
}

describe('ferry.rpc.auth.login', () => {
  it('accepts the right password and answers the profile, publishing login.succeeded', async () => {
    const reply = await login('alice', PASSWORD);
    expect(reply).toEqual({ outcome: 'accepted', username: 'alice', profile: expect.objectContaining({ home: 'alice', maxSessions: 2, allowedCidrs: [] }) });
    const event = await eventOfSession(`s-${sessions}`);
    expect(event.type).toBe('ferry.auth.login.succeeded.v1');
    expect(event.data).toMatchObject({ username: 'alice', clientIp: '192.0.2.10', gateway: 'gw-1', cached: false });
  });

  it.each([
    ['unknown_user', 'nobody', PASSWORD, '192.0.2.10'],
    ['unknown_user', 'not a valid name', PASSWORD, '192.0.2.10'],
    ['bad_password', 'alice', `${PASSWORD}x`, '192.0.2.10'],
    ['bad_password', 'alice', '', '192.0.2.10'],
    ['disabled', 'frozen', PASSWORD, '192.0.2.10'],
    ['deleted', 'gone', PASSWORD, '192.0.2.10'],
    ['address_not_allowed', 'office', PASSWORD, '192.0.2.10'],
    ['address_not_allowed', 'office', PASSWORD, '2001:db9::1'],
  ])('refuses without saying why, and records the reason %s for analysts', async (reason, username, password, clientIp) => {
    const reply = await login(username, password, clientIp);
    expect(reply).toEqual({ outcome: 'refused' });
    const event = await eventOfSession(`s-${sessions}`);
    expect(event).toMatchObject({ type: 'ferry.auth.login.failed.v1', data: { username, clientIp, reason } });
  });

  it('accepts a user restricted to CIDRs from inside them: IPv4, IPv6 and IPv4-mapped IPv6', async () => {
    expect(await login('office', PASSWORD, '10.1.200.3')).toMatchObject({ outcome: 'accepted' });
    expect(await login('office', PASSWORD, '2001:db8:1::7')).toMatchObject({ outcome: 'accepted' });
    expect(await login('office', PASSWORD, '::ffff:10.1.2.3')).toMatchObject({ outcome: 'accepted' });
    expect(await login('office', PASSWORD, '10.2.0.1')).toEqual({ outcome: 'refused' });
  });

  it('answers a repeated login from the credential cache, and forgets it on any event of that user', async () => {
    await auth.api('POST', '/v1/users', { body: { username: 'script', password: PASSWORD } });
    await login('script', PASSWORD);
    await login('script', PASSWORD);
    expect((await eventOfSession(`s-${sessions}`)).data).toMatchObject({ cached: true });
    // A profile change is an event of that user: the cache entry is dropped.
    await auth.api('PATCH', '/v1/users/script', { body: { maxSessions: 3 } });
    await expect.poll(async () => (await login('script', PASSWORD)).outcome === 'accepted' && (await eventOfSession(`s-${sessions}`)).data as unknown, { timeout: 10_000 }).toMatchObject({ cached: false });
    // After a password change, the old password is refused at once, cache or not.
    await auth.api('PUT', '/v1/users/script/password', { body: { password: `${PASSWORD} v2` } });
    await expect.poll(() => login('script', PASSWORD), { timeout: 10_000 }).toEqual({ outcome: 'refused' });
    expect(await login('script', `${PASSWORD} v2`)).toMatchObject({ outcome: 'accepted' });
  });

  it('refuses a user disabled or deleted after a cached login', async () => {
    await auth.api('POST', '/v1/users', { body: { username: 'leaver', password: PASSWORD } });
    await expect.poll(() => login('leaver', PASSWORD), { timeout: 10_000 }).toMatchObject({ outcome: 'accepted' });
    await auth.api('POST', '/v1/users/leaver/disable');
    await expect.poll(() => login('leaver', PASSWORD), { timeout: 10_000 }).toEqual({ outcome: 'refused' });
    await auth.api('POST', '/v1/users/leaver/enable');
    await expect.poll(() => login('leaver', PASSWORD), { timeout: 10_000 }).toMatchObject({ outcome: 'accepted' });
    await auth.api('DELETE', '/v1/users/leaver');
    await expect.poll(() => login('leaver', PASSWORD), { timeout: 10_000 }).toEqual({ outcome: 'refused' });
  });

  it('accepts a user right after the admin API answered its creation (read-your-writes on one instance)', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await auth.api('POST', '/v1/users', { body: { username: `fresh${i}`, password: PASSWORD } })).status).toBe(201);
      expect(await login(`fresh${i}`, PASSWORD)).toMatchObject({ outcome: 'accepted' });
      expect((await auth.api('POST', `/v1/users/fresh${i}/disable`)).status).toBe(200);
      expect(await login(`fresh${i}`, PASSWORD)).toEqual({ outcome: 'refused' });
    }
  });

  it('never puts the password in an event', async () => {
    const secret = 'a-very-distinctive-wrong-password';
    await login('alice', secret);
    await eventOfSession(`s-${sessions}`);
    const info = await bus.jsm.streams.info(streamNames.activity);
    for (let seq = 1; seq <= info.state.last_seq; seq++) {
      const stored = await bus.jsm.streams.getMessage(streamNames.activity, { seq });
      expect(new TextDecoder().decode(stored?.data)).not.toContain(secret);
    }
  });

  it('counts logins by outcome and reason in /metrics', async () => {
    const metrics = await (await fetch(`${auth.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^ferry_auth_logins_total\{[^}]*outcome="refused"[^}]*reason="bad_password"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^ferry_auth_logins_total\{[^}]*outcome="accepted"[^}]*cached="true"[^}]*\} [1-9]/m);
  });

  it('refuses a malformed request naming the field', async () => {
    await expect(bus.nc.request(AuthLogin.subject, new TextEncoder().encode('{"username":"alice"}'), { timeout: 2_000 }).then((msg) => JSON.parse(new TextDecoder().decode(msg.data)) as unknown)).resolves.toMatchObject({
      ok: false,
      error: { code: 'CONTRACT_VIOLATION', field: 'password' },
    });
  });
});

describe('catching up', () => {
  it('a projection that has not replayed FERRY_USERS yet is not caught up, and login answers AUTH_NOT_READY until then', async () => {
    const projection = new UserProjection(bus);
    expect(projection.caughtUp).toBe(false);
    const handler = loginHandler({ runtime: auth.running.runtime, projection, hasher: await createPasswordHasher({ logN: 4, r: 8, p: 1 }), cache: new CredentialCache({ ttlMs: 0 }), publish: () => true });
    const attempt = handler({ username: 'alice', password: PASSWORD, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: 's-x' });
    await expect(attempt).rejects.toMatchObject({ code: 'AUTH_NOT_READY', retryable: true });
    await projection.start();
    await projection.waitUntilCaughtUp();
    const stream = await bus.jsm.streams.info(streamNames.users);
    expect(projection.progress().applied).toBeGreaterThanOrEqual(stream.state.last_seq);
    await expect(handler({ username: 'alice', password: PASSWORD, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: 's-y' })).resolves.toMatchObject({ outcome: 'accepted' });
    await projection.stop();
  });

  it('verifies a password once for logins of one user that arrive together (single flight), and a wrong one apart', async () => {
    const projection = new UserProjection(bus);
    await projection.start();
    await projection.waitUntilCaughtUp();
    const real = await createPasswordHasher({ logN: 4, r: 8, p: 1 });
    let verifications = 0;
    const hasher = { hash: (password: string) => real.hash(password), dummyHash: real.dummyHash, verify: (password: string, hash: string) => (verifications++, real.verify(password, hash)) };
    // The cache is off: only the single flight can spare the hashes.
    const handler = loginHandler({ runtime: auth.running.runtime, projection, hasher, cache: new CredentialCache({ ttlMs: 0 }), publish: () => true });
    const attempt = (password: string, i: number) => handler({ username: 'alice', password, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: `s-flight-${password.length}-${i}` });
    const together = await Promise.all([...Array.from({ length: 8 }, (_, i) => attempt(PASSWORD, i)), attempt(`${PASSWORD}!`, 0)]);
    expect(together.map((reply) => reply.outcome)).toEqual([...Array<string>(8).fill('accepted'), 'refused']);
    expect(verifications).toBe(2);
    // Once settled, nothing is shared any more: the next login verifies again.
    await attempt(PASSWORD, 9);
    expect(verifications).toBe(3);
    await projection.stop();
  });

  it('refuses to answer a login whose event cannot be queued, with a retryable AUTH_UNAVAILABLE', async () => {
    const projection = new UserProjection(bus);
    await projection.start();
    await projection.waitUntilCaughtUp();
    const handler = loginHandler({ runtime: auth.running.runtime, projection, hasher: await createPasswordHasher({ logN: 4, r: 8, p: 1 }), cache: new CredentialCache({ ttlMs: 0 }), publish: () => false });
    await expect(handler({ username: 'alice', password: PASSWORD, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: 's-z' })).rejects.toMatchObject({ code: 'AUTH_UNAVAILABLE', retryable: true });
    await projection.stop();
  });
});
