import { join } from 'node:path';
import { STATS_PASSWORD_VAR, STATS_USER_VAR } from '@ferry/haproxy-config';
import { probeRedisPing, probeTcp, resolveBinary } from '@ferry/testing';
import { localHaproxyConfig } from './haproxy-config.js';
import { choosePort, claimSlots, PASSIVE_RANGES } from './ports.js';
import { ensureLocalCertificate } from './tls.js';
import type { StackOptions } from './options.js';
import type { StackSecrets } from './secrets.js';
import { serviceEnv, type GatewayPorts } from './service-env.js';
import type { ProcessSpec } from './supervised-process.js';

/** The services that run once; gateways run `--gateways` times. */
export const PLATFORM_SERVICES = ['auth', 'session', 'storage-indexer', 'alert-relay'] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

const USUAL_PORTS = {
  nats: 4222,
  natsMonitor: 8222,
  redis: 6379,
  ftp: 2121,
  haproxyStats: 8404,
  ops: { auth: 9102, session: 9103, 'storage-indexer': 9104, 'alert-relay': 9105 },
  api: { auth: 9202, session: 9203, 'storage-indexer': 9204, 'alert-relay': 9205 },
} as const;

export interface GatewayPlan extends GatewayPorts {
  readonly opsUrl: string;
}

export interface StackPlan {
  /** One URL, or an external cluster's URLs separated by commas. */
  readonly natsUrl: string;
  /** The local nats-server's monitoring; undefined with an external NATS (--nats-url). */
  readonly natsMonitorUrl: string | undefined;
  readonly redisUrl: string;
  /** Where FTP clients connect: HAProxy. */
  readonly ftpPort: number;
  readonly haproxyStatsUrl: string;
  readonly opsUrls: Record<PlatformService, string>;
  readonly apiUrls: Record<PlatformService, string>;
  readonly gateways: readonly GatewayPlan[];
  /** In start order: NATS and Redis, the services and gateways, then HAProxy. */
  readonly infrastructure: ProcessSpec[];
  readonly services: ProcessSpec[];
  readonly edge: ProcessSpec[];
  /** Written before HAProxy starts. */
  readonly haproxyConfig: { readonly path: string; readonly text: string };
  /** Ports that were taken and replaced by free ones. */
  readonly movedPorts: string[];
}

/** A usual port when free, else any free one (noted). */
export async function pickPort(options: StackOptions, label: string, preferred: number, moved: string[]): Promise<number> {
  const { port, moved: wasMoved } = await choosePort(preferred, options.ephemeralPorts);
  if (wasMoved) moved.push(`${label}: ${preferred} is in use, using ${port}`);
  return port;
}

