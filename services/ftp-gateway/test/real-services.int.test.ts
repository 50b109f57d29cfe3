import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamNames } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { activity } from './activity.js';
import { startGateway, type Gateway } from './gateway-harness.js';
import { startPlatform, type Platform } from './platform.js';
import { attempt as loginAttempt, loginCode as loginReplyCode } from './login-attempt.js';

/**
 * What only the real auth and session services can show: bans from login-failure
 * events, the profile's session limit across gateways, kicks through the session
 * admin API, disabled users, CIDR restrictions (outages: outages.int.test.ts).
 * Clients connect from other loopback addresses (127.0.0.2…) where a test needs its
 * own client address; 127.0.0.1 is on the ban allowlist so one test cannot ban the rest.
 */
const BAN_THRESHOLD = 3;
const ACCOUNT_THRESHOLD = 3;
const ATTACKER = '127.0.0.2';
const OFFICE = '127.0.0.3';

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let other: Gateway;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(
    nats.url,
    {
      alice: { password: 'alice-secret' },
      carol: { password: 'carol-secret', maxSessions: 2 },
      dave: { password: 'dave-secret' },
      erin: { password: 'erin-secret', allowedCidrs: [`${OFFICE}/32`] },
      frank: { password: 'frank-secret' },
    },
    {
      sessionEnv: {
        SESSION_BAN_THRESHOLD: String(BAN_THRESHOLD),
        SESSION_BAN_ALLOWLIST: '127.0.0.1/32',
        SESSION_ACCOUNT_THRESHOLD: String(ACCOUNT_THRESHOLD),
        SESSION_ACCOUNT_THROTTLE: '1m',
      },
    },
  );
  [gateway, other] = await Promise.all([startGateway(nats.url), startGateway(nats.url)]);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), other?.stop()]);
  await platform?.stop();
  await nats?.stop();
});

/** A login attempt on `gateway` (or `options.port`). */
async function attempt(user: string, password: string, options: { from?: string; port?: number } = {}) {
  return loginAttempt(options.port ?? gateway.ftpPort, user, password, options);
}

function loginCode(user: string, password: string, options: { from?: string; port?: number } = {}): Promise<number> {
  return loginReplyCode(options.port ?? gateway.ftpPort, user, password, options);
}

const failuresFrom = async (clientIp: string) =>
  (await activity(platform.bus)).filter((event) => event.type === 'ferry.auth.login.failed.v1' && event.data['clientIp'] === clientIp).length;

