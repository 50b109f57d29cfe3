import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCommands } from '@ferry/contracts';
import { request } from '@ferry/bus';
import { getFreePort, startNats, type NatsServerHandle } from '@ferry/testing';
import { activity } from './activity.js';
import { askAgent } from './agent.js';
import { startPlatform, type Platform } from './platform.js';
import { startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp } from './raw-ftp.js';

let nats: NatsServerHandle;

async function canLogIn(port: number): Promise<boolean> {
  const ftp = await RawFtp.open(port);
  try {
    await ftp.login();
    return true;
  } catch {
    return false;
  } finally {
    ftp.close();
  }
}
let platform: Platform;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
});

afterAll(async () => {
  await platform?.stop();
  await nats?.stop();
});

describe('operating a gateway', () => {
  let gateway: Gateway;
  let agentPort: number;

  beforeAll(async () => {
    agentPort = await getFreePort();
    gateway = await startGateway(nats.url, { GATEWAY_AGENT_PORT: String(agentPort), GATEWAY_MAX_SESSIONS: '4' });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('the agent check answers up with a weight that falls as sessions fill the capacity', async () => {
    expect(await askAgent(agentPort)).toBe('up ready 100%\n');
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect(await askAgent(agentPort)).toBe('up ready 75%\n');
    ftp.close();
    await expect.poll(() => askAgent(agentPort)).toBe('up ready 100%\n');
  });

  it('kick closes the session with 421 and publishes session kicked', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const sessionId = await platform.lastSessionId('alice');
    const reply = await request(platform.bus, gatewayCommands(gateway.gatewayId).kick, { sessionId, by: 'cli:test', reason: 'testing' });
    expect(reply).toEqual({ kicked: true });
    expect((await ftp.next()).code).toBe(421);
    await expect.poll(() => ftp.closed).toBe(true);
    await expect
      .poll(async () => (await activity(platform.bus)).find((event) => event.type === 'ferry.session.kicked.v1' && event.data['sessionId'] === sessionId)?.data, { timeout: 10_000 })
      .toMatchObject({ by: 'cli:test', reason: 'testing', username: 'alice' });
    expect(await request(platform.bus, gatewayCommands(gateway.gatewayId).kick, { sessionId: 'no-such-session', by: 'cli:test' })).toEqual({ kicked: false });
  });

  it('while NATS is away the agent check says down and logins get 421 "Service not available"', async () => {
    await nats.pause();
    try {
      await expect.poll(() => askAgent(agentPort), { timeout: 10_000 }).toBe('down\n');
      // Auth and session cannot be asked: the login fails closed, with 421, and the process stays up.
      const ftp = await RawFtp.open(gateway.ftpPort);
      await ftp.next();
      await ftp.command('USER alice');
      expect(await ftp.command('PASS alice-secret')).toEqual({ code: 421, text: '421 Service not available, try again later.' });
      await expect.poll(() => ftp.closed).toBe(true);
    } finally {
      await nats.resume();
    }
    await expect.poll(() => askAgent(agentPort), { timeout: 15_000, interval: 300 }).toBe('up ready 100%\n');
    // The auth and session services reconnect on their own schedule: wait until a login works again.
    await expect.poll(() => canLogIn(gateway.ftpPort), { timeout: 15_000, interval: 300 }).toBe(true);
  });

  it('a login beyond GATEWAY_MAX_SESSIONS gets 421', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => RawFtp.open(gateway.ftpPort)));
    try {
      for (const ftp of sessions) await ftp.login();
      const extra = await RawFtp.open(gateway.ftpPort);
      await extra.next();
      await extra.command('USER alice');
      expect(await extra.command('PASS alice-secret')).toEqual({ code: 421, text: '421 Too many users on this server, try again later.' });
    } finally {
      sessions.forEach((ftp) => ftp.close());
    }
    await expect.poll(() => askAgent(agentPort)).toBe('up ready 100%\n');
  });

  it('the drain command refuses new connections with 421 and turns the agent check to drain', async () => {
    const open = await RawFtp.open(gateway.ftpPort);
    await open.login();
    expect(await request(platform.bus, gatewayCommands(gateway.gatewayId).drain, { by: 'cli:test' })).toEqual({ draining: true });
    expect(await askAgent(agentPort)).toBe('drain\n');
    const late = await RawFtp.open(gateway.ftpPort);
    expect((await late.next()).code).toBe(421);
    expect((await open.command('NOOP')).code).toBe(200);
    open.close();
  });
});

describe('draining with a grace period', () => {
  it('closes the remaining sessions with 421 (reason drain) once the grace period is over', async () => {
    const gateway = await startGateway(nats.url);
    try {
      const ftp = await RawFtp.open(gateway.ftpPort);
      await ftp.login();
      const sessionId = await platform.lastSessionId('alice');
      await request(platform.bus, gatewayCommands(gateway.gatewayId).drain, { by: 'cli:test', graceMs: 0 });
      expect((await ftp.next()).code).toBe(421);
      await expect.poll(() => platform.closedReason(sessionId), { timeout: 10_000 }).toBe('drain');
    } finally {
      await gateway.stop();
    }
  });
});

describe('idle sessions', () => {
  it('a session idle longer than GATEWAY_IDLE_TIMEOUT is closed with 421', async () => {
    const gateway = await startGateway(nats.url, { GATEWAY_IDLE_TIMEOUT: '1s' });
    try {
      const ftp = await RawFtp.open(gateway.ftpPort);
      await ftp.login();
      const sessionId = await platform.lastSessionId('alice');
      const reply = await ftp.next(5_000);
      expect(reply.code).toBe(421);
      await expect.poll(() => ftp.closed).toBe(true);
      await expect.poll(() => platform.closedReason(sessionId), { timeout: 10_000 }).toBe('idle_timeout');
    } finally {
      await gateway.stop();
    }
  });
});
