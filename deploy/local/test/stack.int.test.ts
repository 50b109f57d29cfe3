import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { connectBus, request } from '@ferry/bus';
import { AuthLogin } from '@ferry/contracts';
import type { StackFile } from '../src/stack-file.js';
import { startStack, workspace, type RunningStack } from './run-stack.js';

const run = promisify(execFile);
let running: RunningStack;
let dataDir: string;
let stack: StackFile;

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const readyz = (url: string) => fetch(`${url}/readyz`).then((r) => r.status).catch(() => 0);

beforeAll(async () => {
  running = await startStack();
  ({ dataDir, stack } = running);
});

afterAll(async () => {
  await running?.stop();
});

describe('the local stack (npm start)', () => {
  it('brings up NATS, Redis and every service, each healthy on /readyz', async () => {
    expect(running.output()).toContain('Ferry is running');
    expect(Object.keys(stack.services).sort()).toEqual(['alert-relay', 'auth', 'gw-1', 'gw-2', 'session', 'storage-indexer']);
    for (const service of Object.values(stack.services)) expect(await readyz(service.opsUrl)).toBe(200);
  });

  it('creates the demo user with a random password that logs in, and prints it', async () => {
    expect(stack.demoUser.username).toBe('demo');
    expect(stack.demoUser.password.length).toBeGreaterThanOrEqual(16);
    expect(running.output()).toContain(stack.demoUser.password);
    const bus = await connectBus({ servers: [stack.nats.url], name: 'stack-test' });
    try {
      const login = { username: 'demo', clientIp: '127.0.0.1', gateway: 'gw-1', sessionId: 's-stack-test' };
      await expect(request(bus, AuthLogin, { ...login, password: stack.demoUser.password })).resolves.toMatchObject({ outcome: 'accepted' });
      await expect(request(bus, AuthLogin, { ...login, password: 'not-the-password' })).resolves.toEqual({ outcome: 'refused' });
    } finally {
      await bus.close();
    }
  });

  it('serves FTP through HAProxy: a curl upload, listing and download are byte-identical, plain and over explicit FTPS', async () => {
    const { password } = stack.demoUser;
    const url = (path: string) => `ftp://demo:${encodeURIComponent(password)}@127.0.0.1:${stack.ftp.port}${path}`;
    const original = randomBytes(3 * 1024 * 1024 + 7);
    await writeFile(join(dataDir, 'upload.bin'), original);
    await run('curl', ['-sS', '--fail', '-T', join(dataDir, 'upload.bin'), url('/e2e/upload.bin'), '--ftp-create-dirs']);
    const { stdout: listing } = await run('curl', ['-sS', '--fail', url('/e2e/')]);
    expect(listing).toMatch(/upload\.bin/);
    await run('curl', ['-sS', '--fail', '-o', join(dataDir, 'download.bin'), url('/e2e/upload.bin')]);
    expect((await readFile(join(dataDir, 'download.bin'))).equals(original)).toBe(true);
    await run('curl', ['-sS', '--fail', '--ssl-reqd', '--insecure', '-o', join(dataDir, 'download-tls.bin'), url('/e2e/upload.bin')]);
    expect((await readFile(join(dataDir, 'download-tls.bin'))).equals(original)).toBe(true);
  });

  it('has HAProxy health-check every gateway up (220 greeting through PROXY v2, and the agent check)', async () => {
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { haproxyStatsPassword: string };
    const auth = `Basic ${Buffer.from(`ops:${secrets.haproxyStatsPassword}`).toString('base64')}`;
    await pollUntil('every gateway UP with L7OK', 30_000, async () => {
      const csv = await (await fetch(`${stack.haproxy.statsUrl};csv`, { headers: { authorization: auth } })).text();
      const up = csv.split('\n').filter((line) => line.startsWith('ftp_gateways,gw-') && line.split(',')[17] === 'UP' && line.split(',')[36] === 'L7OK');
      return up.length === stack.gateways.length;
    });
    expect(stack.gateways.map((g) => g.id)).toEqual(['gw-1', 'gw-2']);
  });

  it('shows the services heartbeats on the FERRY_HEALTH stream', async () => {
    await pollUntil('heartbeats on FERRY_HEALTH', 20_000, async () => {
      const jsz = (await (await fetch(`${stack.nats.monitorUrl}/jsz?streams=true`)).json()) as { account_details: Array<{ stream_detail: Array<{ name: string; state: { messages: number } }> }> };
      const health = jsz.account_details.flatMap((a) => a.stream_detail).find((s) => s.name === 'FERRY_HEALTH');
      return (health?.state.messages ?? 0) >= 5;
    });
  });

  it('routes an alert through the alert-relay to the local webhook sink, which prints it', async () => {
    const relay = stack.services['alert-relay']!;
    const alert = { labels: { alertname: 'LocalStackCheck', severity: 'warning', service: 'ftp-gateway' }, annotations: { summary: 'local stack alert path' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'abc123' };
    const payload = { version: '4', groupKey: '{}:{alertname="LocalStackCheck"}', truncatedAlerts: 0, status: 'firing', receiver: 'ferry-relay', groupLabels: { alertname: 'LocalStackCheck' }, commonLabels: alert.labels, commonAnnotations: alert.annotations, externalURL: 'http://alertmanager', alerts: [{ status: 'firing', ...alert }] };
    const response = await fetch(`${relay.apiUrl}/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    expect(response.status).toBeLessThan(300);
    await pollUntil('the alert to be printed by the sink', 40_000, () => Promise.resolve(/🔔 .*LocalStackCheck/.test(running.output())));
  });

  it('restarts a service that crashes and reports it', async () => {
    const before = stack.services.auth!;
    process.kill(before.pid!, 'SIGKILL');
    await pollUntil('auth to be restarted', 30_000, () => Promise.resolve(running.output().includes('auth restarted')));
    await pollUntil('auth to be ready again', 30_000, async () => (await readyz(before.opsUrl)) === 200);
    expect(running.output()).toMatch(/auth exited \(SIGKILL\); restarting/);
  });

  it('Ctrl-C stops every child process and removes stack.json', async () => {
    const pids = Object.values(stack.services).map((s) => s.pid);
    running.runner.kill('SIGINT');
    const [code] = (await once(running.runner, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    await expect(fetch(`${stack.nats.monitorUrl}/varz`)).rejects.toThrow();
  });

  it('refuses an unknown option, naming it', async () => {
    const child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'deploy/local/src/main.ts', '--gatways', '3'], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(64);
    expect(stderr).toContain('--gatways');
  });
});
