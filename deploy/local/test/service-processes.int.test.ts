import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Heartbeat, InstanceStopped, streamNames, type HealthEvent } from '@ferry/contracts';
import { connectBus, type Bus } from '@ferry/bus';
import { getFreePort, getFreePorts, startNats, startRedis, waitForHttp, type NatsServerHandle, type RedisServerHandle } from '@ferry/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceEnv } from '../src/service-env.js';

/**
 * The service as operators run it: a real process with a real environment.
 * Every service shares the lifecycle kit, so each is started once here.
 */
const services = ['auth', 'session', 'ftp-gateway', 'storage-indexer', 'alert-relay'] as const;
const workspace = new URL('../../../', import.meta.url).pathname;

// Every service as the local stack runs it (same environment), started once each.

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let dataDir: string;
let bus: Bus;
const children = new Set<ChildProcess>();

function startService(name: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', `services/${name}/src/main.ts`], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function healthEvents(): Promise<HealthEvent[]> {
  const info = await bus.jsm.streams.info(streamNames.health);
  const events: HealthEvent[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await bus.jsm.streams.getMessage(streamNames.health, { seq }).catch(() => null);
    if (stored) events.push(stored.json<HealthEvent>());
  }
  return events;
}

beforeAll(async () => {
  nats = await startNats();
  redis = await startRedis();
  dataDir = await mkdtemp(join(tmpdir(), 'ferry-services-test-'));
  bus = await connectBus({ servers: [nats.url], name: 'service-process-test' });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await bus?.close();
  await nats?.stop();
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a service process', () => {
  it.each(services)('%s becomes ready, heartbeats on the stream, and stops cleanly on SIGTERM', async (name) => {
    const port = await getFreePort();
    const instance = `${name}-t1`;
    const [apiPort, ftpPort, agentPort, passive] = await getFreePorts(4);
    const gateway = { id: 'gw-t1', ftpPort: ftpPort!, agentPort: agentPort!, passive: [passive!, passive!] as const };
    const env = serviceEnv(name, { natsUrl: nats.url, redisUrl: redis.url, dataDir, adminToken: 'a'.repeat(64), queryToken: 'q'.repeat(64), opsPort: port, apiPort: apiPort!, gateway });
    const service = startService(name, { ...env, FERRY_INSTANCE_ID: instance, FERRY_HEARTBEAT_INTERVAL: '200ms' });
    await Promise.race([
      waitForHttp(`http://127.0.0.1:${port}/readyz`, 30_000, (status) => status === 200),
      service.exited.then((code) => {
        throw new Error(`${name} exited with ${code} before it was ready: ${JSON.stringify(service.output())}`);
      }),
    ]);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(ready).toMatchObject({ ready: true, checks: { nats: { ok: true } } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`instance="${instance}"`);

    await new Promise((resolve) => setTimeout(resolve, 600));
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);

    const mine = (await healthEvents()).filter((event) => event.data.instance === instance);
    const beats = mine.filter((event) => event.type === Heartbeat.type);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((event) => event.source === `${name}/${instance}`)).toBe(true);
    expect(mine.at(-1)?.type).toBe(InstanceStopped.type);
  });

  it('exits with 78 and names the variable when the configuration is bad', async () => {
    const service = startService('auth', { NATS_URL: 'http://wrong-scheme:4222', FERRY_OPS_PORT: '70000', FERRY_HEARTBEAT_INTERVAL: 'soon' });
    expect(await service.exited).toBe(78);
    const { stderr } = service.output();
    expect(stderr).toContain('NATS_URL');
    expect(stderr).toContain('FERRY_OPS_PORT');
    expect(stderr).toContain('FERRY_HEARTBEAT_INTERVAL');
  });

  it('exits with 69 and says how to fix it when NATS is unreachable', async () => {
    const unused = await getFreePort();
    const env = serviceEnv('auth', { natsUrl: `nats://127.0.0.1:${unused}`, redisUrl: redis.url, dataDir, adminToken: 'a'.repeat(64), queryToken: 'q'.repeat(64), opsPort: 0, apiPort: 0 });
    const service = startService('auth', { ...env, FERRY_NATS_CONNECT_TIMEOUT: '1s' });
    expect(await service.exited).toBe(69);
    const { stdout } = service.output();
    expect(stdout).toContain(`nats://127.0.0.1:${unused}`);
    expect(stdout).toContain('NATS_URL');
  });
});
