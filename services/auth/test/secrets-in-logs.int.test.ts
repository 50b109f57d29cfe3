import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Bus } from '@ferry/bus';
import { AuthLogin } from '@ferry/contracts';
import { getFreePort, startNats, waitForHttp, type NatsServerHandle } from '@ferry/testing';
import { ADMIN_TOKEN, testBus } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let nats: NatsServerHandle;
let bus: Bus;
let child: ChildProcess;
let output = '';
let apiUrl: string;

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  const [apiPort, opsPort] = [await getFreePort(), await getFreePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'services/auth/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, NATS_URL: nats.url, FERRY_API_PORT: String(apiPort), FERRY_OPS_PORT: String(opsPort), FERRY_ADMIN_TOKEN: ADMIN_TOKEN, AUTH_SCRYPT_LOG_N: '4', LOG_LEVEL: 'trace' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForHttp(`http://127.0.0.1:${opsPort}/readyz`, 30_000, (status) => status === 200);
});

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await bus?.close();
  await nats?.stop();
});

describe('passwords never reach the logs', () => {
  it('the real service, at trace level, logs nothing containing a password given at creation, at a change or at a wrong login', async () => {
    const secrets = ['first-Secret-Password-123', 'second-Secret-Password-456', 'wrong-Secret-Password-789', 'short'];
    const admin = (method: string, path: string, body: unknown) =>
      fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await admin('POST', '/v1/users', { username: 'alice', password: secrets[0] })).status).toBe(201);
    expect((await admin('PUT', '/v1/users/alice/password', { password: secrets[1] })).status).toBe(200);
    expect((await admin('PUT', '/v1/users/alice/password', { password: secrets[3] })).status).toBe(400);
    const login = (password: string, username = 'alice') => request(bus, AuthLogin, { username, password, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: 's-1' });
    expect(await login(secrets[2]!)).toEqual({ outcome: 'refused' });
    expect(await login(secrets[2]!, 'nobody')).toEqual({ outcome: 'refused' });
    expect(await login(secrets[1]!)).toMatchObject({ outcome: 'accepted' });
    await expect.poll(() => output, { timeout: 10_000 }).toContain('"outcome":"accepted"');
    expect(output).toContain('"reason":"bad_password"');
    for (const secret of secrets.slice(0, 3)) expect(output).not.toContain(secret);
    expect(output).not.toContain('$scrypt$');
    expect(output).not.toContain(ADMIN_TOKEN);
  });
});