/** Decides ports, data folders and command lines; starts nothing. */
export async function planStack(options: StackOptions, workspace: string, secrets: StackSecrets, alertRelayConfig: string): Promise<StackPlan> {
  const moved: string[] = [];
  const pick = (label: string, preferred: number) => pickPort(options, label, preferred, moved);
  const localNats = options.natsUrls === undefined ? { port: await pick('NATS', USUAL_PORTS.nats), monitorPort: await pick('NATS monitoring', USUAL_PORTS.natsMonitor) } : undefined;
  const redisPort = await pick('Redis', USUAL_PORTS.redis);
  const ftpPort = await pick('FTP (HAProxy)', USUAL_PORTS.ftp);
  const statsPort = await pick('HAProxy stats', USUAL_PORTS.haproxyStats);
  const logs = join(options.dataDir, 'logs');
  const natsUrl = localNats ? `nats://127.0.0.1:${localNats.port}` : (options.natsUrls ?? []).join(',');
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const base = { natsUrl, streamReplicas: options.streamReplicas, redisUrl, dataDir: options.dataDir, ...secrets, alertRelayConfig };
  const entry = (name: string) => (options.fromSource ? ['--conditions=@ferry/source', '--import', 'tsx', join(workspace, 'services', name, 'src', 'main.ts')] : [join(workspace, 'services', name, 'dist', 'main.js')]);
  const readyz = (url: string) => async () => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200).catch(() => false);

  const opsUrls = {} as Record<PlatformService, string>;
  const apiUrls = {} as Record<PlatformService, string>;
  const services: ProcessSpec[] = [];
  for (const name of PLATFORM_SERVICES) {
    const opsPort = await pick(`${name} ops`, USUAL_PORTS.ops[name]);
    const apiPort = await pick(`${name} API`, USUAL_PORTS.api[name]);
    opsUrls[name] = `http://127.0.0.1:${opsPort}`;
    apiUrls[name] = `http://127.0.0.1:${apiPort}`;
    const env = serviceEnv(name, { ...base, opsPort, apiPort });
    services.push({ name, command: process.execPath, args: entry(name), env: { ...process.env, ...env }, cwd: workspace, logFile: join(logs, `${name}.log`), ready: readyz(opsUrls[name]), readyTimeoutMs: 30_000 });
  }

  const gateways = await planGateways(options, moved, await ensureLocalCertificate(options.dataDir));
  for (const gateway of gateways) {
    const opsPort = Number(new URL(gateway.opsUrl).port);
    const env = serviceEnv('ftp-gateway', { ...base, opsPort, apiPort: 0, gateway });
    const profile = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`];
    services.push({ name: gateway.id, command: process.execPath, args: [...profile, ...entry('ftp-gateway')], env: { ...process.env, ...env }, cwd: workspace, logFile: join(logs, `${gateway.id}.log`), ready: readyz(gateway.opsUrl), readyTimeoutMs: 30_000 });
  }

  const haproxyConfig = join(options.dataDir, 'haproxy.cfg');
  const haproxyText = localHaproxyConfig(gateways, { ftpPort, statsPort }, options.dataDir);

  return {
    natsUrl,
    natsMonitorUrl: localNats ? `http://127.0.0.1:${localNats.monitorPort}` : undefined,
    redisUrl,
    ftpPort,
    haproxyStatsUrl: `http://127.0.0.1:${statsPort}/`,
    opsUrls,
    apiUrls,
    gateways,
    infrastructure: [
      ...(localNats
        ? [
            {
              name: 'nats-server',
              command: await resolveBinary('nats-server'),
              args: ['-js', '-sd', join(options.dataDir, 'data', 'nats'), '-a', '127.0.0.1', '-p', String(localNats.port), '-m', String(localNats.monitorPort), '--server_name', 'ferry-local'],
              env: process.env,
              cwd: workspace,
              logFile: join(logs, 'nats-server.log'),
              ready: () => probeTcp('127.0.0.1', localNats.port, 300),
              readyTimeoutMs: 15_000,
            },
          ]
        : []),
      {
        name: 'redis-server',
        command: await resolveBinary('redis-server'),
        args: ['--bind', '127.0.0.1', '--port', String(redisPort), '--dir', join(options.dataDir, 'data', 'redis'), '--appendonly', 'yes', '--save', ''],
        env: process.env,
        cwd: workspace,
        logFile: join(logs, 'redis-server.log'),
        ready: () => probeRedisPing('127.0.0.1', redisPort, 300),
        readyTimeoutMs: 15_000,
      },
    ],
    services,
    edge: [
      {
        name: 'haproxy',
        command: await resolveBinary('haproxy'),
        // Master-worker (-W): SIGUSR2 to this pid reloads the config hitlessly (a gateway added
        // or removed) while the master, the process supervised here, keeps running.
        args: ['-W', '-db', '-f', haproxyConfig],
        env: { ...process.env, [STATS_USER_VAR]: 'ops', [STATS_PASSWORD_VAR]: secrets.haproxyStatsPassword },
        cwd: workspace,
        logFile: join(logs, 'haproxy.log'),
        ready: () => probeTcp('127.0.0.1', ftpPort, 300),
        readyTimeoutMs: 15_000,
      },
    ],
    haproxyConfig: { path: haproxyConfig, text: haproxyText },
    movedPorts: moved,
  };
}

/**
 * Gateway i listens on 127.0.0.(i+1): its own loopback address, so it can use the
 * same passive port numbers that HAProxy binds on 127.0.0.1 for it, exactly as a
 * gateway host behind a balancer does.
 */
async function planGateways(options: StackOptions, moved: string[], tls: { cert: string; key: string }): Promise<GatewayPlan[]> {
  // Ephemeral mode (tests) claims ranges below the kernel's ephemeral port range (32768+), where
  // HAProxy's binds cannot clash with client ports, and one spare range for a gateway added later.
  const rangeBase = options.ephemeralPorts ? claimSlots(PASSIVE_RANGES, options.gateways + 1) : 30_000;
  const plans: GatewayPlan[] = [];
  for (let i = 1; i <= options.gateways; i++) {
    const opsPort = await pickPort(options, `gw-${i} ops`, 9110 + i, moved);
    const ftpPort = options.ephemeralPorts ? await pickPort(options, `gw-${i} FTP`, 0, moved) : 2121;
    plans.push({
      id: `gw-${i}`,
      address: `127.0.0.${i + 1}`,
      ftpPort,
      agentPort: options.ephemeralPorts ? await pickPort(options, `gw-${i} agent`, 0, moved) : 9301,
      passive: [rangeBase + (i - 1) * 100, rangeBase + (i - 1) * 100 + 99],
      publicAddress: '127.0.0.1',
      trustedProxies: '127.0.0.1/32',
      tls,
      opsUrl: `http://127.0.0.1:${opsPort}`,
    });
  }
  return plans;
}
