import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePorts, startHaproxy, type HaproxyHandle } from '@ferry/testing';
import { parseGatewayList, renderHaproxyConfig, type HaproxySettings } from '../src/index.js';
import { startFakeGateway } from './fake-gateway.js';

/** A control connection kept open across the reload: it must keep working. */
function openSession(port: number): Promise<{ socket: Socket; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const lines: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\r\n').filter(Boolean));
      if (lines.length === 1) resolve({ socket, lines });
    });
    socket.once('error', reject);
  });
}

function greetingOf(port: number): Promise<string> {
  return openSession(port).then(({ socket, lines }) => {
    socket.destroy();
    return lines[0]!;
  });
}

let haproxy: HaproxyHandle;
const gateways: Array<Awaited<ReturnType<typeof startFakeGateway>>> = [];
let ports: number[];
let settings: HaproxySettings;

const line = (i: number) => `gw-${i} 127.0.0.${i + 1} ${ports[2]} ${ports[2 + i]}-${ports[2 + i]} ${ports[6]}`;

beforeAll(async () => {
  process.env.FERRY_HAPROXY_STATS_USER = 'ops';
  process.env.FERRY_HAPROXY_STATS_PASSWORD = 'test-only-stats-password';
  ports = await getFreePorts(7);
  for (let i = 1; i <= 3; i++) gateways.push(await startFakeGateway(`gw-${i}`, `127.0.0.${i + 1}`, { control: ports[2]!, passive: ports[2 + i]!, agent: ports[6]! }));
  settings = { bindAddress: '127.0.0.1', ftpPort: ports[0]!, statsBind: '127.0.0.1', statsPort: ports[1]!, adminSocket: `/tmp/ferry-reload-test-${process.pid}.sock`, ftpIdleTimeoutS: 300, tunnelTimeoutS: 3600 };
  haproxy = await startHaproxy({ config: renderHaproxyConfig(parseGatewayList([line(1), line(2)].join('\n')), settings), readyPort: ports[0] });
});

afterAll(async () => {
  await haproxy?.stop();
  await Promise.all(gateways.map((g) => g.close()));
});

describe('adding a gateway at run time', () => {
  it('a regenerated config and a hitless reload send new sessions to the new gateway without dropping open ones', async () => {
    const held = await openSession(ports[0]!);
    expect(held.lines[0]).toMatch(/^220 gw-[12] ready/);

    await haproxy.reload(renderHaproxyConfig(parseGatewayList([line(1), line(2), line(3)].join('\n')), settings));

    const greetings = new Set<string>();
    for (let i = 0; i < 12 && !greetings.has('gw-3'); i++) greetings.add(/^220 (gw-\d)/.exec(await greetingOf(ports[0]!))?.[1] ?? '?');
    expect(greetings.has('gw-3')).toBe(true);

    held.socket.write('NOOP\r\n');
    await new Promise((resolve) => held.socket.once('data', resolve));
    expect(held.lines.at(-1)).toMatch(/^200 gw-[12] still here/);
    held.socket.destroy();
  });
});
