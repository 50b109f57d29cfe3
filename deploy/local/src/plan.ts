import { join } from 'node:path';
import { probeRedisPing, probeTcp, resolveBinary } from '@ferry/testing';
import { choosePort } from './ports.js';
import type { StackOptions } from './options.js';
import type { StackSecrets } from './secrets.js';
import { serviceEnv } from './service-env.js';
import type { ProcessSpec } from './supervised-process.js';

export const SERVICES = ['auth', 'session', 'ftp-gateway', 'storage-indexer', 'alert-relay'] as const;
export type ServiceName = (typeof SERVICES)[number];

const USUAL_PORTS = {
  nats: 4222,
  natsMonitor: 8222,
  redis: 6379,
  ops: { 'ftp-gateway': 9101, auth: 9102, session: 9103, 'storage-indexer': 9104, 'alert-relay': 9105 },
  api: { 'ftp-gateway': 9201, auth: 9202, session: 9203, 'storage-indexer': 9204, 'alert-relay': 9205 },
} as const;

export interface StackPlan {
  readonly natsUrl: string;
  readonly natsMonitorUrl: string;
  readonly redisUrl: string;
  readonly opsUrls: Record<ServiceName, string>;
  readonly apiUrls: Record<ServiceName, string>;
  readonly infrastructure: ProcessSpec[];
  readonly services: ProcessSpec[];
  /** Ports that were taken and replaced by free ones. */
  readonly movedPorts: string[];
}

/** Decides ports, data folders and command lines; starts nothing. */
/** A usual port when free, else any free one (noted). */
export async function pickPort(options: StackOptions, label: string, preferred: number, moved: string[]): Promise<number> {
  const { port, moved: wasMoved } = await choosePort(preferred, options.ephemeralPorts);
  if (wasMoved) moved.push(`${label}: ${preferred} is in use, using ${port}`);
  return port;
}

export async function planStack(options: StackOptions, workspace: string, secrets: StackSecrets, alertRelayConfig: string): Promise<StackPlan> {
  const moved: string[] = [];
  const pick = (label: string, preferred: number) => pickPort(options, label, preferred, moved);
  const natsPort = await pick('NATS', USUAL_PORTS.nats);
  const monitorPort = await pick('NATS monitoring', USUAL_PORTS.natsMonitor);
  const redisPort = await pick('Redis', USUAL_PORTS.redis);
  const logs = join(options.dataDir, 'logs');
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const redisUrl = `redis://127.0.0.1:${redisPort}`;

  const infrastructure: ProcessSpec[] = [
    {
      name: 'nats-server',
      command: await resolveBinary('nats-server'),
      args: ['-js', '-sd', join(options.dataDir, 'data', 'nats'), '-a', '127.0.0.1', '-p', String(natsPort), '-m', String(monitorPort), '--server_name', 'ferry-local'],
      env: process.env,
      cwd: workspace,
      logFile: join(logs, 'nats-server.log'),
      ready: () => probeTcp('127.0.0.1', natsPort, 300),
      readyTimeoutMs: 15_000,
    },
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
  ];

  const opsUrls = {} as Record<ServiceName, string>;
  const apiUrls = {} as Record<ServiceName, string>;
  const services: ProcessSpec[] = [];
  for (const name of SERVICES) {
    const opsPort = await pick(`${name} ops`, USUAL_PORTS.ops[name]);
    const apiPort = await pick(`${name} API`, USUAL_PORTS.api[name]);
    const gateway = name === 'ftp-gateway' ? await planGateway(options, moved) : undefined;
    const opsUrl = `http://127.0.0.1:${opsPort}`;
    opsUrls[name] = opsUrl;
    apiUrls[name] = `http://127.0.0.1:${apiPort}`;
    const entry = options.fromSource ? ['--conditions=@ferry/source', '--import', 'tsx', join(workspace, 'services', name, 'src', 'main.ts')] : [join(workspace, 'services', name, 'dist', 'main.js')];
    services.push({
      name,
      command: process.execPath,
      args: entry,
      env: { ...process.env, ...serviceEnv(name, { natsUrl, redisUrl, dataDir: options.dataDir, ...secrets, opsPort, apiPort, alertRelayConfig, ...(gateway ? { gateway } : {}) }) },
      cwd: workspace,
      logFile: join(logs, `${name}.log`),
      ready: async () => (await fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200).catch(() => false)),
      readyTimeoutMs: 30_000,
    });
  }
  return { natsUrl, natsMonitorUrl: `http://127.0.0.1:${monitorPort}`, redisUrl, opsUrls, apiUrls, infrastructure, services, movedPorts: moved };
}

/** The gateway's FTP port, passive range and agent port (a random free-looking range with ephemeral ports). */
async function planGateway(options: StackOptions, moved: string[]) {
  const ftpPort = await pickPort(options, 'FTP', 2121, moved);
  const agentPort = await pickPort(options, 'gateway agent', 9301, moved);
  const base = options.ephemeralPorts ? 40_000 + Math.floor(Math.random() * 200) * 100 : 30_000;
  return { id: 'gw-1', ftpPort, agentPort, passive: [base, base + 99] as const };
}
