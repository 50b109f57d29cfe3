import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePorts, startNats, waitForTcp, type NatsServerHandle } from '@ferry/testing';
import { askAgent } from './agent.js';
import { startPlatform, type Platform } from './platform.js';
import { RawFtp } from './raw-ftp.js';

const workspace = new URL('../../../', import.meta.url).pathname;
let nats: NatsServerHandle;
let platform: Platform;
let storage: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  storage = await mkdtemp(join(tmpdir(), 'ferry-drain-'));
});

afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await platform?.stop();
  await nats?.stop();
  await rm(storage, { recursive: true, force: true });
});

describe('SIGTERM on a real gateway process', () => {
  it('announces drain to the agent check while still taking logins, then refuses them with 421, lets the running upload finish, and exits 0', async () => {
    const [ftpPort = 0, agentPort = 0, passive = 0] = await getFreePorts(3);
    child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'services/ftp-gateway/src/main.ts'], {
      cwd: workspace,
      env: {
        PATH: process.env['PATH'] ?? '',
        NATS_URL: nats.url,
        LOG_LEVEL: 'warn',
        GATEWAY_ID: 'drain-test',
        FERRY_STORAGE_ROOT: storage,
        GATEWAY_FTP_PORT: String(ftpPort),
        GATEWAY_AGENT_PORT: String(agentPort),
        GATEWAY_PASSIVE_PORTS: `${passive}-${passive + 20}`,
        GATEWAY_DRAIN_GRACE: '20s',
        // Long enough for one login after the agent's "drain"; nothing here measures it.
        GATEWAY_DRAIN_NOTICE: '5s',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    await waitForTcp('127.0.0.1', ftpPort, 30_000);

    const ftp = await RawFtp.open(ftpPort);
    await ftp.login();
    const sessionId = await platform.lastSessionId('alice');
    const data = await ftp.epsv();
    expect((await ftp.command('STOR during-drain.bin')).code).toBe(150);
    data.write(Buffer.alloc(10_000, 1));

    child.kill('SIGTERM');
    await expect.poll(() => askAgent(agentPort).catch(() => ''), { timeout: 10_000 }).toBe('drain\n');
    // The notice: HAProxy has been told, but a client it sent before its next agent check still gets in.
    const noticed = await RawFtp.open(ftpPort);
    await noticed.login();
    expect((await noticed.command('NOOP')).code).toBe(200);
    const refused = async () => {
      const late = await RawFtp.open(ftpPort).catch(() => undefined);
      const greeting = await late?.next().catch(() => undefined);
      late?.close();
      return greeting?.code;
    };
    await expect.poll(refused, { timeout: 20_000, interval: 200 }).toBe(421);
    expect(await askAgent(agentPort)).toBe('drain\n');

    await new Promise((resolve) => setTimeout(resolve, 300));
    data.end(Buffer.alloc(10_000, 2));
    expect((await ftp.next()).code).toBe(226);
    expect(await exited, output).toBe(0);
    const stored = await readFile(join(storage, 'alice', 'during-drain.bin'));
    expect(stored.length).toBe(20_000);
    await expect.poll(() => platform.closedReason(sessionId), { timeout: 10_000 }).toBe('gateway_stopped');
  });
});
