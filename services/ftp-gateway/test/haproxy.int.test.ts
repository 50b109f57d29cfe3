import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePorts, startHaproxy, startNats, type HaproxyHandle, type NatsServerHandle } from '@ferry/testing';
import { activity } from './activity.js';
import { startPlatform, type Platform } from './platform.js';
import { startGateway, type Gateway } from './gateway-harness.js';

const run = promisify(execFile);
let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let haproxy: HaproxyHandle;
let work: string;
let ftpPort: number;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-haproxy-'));
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  const [port = 0, passive = 0, agent = 0] = await getFreePorts(3);
  ftpPort = port;
  // The gateway listens on 127.0.0.2 (control and passive), HAProxy on 127.0.0.1 with the same ports.
  gateway = await startGateway(nats.url, {
    GATEWAY_FTP_HOST: '127.0.0.2',
    GATEWAY_FTP_PORT: String(port),
    GATEWAY_PASSIVE_PORTS: `${passive}`,
    GATEWAY_PUBLIC_ADDRESS: '127.0.0.1',
    GATEWAY_PROXY_TRUSTED_CIDRS: '127.0.0.1/32,127.0.0.2/32',
    GATEWAY_AGENT_PORT: String(agent),
  });
  haproxy = await startHaproxy({
    readyPort: port,
    config: [
      'global',
      '  maxconn 200',
      `  stats socket ${join(work, 'admin.sock')} level admin`,
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      'frontend ftp',
      `  bind 127.0.0.1:${port}`,
      '  default_backend gateways',
      'backend gateways',
      // deploy/haproxy's check (greeting, QUIT, 221); `connect default` so the check sends the server line's PROXY header.
      '  option tcp-check',
      '  tcp-check connect default',
      '  tcp-check expect rstring ^220',
      '  tcp-check send "QUIT\\r\\n"',
      '  tcp-check expect rstring ^221',
      `  server gw1 127.0.0.2:${port} weight 100 send-proxy-v2 check check-send-proxy inter 200ms fall 1 rise 1 agent-check agent-port ${agent} agent-inter 500ms`,
      'frontend gw1-passive',
      `  bind 127.0.0.1:${passive}`,
      '  default_backend gw1-passive',
      'backend gw1-passive',
      '  server gw1 127.0.0.2 send-proxy-v2',
      '',
    ].join('\n'),
  });
});

afterAll(async () => {
  await haproxy?.stop();
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
  await rm(work, { recursive: true, force: true });
});

/** HAProxy's own view of the gateway server: status (UP/DOWN/DRAIN…) and last check result. */
async function serverState(): Promise<{ status: string; check: string } | undefined> {
  const csv = await new Promise<string>((resolve, reject) => {
    const socket = connect({ path: join(work, 'admin.sock') });
    let text = '';
    socket.on('connect', () => socket.write('show stat\n'));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  const [header = '', ...rows] = csv.split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const row = rows.map((line) => line.split(',')).find((cells) => cells[0] === 'gateways' && cells[1] === 'gw1');
  if (row === undefined) return undefined;
  return { status: row[columns.indexOf('status')] ?? '', check: row[columns.indexOf('check_status')] ?? '' };
}

describe('behind a real HAProxy with PROXY v2', () => {
  it('HAProxy\'s health check (greeting, QUIT, 221 over PROXY v2) and agent check keep the gateway UP', async () => {
    await expect.poll(serverState, { timeout: 10_000, interval: 200 }).toEqual({ status: 'UP', check: 'L7OK' });
  });

  it('curl uploads and downloads through HAProxy; auth and events see the real client address', async () => {
    await writeFile(join(work, 'h.txt'), 'via haproxy');
    const url = `ftp://alice:alice-secret@127.0.0.1:${ftpPort}/h.txt`;
    await run('curl', ['-sS', '--max-time', '20', '--interface', '127.0.0.3', '-T', join(work, 'h.txt'), url]);
    const { stdout } = await run('curl', ['-sS', '--max-time', '20', '--interface', '127.0.0.3', url]);
    expect(stdout).toBe('via haproxy');
    expect(await readFile(join(gateway.storageRoot, 'alice', 'h.txt'), 'utf8')).toBe('via haproxy');
    await expect.poll(async () => (await platform.logins()).at(-1), { timeout: 10_000 }).toEqual({ username: 'alice', clientIp: '127.0.0.3' });
    await expect
      .poll(async () => (await activity(platform.bus)).filter((event) => event.type === 'ferry.transfer.completed.v1' && event.data['path'] === '/h.txt').map((event) => event.data['clientIp']), {
        timeout: 10_000,
      })
      .toEqual(['127.0.0.3', '127.0.0.3']);
  });
});
