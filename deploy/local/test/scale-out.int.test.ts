import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_PASSWORD_VAR, STATS_USER_VAR } from '@ferry/haproxy-config';
import { getFreePorts, pollUntil, resolveBinary, waitForHttp } from '@ferry/testing';
import { localHaproxyConfig } from '../src/haproxy-config.js';
import { serviceEnv, type GatewayPorts } from '../src/service-env.js';
import { curlUpload, FtpSession, type FtpAccount } from './ftp-client.js';
import { completedUploads } from './indexer-client.js';
import { startStack, workspace, type RunningStack } from './run-stack.js';

const run = promisify(execFile);
let running: RunningStack;
let demo: FtpAccount;
let secrets: { adminToken: string; queryToken: string; haproxyStatsPassword: string };
let third: ChildProcess | undefined;

beforeAll(async () => {
  running = await startStack(['--gateways', '2']);
  demo = { port: running.stack.ftp.port, ...running.stack.demoUser };
  secrets = JSON.parse(await readFile(running.stack.secrets, 'utf8')) as typeof secrets;
});

afterAll(async () => {
  third?.kill('SIGKILL');
  await running?.stop();
});

/** Starts gw-3 as an operator would on a new host: its own address, passive range and agent port. */
async function startThirdGateway(): Promise<GatewayPorts> {
  const [ftpPort, agentPort, opsPort] = (await getFreePorts(3)) as [number, number, number];
  const last = running.stack.gateways.at(-1)!.passive[1];
  const gateway: GatewayPorts = {
    id: 'gw-3',
    address: '127.0.0.4',
    ftpPort,
    agentPort,
    passive: [last + 1, last + 100],
    publicAddress: '127.0.0.1',
    trustedProxies: '127.0.0.1/32',
    tls: { cert: join(running.dataDir, 'tls', 'cert.pem'), key: join(running.dataDir, 'tls', 'key.pem') },
  };
  const env = serviceEnv('ftp-gateway', { natsUrl: running.stack.nats.url, redisUrl: running.stack.redis.url, dataDir: running.dataDir, ...secrets, opsPort, apiPort: 0, gateway });
  const log = join(running.stack.logs, 'gw-3.log');
  const logFd = openSync(log, 'a');
  third = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'services/ftp-gateway/src/main.ts'], { cwd: workspace, env: { ...process.env, ...env }, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  await waitForHttp(`http://127.0.0.1:${opsPort}/readyz`, 30_000).catch(async (error: unknown) => {
    throw new Error(`gw-3 did not get ready: ${(error as Error).message}\n${await readFile(log, 'utf8')}`);
  });
  return gateway;
}

/** README "Adding a gateway": regenerate HAProxy's config with one more line, validate it, reload the master hitlessly. */
async function addToHaproxy(gateway: GatewayPorts): Promise<void> {
  const { stack } = running;
  const config = localHaproxyConfig([...stack.gateways, gateway], { ftpPort: stack.ftp.port, statsPort: Number(new URL(stack.haproxy.statsUrl).port) }, running.dataDir);
  await writeFile(stack.haproxy.config, config);
  await run(await resolveBinary('haproxy'), ['-c', '-f', stack.haproxy.config], { env: { ...process.env, [STATS_USER_VAR]: 'ops', [STATS_PASSWORD_VAR]: secrets.haproxyStatsPassword } });
  process.kill(stack.haproxy.pid!, 'SIGUSR2');
}

async function gatewayStates(): Promise<string[]> {
  const auth = `Basic ${Buffer.from(`ops:${secrets.haproxyStatsPassword}`).toString('base64')}`;
  const csv = await (await fetch(`${running.stack.haproxy.statsUrl};csv`, { headers: { authorization: auth } })).text();
  return csv
    .split('\n')
    .filter((line) => line.startsWith('ftp_gateways,gw-'))
    .map((line) => `${line.split(',')[1]} ${line.split(',')[17]}`);
}

describe('a third gateway added to the running stack (regenerate + hitless reload)', () => {
  it('keeps open sessions working through the reload and sends new sessions to the new gateway', async () => {
    const data = randomBytes(128 * 1024);
    const file = join(running.dataDir, 'scale.bin');
    await writeFile(file, data);
    const held = await Promise.all([1, 2, 3, 4].map(() => FtpSession.login(demo)));
    await held[0]!.expect('MKD /scale', 257);
    await held[0]!.upload('/scale/held-before.bin', data);

    await addToHaproxy(await startThirdGateway());
    await pollUntil('HAProxy to check gw-3 up', 30_000, async () => (await gatewayStates()).includes('gw-3 UP'));

    // The sessions opened before the reload transfer on (their new PASV data connections reach the new HAProxy worker).
    for (const [i, session] of held.entries()) await session.upload(`/scale/held-${i}.bin`, data);
    // New sessions: leastconn sends them to gw-3, which holds none of the open ones.
    for (let i = 0; i < 3; i++) await curlUpload(demo, file, `/scale/new-${i}.bin`);
    await Promise.all(held.map((session) => session.quit()));

    const expected = ['/scale/held-before.bin', ...held.map((_, i) => `/scale/held-${i}.bin`), ...[0, 1, 2].map((i) => `/scale/new-${i}.bin`)].sort();
    await pollUntil('the indexer to show every upload', 30_000, async () => (await completedUploads(running.stack, '/scale/')).length >= expected.length);
    const indexed = await completedUploads(running.stack, '/scale/');
    expect(indexed.map((t) => t.path).sort()).toEqual(expected);
    expect(indexed.filter((t) => t.path.startsWith('/scale/held-')).every((t) => t.gateway === 'gw-1' || t.gateway === 'gw-2')).toBe(true);
    expect(indexed.filter((t) => t.path.startsWith('/scale/new-')).map((t) => t.gateway)).toContain('gw-3');
    for (const name of expected) expect((await readFile(join(running.dataDir, 'storage', 'demo', name))).equals(data), name).toBe(true);
  });
});