async function consumerIdle(durable: string): Promise<boolean> {
  const info = await platform.bus.jsm.consumers.info(streamNames.activity, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

const bannedAddresses = async (): Promise<string[]> => ((await platform.sessionApi('GET', '/bans')).body as { addresses: Array<{ address: string }> }).addresses.map((ban) => ban.address);

describe('address bans from login failures', () => {
  it(`${BAN_THRESHOLD} failed logins from one address are tolerated; one more bans it: its next login gets 421, other addresses go on, and lifting the ban lets it back in`, async () => {
    // Guesses at a name that does not exist, so that no real account gets throttled on the way.
    for (let i = 0; i < BAN_THRESHOLD; i++) expect(await loginCode('mallory', 'wrong-password', { from: ATTACKER })).toBe(530);
    await expect.poll(() => failuresFrom(ATTACKER), { timeout: 10_000 }).toBe(BAN_THRESHOLD);
    await expect.poll(() => consumerIdle('session-login-failures'), { timeout: 10_000 }).toBe(true);
    expect(await bannedAddresses()).not.toContain(ATTACKER);
    expect(await loginCode('mallory', 'wrong-password', { from: ATTACKER })).toBe(530);

    await expect.poll(bannedAddresses, { timeout: 10_000 }).toContain(ATTACKER);
    const { ftp, reply } = await attempt('alice', 'alice-secret', { from: ATTACKER });
    expect(reply).toEqual({ code: 421, text: '421 Service not available, try again later.' });
    await expect.poll(() => ftp.closed).toBe(true);
    await expect
      .poll(async () => (await activity(platform.bus)).filter((event) => event.type === 'ferry.session.refused.v1' && event.data['clientIp'] === ATTACKER).at(-1)?.data, { timeout: 10_000 })
      .toMatchObject({ reason: 'banned', username: 'alice' });
    expect(await loginCode('alice', 'alice-secret')).toBe(230);

    expect((await platform.sessionApi('DELETE', `/bans/addresses/${ATTACKER}`)).status).toBe(204);
    expect(await loginCode('alice', 'alice-secret', { from: ATTACKER })).toBe(230);
  });
});

describe('account throttling from login failures', () => {
  it('guesses at one account from many addresses throttle it (421) everywhere but where its owner logged in before', async () => {
    expect(await loginCode('frank', 'frank-secret')).toBe(230);
    const botnet = Array.from({ length: ACCOUNT_THRESHOLD + 1 }, (_, i) => `127.0.1.${i + 1}`);
    for (const from of botnet) expect(await loginCode('frank', 'guess', { from })).toBe(530);
    await expect
      .poll(async () => ((await platform.sessionApi('GET', '/bans')).body as { accounts: Array<{ username: string }> }).accounts.map((account) => account.username), { timeout: 10_000 })
      .toContain('frank');
    const { ftp, reply } = await attempt('frank', 'frank-secret', { from: '127.0.1.200' });
    expect(reply).toEqual({ code: 421, text: '421 Service not available, try again later.' });
    await expect.poll(() => ftp.closed).toBe(true);
    expect(await loginCode('frank', 'frank-secret')).toBe(230);
    expect(await bannedAddresses()).toEqual([]);

    expect((await platform.sessionApi('DELETE', '/bans/accounts/frank')).status).toBe(204);
    expect(await loginCode('frank', 'frank-secret', { from: '127.0.1.200' })).toBe(230);
  });
});

describe('the per-user session limit from the profile', () => {
  it('is enforced by the session service across gateways: a third session of a user allowed two gets 421, and a slot freed by QUIT can be taken again', async () => {
    const first = await attempt('carol', 'carol-secret');
    const second = await attempt('carol', 'carol-secret', { port: other.ftpPort });
    expect([first.reply.code, second.reply.code]).toEqual([230, 230]);
    const sessions = await platform.sessions('carol');
    expect(new Set(sessions.map((session) => session.gateway))).toEqual(new Set([gateway.gatewayId, other.gatewayId]));

    const third = await attempt('carol', 'carol-secret');
    expect(third.reply).toEqual({ code: 421, text: '421 Too many sessions for this user.' });
    third.ftp.close();
    expect(await platform.sessions('carol')).toHaveLength(2);

    expect((await second.ftp.command('QUIT')).code).toBe(221);
    await expect.poll(async () => (await platform.sessions('carol')).length, { timeout: 10_000 }).toBe(1);
    expect(await loginCode('carol', 'carol-secret')).toBe(230);
    first.ftp.close();
  });

  it('a lowered limit applies to the next login', async () => {
    expect((await platform.authApi('PATCH', '/v1/users/carol', { maxSessions: 1 })).status).toBe(200);
    await expect.poll(async () => (await platform.sessions('carol')).length, { timeout: 10_000 }).toBe(0);
    const { ftp, reply } = await attempt('carol', 'carol-secret');
    expect(reply.code).toBe(230);
    expect(await loginCode('carol', 'carol-secret', { port: other.ftpPort })).toBe(421);
    ftp.close();
  });
});

describe('kicking a session through the session admin API', () => {
  it('the owning gateway closes it with 421 and it is gone from the session store', async () => {
    const { ftp, reply } = await attempt('alice', 'alice-secret');
    expect(reply.code).toBe(230);
    const sessionId = await platform.lastSessionId('alice');
    const kick = await platform.sessionApi('POST', `/sessions/${sessionId}/kick`, { reason: 'abuse' });
    expect(kick.status).toBe(200);
    expect(kick.body).toMatchObject({ kicked: true, gatewayConfirmed: true, session: { sessionId, username: 'alice', gateway: gateway.gatewayId } });
    expect((await ftp.next()).code).toBe(421);
    await expect.poll(() => ftp.closed).toBe(true);
    expect((await platform.sessionApi('GET', `/sessions/${sessionId}`)).status).toBe(404);
    await expect
      .poll(async () => (await activity(platform.bus)).find((event) => event.type === 'ferry.session.closed.v1' && event.data['sessionId'] === sessionId)?.data['reason'], { timeout: 10_000 })
      .toBe('kicked');
  });

  it('kicking an unknown session is 404 and touches nothing', async () => {
    const answer = await platform.sessionApi('POST', '/sessions/no-such-session/kick', {});
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
  });
});

describe('users changed through the auth admin API', () => {
  it('a disabled user can no longer log in (even with the password just verified), and can again once enabled', async () => {
    expect(await loginCode('dave', 'dave-secret')).toBe(230);
    expect((await platform.authApi('POST', '/v1/users/dave/disable', { reason: 'left' })).status).toBe(200);
    expect(await loginCode('dave', 'dave-secret')).toBe(530);
    await expect
      .poll(async () => (await activity(platform.bus)).filter((event) => event.type === 'ferry.auth.login.failed.v1' && event.data['username'] === 'dave').at(-1)?.data['reason'], { timeout: 10_000 })
      .toBe('disabled');
    expect((await platform.authApi('POST', '/v1/users/dave/enable')).status).toBe(200);
    expect(await loginCode('dave', 'dave-secret')).toBe(230);
  });

  it('a changed password takes effect at the next login; the old one gets 530', async () => {
    expect((await platform.authApi('PUT', '/v1/users/dave/password', { password: 'dave-new-secret' })).status).toBe(200);
    expect(await loginCode('dave', 'dave-secret')).toBe(530);
    expect(await loginCode('dave', 'dave-new-secret')).toBe(230);
  });

  it('a deleted user gets 530 like an unknown one', async () => {
    expect((await platform.authApi('DELETE', '/v1/users/dave')).status).toBe(200);
    expect(await loginCode('dave', 'dave-new-secret')).toBe(530);
  });

  it('a user restricted to a CIDR logs in only from inside it, with the same 530 as a wrong password elsewhere', async () => {
    expect(await loginCode('erin', 'erin-secret', { from: OFFICE })).toBe(230);
    const { ftp, reply } = await attempt('erin', 'erin-secret');
    expect(reply).toEqual({ code: 530, text: '530 Login incorrect.' });
    ftp.close();
    await expect
      .poll(async () => (await activity(platform.bus)).filter((event) => event.type === 'ferry.auth.login.failed.v1' && event.data['username'] === 'erin').at(-1)?.data, { timeout: 10_000 })
      .toMatchObject({ reason: 'address_not_allowed', clientIp: '127.0.0.1' });
    expect((await platform.authApi('PATCH', '/v1/users/erin', { allowedCidrs: ['127.0.0.0/30'] })).status).toBe(200);
    expect(await loginCode('erin', 'erin-secret')).toBe(230);
    expect(await loginCode('erin', 'erin-secret', { from: '127.0.0.5' })).toBe(530);
  });
});
