import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Bus } from '@ferry/bus';
import { SessionAdmit, SessionOpen } from '@ferry/contracts';
import { getFreePort, startNats, startRedis, waitForTcp, type NatsServerHandle, type RedisServerHandle } from '@ferry/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PREFIX } from '../src/adapters/store-guard.js';
import { startInstance, testBus, type Instance } from './harness.js';

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let bus: Bus;
let sentinel: ChildProcess | undefined;
let sentinelDir: string | undefined;
let instance: Instance | undefined;

/** One real Sentinel (redis-server --sentinel) watching the test's Redis as master "ferry". */
async function startSentinel(masterPort: number): Promise<number> {
  const port = await getFreePort();
  sentinelDir = await mkdtemp(join(tmpdir(), 'ferry-session-sentinel-'));
  const config = join(sentinelDir, 'sentinel.conf');
  await writeFile(config, `port ${port}\nbind 127.0.0.1\ndir ${sentinelDir}\nsentinel monitor ferry 127.0.0.1 ${masterPort} 1\n`);
  sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  // Never leave it behind, even if this test process dies before afterAll.
  process.once('exit', () => sentinel?.kill('SIGKILL'));
  await waitForTcp('127.0.0.1', port, 10_000);
  return port;
}

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  bus = await testBus(nats.url);
  const sentinelPort = await startSentinel(redis.port);
  instance = await startInstance(nats.url, 'redis://127.0.0.1:1', 'session-sentinel', {
    REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
    REDIS_SENTINEL_NAME: 'ferry',
  });
});

afterAll(async () => {
  await instance?.stop();
  if (sentinel?.pid !== undefined && sentinel.exitCode === null) {
    const exited = new Promise((resolve) => sentinel?.once('exit', resolve));
    process.kill(sentinel.pid, 'SIGKILL');
    await exited;
  }
  if (sentinelDir) await rm(sentinelDir, { recursive: true, force: true });
  await bus?.close();
  await Promise.all([nats?.stop(), redis?.stop()]);
});

describe('Redis through Sentinel', () => {
  it('finds the master through the Sentinel and stores sessions there (REDIS_URL points nowhere)', async () => {
    expect(await request(bus, SessionAdmit, { clientIp: '198.51.100.1', gateway: 'gw-1', sessionId: 'sn-1' })).toEqual({ admitted: true });
    expect(await request(bus, SessionOpen, { sessionId: 'sn-1', username: 'sam', clientIp: '198.51.100.1', gateway: 'gw-1', protocol: 'ftp', maxSessions: 1 })).toEqual({ opened: true });
    // The session is in the master the Sentinel named.
    const direct = new Redis(redis.url);
    try {
      expect(await direct.hget(`${KEY_PREFIX}sess:sn-1`, 'username')).toBe('sam');
    } finally {
      direct.disconnect();
    }
  });
});
