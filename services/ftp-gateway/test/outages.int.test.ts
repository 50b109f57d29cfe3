import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePorts, startNats, type NatsServerHandle } from '@ferry/testing';
import { activity } from './activity.js';
import { askAgent } from './agent.js';
import { startGateway, type Gateway } from './gateway-harness.js';
import { attempt as loginAttempt, loginCode as loginReplyCode } from './login-attempt.js';
import { startPlatform, type Platform } from './platform.js';
import { serviceProcess, type ServiceProcess } from './service-process.js';

/**
 * The real platform failing for real: a gateway process killed (its sessions expire
 * after SESSION_TTL), Redis paused, the auth or the session process stopped.
 */
let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let agentPort: number;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(
    nats.url,
    { alice: { password: 'alice-secret' }, gina: { password: 'gina-secret', maxSessions: 1 } },
    { sessionEnv: { SESSION_TTL: '3s' } },
  );
  [agentPort = 0] = await getFreePorts(1);
  gateway = await startGateway(nats.url, { GATEWAY_AGENT_PORT: String(agentPort) });
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
});

function attempt(user: string, password: string, options: { port?: number } = {}) {
  return loginAttempt(options.port ?? gateway.ftpPort, user, password);
}

function loginCode(user: string, password: string): Promise<number> {
  return loginReplyCode(gateway.ftpPort, user, password);
}

describe('a gateway that dies', () => {
  it('holds its sessions until SESSION_TTL runs out; then the session service expires them (session.expired) and the user may log in elsewhere', async () => {
    const [passive = 0] = await getFreePorts(1);
    const storage = await mkdtemp(join(tmpdir(), 'ferry-doomed-'));
    let doomed: ServiceProcess | undefined;
    try {
      doomed = await serviceProcess(
        'ftp-gateway',
        {
          NATS_URL: nats.url,
          GATEWAY_ID: 'doomed',
          FERRY_STORAGE_ROOT: storage,
          GATEWAY_PASSIVE_PORTS: `${passive}-${passive + 10}`,
          GATEWAY_SESSION_HEARTBEAT_INTERVAL: '500ms',
        },
        ['GATEWAY_FTP_PORT'],
      );
      const ftpPort = doomed.ports['GATEWAY_FTP_PORT'] ?? 0;
      const { ftp, reply } = await attempt('gina', 'gina-secret', { port: ftpPort });
      expect(reply.code).toBe(230);
      const [held] = await platform.sessions('gina');
      expect(held).toMatchObject({ gateway: 'doomed' });
      await doomed.stop('SIGKILL');
      await expect.poll(() => ftp.closed).toBe(true);
      expect(await loginCode('gina', 'gina-secret')).toBe(421);
      await expect.poll(() => loginCode('gina', 'gina-secret'), { timeout: 20_000, interval: 500 }).toBe(230);
      await expect
        .poll(async () => (await activity(platform.bus)).find((event) => event.type === 'ferry.session.expired.v1' && event.data['sessionId'] === held!.sessionId)?.data, { timeout: 10_000 })
        .toMatchObject({ username: 'gina', gateway: 'doomed' });
    } finally {
      await doomed?.stop('SIGKILL');
      await rm(storage, { recursive: true, force: true });
    }
  });
});

describe('a platform service or Redis going away', () => {
  it('while Redis is paused logins get 421 and the session service is not ready; after resume logins work again', async () => {
    await platform.redis.pause();
    try {
      await expect.poll(async () => (await fetch(`${platform.session.opsUrl}/readyz`)).status, { timeout: 10_000 }).toBe(503);
      const { ftp, reply } = await attempt('alice', 'alice-secret');
      expect(reply).toEqual({ code: 421, text: '421 Service not available, try again later.' });
      await expect.poll(() => ftp.closed).toBe(true);
    } finally {
      await platform.redis.resume();
    }
    await expect.poll(() => loginCode('alice', 'alice-secret'), { timeout: 20_000, interval: 300 }).toBe(230);
  });

  it('while the auth process is stopped logins get 421 and open sessions go on; once it is back (users replayed from the stream) logins work again', async () => {
    const open = await attempt('alice', 'alice-secret');
    expect(open.reply.code).toBe(230);
    await platform.auth.stop();
    try {
      const { ftp, reply } = await attempt('alice', 'alice-secret');
      expect(reply).toEqual({ code: 421, text: '421 Service not available, try again later.' });
      await expect.poll(() => ftp.closed).toBe(true);
      expect((await open.ftp.command('PWD')).code).toBe(257);
    } finally {
      await platform.auth.start();
    }
    expect(await loginCode('alice', 'alice-secret')).toBe(230);
    open.ftp.close();
  });

  it('while the session process is stopped logins get 421 and open sessions go on; once it is back they are still known and logins work again', async () => {
    const open = await attempt('alice', 'alice-secret');
    expect(open.reply.code).toBe(230);
    const sessionId = await platform.lastSessionId('alice');
    await platform.session.stop();
    try {
      expect(await loginCode('alice', 'alice-secret')).toBe(421);
      // The gateway's session heartbeats now fail (its agent check says down), yet they close no session.
      await expect.poll(() => askAgent(agentPort), { timeout: 10_000 }).toBe('down\n');
      expect((await open.ftp.command('NOOP')).code).toBe(200);
    } finally {
      await platform.session.start();
    }
    await expect.poll(() => loginCode('alice', 'alice-secret'), { timeout: 10_000, interval: 300 }).toBe(230);
    expect((await platform.sessions('alice')).map((session) => session.sessionId)).toContain(sessionId);
    await expect.poll(() => askAgent(agentPort), { timeout: 10_000 }).toMatch(/^up /);
    expect((await open.ftp.command('NOOP')).code).toBe(200);
    open.ftp.close();
  });
});
