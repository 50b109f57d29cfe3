import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayListError, parseGatewayList, renderHaproxyConfig } from '../src/index.js';

const settings = { bindAddress: '0.0.0.0', ftpPort: 21, statsBind: '127.0.0.1', statsPort: 8404, adminSocket: '/run/haproxy/admin.sock', ftpIdleTimeoutS: 300, tunnelTimeoutS: 86_400 };
const two = `# comment\ngw-1 10.0.0.11 2121 30000-30099 9301\n\ngw-2 10.0.0.12 2121 30100-30199 9301 # trailing comment\n`;

describe('the gateway list', () => {
  it('reads one gateway per line, ignoring comments and blank lines', () => {
    expect(parseGatewayList(two)).toEqual([
      { id: 'gw-1', address: '10.0.0.11', controlPort: 2121, passiveFrom: 30000, passiveTo: 30099, agentPort: 9301 },
      { id: 'gw-2', address: '10.0.0.12', controlPort: 2121, passiveFrom: 30100, passiveTo: 30199, agentPort: 9301 },
    ]);
  });

  it.each([
    ['gw-1 10.0.0.1 2121 30000-30099', /line 1: expected 5 fields/],
    ['GW.1 10.0.0.1 2121 30000-30099 9301', /line 1: id must be a gateway id/],
    ['gw-1 10.0.0.1 99999 30000-30099 9301', /line 1: controlPort/],
    ['gw-1 10.0.0.1 2121 30099-30000 9301', /line 1: passive range 30099-30000/],
    ['gw-1 10.0.0.1 2121 80-90 9301', /within 1024-65535/],
    ['gw-1 10.0.0.1 2121 30000-30099 9301\ngw-2 10.0.0.2 2121 30050-30149 9301', /line 2: passive range 30050-30149 overlaps gw-1's 30000-30099 \(line 1\)/],
    ['gw-1 10.0.0.1 2121 30000-30099 9301\ngw-1 10.0.0.2 2121 30100-30199 9301', /line 2: gateway id gw-1 is already used on line 1/],
    ['# nothing here\n', /empty/],
  ])('refuses %j with an error naming the line and the problem', (text, message) => {
    expect(() => parseGatewayList(text)).toThrowError(GatewayListError);
    expect(() => parseGatewayList(text)).toThrowError(message);
  });
});

describe('the generated configuration', () => {
  const config = renderHaproxyConfig(parseGatewayList(two), settings);

  it('balances the control port leastconn over every gateway with PROXY v2, FTP health checks and agent checks', () => {
    expect(config).toMatch(/frontend ftp_control\n {2}bind 0\.0\.0\.0:21\n/);
    expect(config).toContain('balance leastconn');
    expect(config).toContain('tcp-check expect rstring ^220');
    expect(config).toContain('tcp-check send "QUIT\\r\\n"');
    expect(config).toMatch(/server gw-1 10\.0\.0\.11:2121 weight 100 send-proxy-v2 check .*agent-check agent-port 9301/);
    expect(config).toMatch(/server gw-2 10\.0\.0\.12:2121 weight 100 send-proxy-v2 check /);
  });

  it('binds each passive range once and sends it to its own gateway only, on the port the client used', () => {
    expect(config.match(/bind 0\.0\.0\.0:30000-30099/g)).toHaveLength(1);
    expect(config.match(/bind 0\.0\.0\.0:30100-30199/g)).toHaveLength(1);
    expect(config).toMatch(/backend ftp_passive_gw-1\n {2}server gw-1 10\.0\.0\.11 send-proxy-v2\n/);
    expect(config).toMatch(/backend ftp_passive_gw-2\n {2}server gw-2 10\.0\.0\.12 send-proxy-v2\n/);
    expect(config).not.toMatch(/stick/);
  });

  it('keeps long transfers alive: client and server timeouts above the FTP idle timeout, and a tunnel timeout', () => {
    const client = Number(/timeout client (\d+)s/.exec(config)?.[1]);
    expect(client).toBeGreaterThan(settings.ftpIdleTimeoutS);
    expect(config).toContain('timeout tunnel 86400s');
  });

  it('takes the stats credentials from the environment, never from the file', () => {
    expect(config).toContain('stats auth "${FERRY_HAPROXY_STATS_USER}:${FERRY_HAPROXY_STATS_PASSWORD}"');
  });

  it('the committed deploy/haproxy/haproxy.cfg is what the generator makes of gateways.txt', () => {
    const list = readFileSync(new URL('../gateways.txt', import.meta.url), 'utf8');
    const committed = readFileSync(new URL('../haproxy.cfg', import.meta.url), 'utf8');
    // As README.md regenerates it for docker-compose.yml (the haproxy image's writable folder for the socket).
    expect(committed).toBe(renderHaproxyConfig(parseGatewayList(list), { ...settings, adminSocket: '/var/lib/haproxy/admin.sock' }));
  });
});
