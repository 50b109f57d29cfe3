import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHaproxyConfig, getFreePorts, looksLikePortConflict, pollUntil, startHaproxy, type HaproxyHandle } from '@ferry/testing';
import { parseGatewayList, renderHaproxyConfig } from '../src/index.js';
import { startFakeGateway } from './fake-gateway.js';

/** Reads from a TCP connection until it closes or `until` matches. */
function exchange(port: number, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (until.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
  });
}

/** The stats page's rows of the control backend's gateways, by column name. */
async function gatewayStats(): Promise<Array<Record<string, string>>> {
  const auth = `Basic ${Buffer.from('ops:test-only-stats-password').toString('base64')}`;
  const csv = await (await fetch(`http://127.0.0.1:${ports[1]}/;csv`, { headers: { authorization: auth } })).text();
  const [header, ...rows] = csv.trim().split('\n');
  const columns = header!.replace(/^# /, '').split(',');
  return rows
    .map((row) => Object.fromEntries(row.split(',').map((value, i) => [columns[i], value])) as Record<string, string>)
    .filter((row) => row.pxname === 'ftp_gateways' && row.svname?.startsWith('gw-'));
}

let haproxy: HaproxyHandle;
let gateways: Array<Awaited<ReturnType<typeof startFakeGateway>>>;
let ports: number[];

beforeAll(async () => {
  process.env.FERRY_HAPROXY_STATS_USER = 'ops';
  process.env.FERRY_HAPROXY_STATS_PASSWORD = 'test-only-stats-password';
  // Gateways on 127.0.0.2 and .3, HAProxy on 127.0.0.1: the same passive port number
  // can be bound by HAProxy (public side) and by its gateway (private side).
  // Ports picked free can be taken by a parallel test before HAProxy binds them: pick again then.
  for (let attempt = 1; ; attempt++) {
    try {
      ports = await getFreePorts(8);
      const [ftp, stats, control, passive1, passive2, agent] = ports as [number, number, number, number, number, number];
      gateways = [];
      gateways.push(await startFakeGateway('gw-1', '127.0.0.2', { control, passive: passive1, agent }));
      gateways.push(await startFakeGateway('gw-2', '127.0.0.3', { control, passive: passive2, agent }));
      const list = parseGatewayList(`gw-1 127.0.0.2 ${control} ${passive1}-${passive1} ${agent}\ngw-2 127.0.0.3 ${control} ${passive2}-${passive2} ${agent}\n`);
      const config = renderHaproxyConfig(list, { bindAddress: '127.0.0.1', ftpPort: ftp, statsBind: '127.0.0.1', statsPort: stats, adminSocket: `/tmp/ferry-haproxy-test-${process.pid}.sock`, ftpIdleTimeoutS: 300, tunnelTimeoutS: 3600 });
      haproxy = await startHaproxy({ config, readyPort: ftp });
      break;
    } catch (error) {
      await Promise.all(gateways.map((g) => g.close()));
      if (attempt === 3 || !looksLikePortConflict(String(error))) throw error;
    }
  }
});

afterAll(async () => {
  await haproxy?.stop();
  await Promise.all(gateways?.map((g) => g.close()) ?? []);
});

describe('HAProxy with the generated configuration', () => {
  it('is accepted by haproxy -c', async () => {
    const list = parseGatewayList('gw-1 10.0.0.11 2121 30000-30099 9301\ngw-2 10.0.0.12 2121 30100-30199 9301\n');
    const result = await checkHaproxyConfig(renderHaproxyConfig(list, { bindAddress: '0.0.0.0', ftpPort: 21, statsBind: '127.0.0.1', statsPort: 8404, adminSocket: '/tmp/x.sock', ftpIdleTimeoutS: 300, tunnelTimeoutS: 3600 }));
    expect(result.output).not.toMatch(/ALERT/);
    expect(result.valid).toBe(true);
  });

  it('spreads control connections over the gateways and passes the client address with PROXY v2', async () => {
    const greetings = await Promise.all(Array.from({ length: 6 }, () => exchange(ports[0]!, /^220 .*\r\n/)));
    const names = new Set(greetings.map((g) => /220 (gw-\d)/.exec(g)?.[1]));
    expect(names).toEqual(new Set(['gw-1', 'gw-2']));
    const clientSeen = gateways.flatMap((g) => g.seen).filter((h) => h.destinationPort === ports[0]);
    expect(clientSeen.length).toBeGreaterThanOrEqual(6);
    expect(clientSeen.every((h) => h.sourceAddress === '127.0.0.1')).toBe(true);
  });

  it('sends each passive port to its own gateway only, whichever gateway took the control connection', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await exchange(ports[3]!, /\n/)).toBe('data from gw-1\n');
      expect(await exchange(ports[4]!, /\n/)).toBe('data from gw-2\n');
    }
  });

  it('marks both gateways up through the FTP health check (PROXY header, 220, QUIT, 221) and the agent check', async () => {
    const states = async () => (await gatewayStats()).map((row) => `${row.svname} ${row.status} ${row.check_status}`);
    await pollUntil('both gateways checked up', 20_000, async () => (await states()).filter((s) => / UP L7OK$/.test(s)).length === 2);
  });

  it('keeps sending sessions to gateways whose agent lowers their weight (a loaded gateway is not an absent one)', async () => {
    // With HAProxy's default server weight of 1, "up 60%" rounds to a weight of 0: every
    // connection was refused as soon as a gateway had a few sessions (found by the benchmarks).
    gateways[0]!.setAgentReply('up 60%\n');
    gateways[1]!.setAgentReply('up 1%\n');
    try {
      const weights = async () => (await gatewayStats()).map((row) => row.weight);
      await pollUntil('HAProxy to apply the agents\' weights', 15_000, async () => (await weights()).join(' ') === '60 1');
      const greetings = await Promise.all(Array.from({ length: 20 }, () => exchange(ports[0]!, /^220 .*\r\n/)));
      expect(greetings.filter((g) => /^220 gw-\d/.test(g))).toHaveLength(20);
    } finally {
      gateways.forEach((g) => g.setAgentReply('up 100%\n'));
    }
  });

  it('serves the stats page only with the credentials from the environment', async () => {
    const url = `http://127.0.0.1:${ports[1]}/`;
    expect((await fetch(url)).status).toBe(401);
    const auth = `Basic ${Buffer.from('ops:test-only-stats-password').toString('base64')}`;
    await pollUntil('stats page', 10_000, async () => (await fetch(url, { headers: { authorization: auth } })).status === 200);
    const metrics = await (await fetch(`http://127.0.0.1:${ports[1]}/metrics`)).text();
    expect(metrics).toContain('haproxy_backend');
  });
});
