import { describe, expect, it } from 'vitest';
import { getFreePort, startHaproxy, startNats, startNatsCluster, startRedis, stopAllStarted } from '../src/index.js';
import { isAlive, ownTempDirs } from './helpers.js';

const haproxyConfig = (port: number): string =>
  `defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nlisten l\n  bind 127.0.0.1:${port}\n  server s 127.0.0.1:1\n`;

describe('cleanup', () => {
  it('starting and stopping the infrastructure leaves no child process and no temp dir behind', async () => {
    const before = await ownTempDirs();
    const nats = await startNats();
    const cluster = await startNatsCluster({ size: 3 });
    const redis = await startRedis();
    const port = await getFreePort();
    const haproxy = await startHaproxy({ config: haproxyConfig(port), readyPort: port });
    const pids = [nats.pid!, ...cluster.nodes.map((node) => node.pid!), redis.pid!, haproxy.pid!];
    await haproxy.reload();
    pids.push(haproxy.pid!);
    await nats.kill();
    await nats.resume();
    pids.push(nats.pid!);
    expect(new Set(pids).size).toBe(pids.length);
    expect(pids.every(isAlive)).toBe(false); // the killed nats-server is gone already
    expect((await ownTempDirs()).length).toBeGreaterThan(before.length);

    await Promise.all([nats.stop(), cluster.stop(), redis.stop(), haproxy.stop()]);

    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(await ownTempDirs()).toEqual(before);
  });

  it('stopAllStarted stops whatever a test forgot to stop', async () => {
    const before = await ownTempDirs();
    const nats = await startNats();
    const redis = await startRedis();
    const pids = [nats.pid!, redis.pid!];
    expect(pids.every(isAlive)).toBe(true);

    await stopAllStarted();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(await ownTempDirs()).toEqual(before);
    await expect(stopAllStarted()).resolves.toBeUndefined();
  });
});
