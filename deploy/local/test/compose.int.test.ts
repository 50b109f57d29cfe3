import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseGatewayList } from '@ferry/haproxy-config';
import { workspace } from './run-stack.js';

/**
 * docker-compose.yml checked without a Docker engine: its structure, its ports,
 * and every Ferry service's environment run through that service's own config
 * schema (the real process, which exits 69 "NATS unreachable" once its config is
 * accepted, or 78 naming the variables it refuses).
 */
const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
}

const secrets: Record<string, string> = {
  FERRY_ADMIN_TOKEN: 'a'.repeat(64),
  FERRY_QUERY_TOKEN: 'q'.repeat(64),
  FERRY_HAPROXY_STATS_PASSWORD: 's'.repeat(32),
  GRAFANA_ADMIN_PASSWORD: 'g'.repeat(32),
};

/** Compose's own interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string | undefined) => {
    if (env[name] !== undefined && env[name] !== '') return env[name];
    if (op === ':-') return arg ?? '';
    throw new Error(`${name}: ${arg ?? 'not set'}`);
  });
}

async function compose(env: Record<string, string>): Promise<Record<string, ComposeService>> {
  const text = interpolate(await readFile(join(workspace, 'docker-compose.yml'), 'utf8'), env);
  return (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
}

const ferryServices = async () => Object.entries(await compose(secrets)).filter(([, s]) => s.build?.args?.SERVICE !== undefined);

describe('docker-compose.yml', () => {
  it('refuses to start without each secret, naming it', async () => {
    for (const name of Object.keys(secrets)) {
      const { [name]: _omitted, ...rest } = secrets;
      await expect(compose(rest)).rejects.toThrow(name);
    }
  });

  it('gives every service an image or a build whose Dockerfile and service folder exist', async () => {
    for (const [name, service] of Object.entries(await compose(secrets))) {
      expect(service.image ?? service.build, name).toBeDefined();
      if (service.build) {
        expect(existsSync(join(workspace, service.build.dockerfile)), name).toBe(true);
        expect(existsSync(join(workspace, 'services', service.build.args?.SERVICE ?? '-', 'src', 'main.ts')), name).toBe(true);
      }
    }
  });

  it('runs the production shape: 3 NATS nodes with 3 replicas, Redis with Sentinel, 3 gateways, HAProxy and the observability stack', async () => {
    const services = await compose(secrets);
    for (const name of ['nats-1', 'nats-2', 'nats-3', 'redis', 'redis-replica', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3', 'haproxy', 'prometheus', 'alertmanager', 'otel-collector', 'jaeger', 'grafana']) {
      expect(services[name], name).toBeDefined();
    }
    const gateways = Object.values(services).filter((s) => s.build?.args?.SERVICE === 'ftp-gateway');
    expect(gateways).toHaveLength(3);
    for (const [, service] of await ferryServices()) {
      expect(service.environment?.FERRY_STREAM_REPLICAS).toBe('3');
      expect(String(service.environment?.REDIS_SENTINELS)).toContain('redis-sentinel-1:26379');
    }
  });

  it('publishes no host port twice', async () => {
    const published = Object.entries(await compose(secrets)).flatMap(([name, s]) =>
      (s.ports ?? []).flatMap((mapping) => {
        const host = mapping.split(':').slice(0, -1).join(':');
        const [from, to = from] = host.replace(/^127\.0\.0\.1:/, '').split('-').map(Number) as [number, number?];
        return Array.from({ length: to - from + 1 }, (_, i) => `${from + i} (${name})`);
      }),
    );
    const ports = published.map((p) => p.split(' ')[0]);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('matches the gateways to HAProxy: same ids, hosts, control and agent ports, non-overlapping passive ranges published by HAProxy', async () => {
    const list = parseGatewayList(await readFile(join(workspace, 'deploy', 'haproxy', 'gateways.txt'), 'utf8'));
    const services = await compose(secrets);
    const gateways = Object.entries(services).filter(([, s]) => s.build?.args?.SERVICE === 'ftp-gateway');
    expect(gateways.map(([name]) => name).sort()).toEqual(list.map((g) => g.address).sort());
    for (const [name, service] of gateways) {
      const entry = list.find((g) => g.address === name)!;
      expect(service.environment?.GATEWAY_ID).toBe(entry.id);
      expect(service.environment?.GATEWAY_PASSIVE_PORTS).toBe(`${entry.passiveFrom}-${entry.passiveTo}`);
      expect(Number(service.environment?.GATEWAY_FTP_PORT)).toBe(entry.controlPort);
      expect(Number(service.environment?.GATEWAY_AGENT_PORT)).toBe(entry.agentPort);
      expect(services.haproxy?.ports).toContain(`${Math.min(...list.map((g) => g.passiveFrom))}-${Math.max(...list.map((g) => g.passiveTo))}:${Math.min(...list.map((g) => g.passiveFrom))}-${Math.max(...list.map((g) => g.passiveTo))}`);
    }
    // parseGatewayList already refuses overlapping ranges; the mounted config is the generated one.
    const haproxy = await readFile(join(workspace, 'deploy', 'haproxy', 'haproxy.cfg'), 'utf8');
    for (const g of list) expect(haproxy).toContain(`bind 0.0.0.0:${g.passiveFrom}-${g.passiveTo}`);
  });

  it("gives every Ferry service an environment its own configuration accepts", async () => {
    for (const [name, service] of await ferryServices()) {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
      const child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', `services/${service.build!.args!.SERVICE}/src/main.ts`], {
        cwd: workspace,
        env: { PATH: process.env.PATH ?? '', ...env, FERRY_NATS_CONNECT_TIMEOUT: '200ms' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      // 69: configuration accepted, then NATS (nats-1…3, unresolvable here) unreachable.
      expect({ name, code, stderr: code === 78 ? stderr : '' }).toEqual({ name, code: 69, stderr: '' });
    }
  });

  it('ships Prometheus and Alertmanager configurations that promtool and amtool accept', async () => {
    await run('promtool', ['check', 'config', join(workspace, 'observability', 'prometheus', 'prometheus.compose.yml')]);
    await run('amtool', ['check-config', join(workspace, 'observability', 'alertmanager', 'alertmanager.compose.yml')]);
  });
});
