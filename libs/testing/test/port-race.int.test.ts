import { describe, expect, it } from 'vitest';
import { ManagedServer } from '../src/managed-server.js';
import { getFreePort } from '../src/index.js';
import { converse, ownTempDirs, startEchoServer } from './helpers.js';
import { makeTempDir } from '../src/temp-dir.js';
import { probeRedisPing } from '../src/wait.js';
import { listensOn } from '../src/listeners.js';

describe('a lost port race', () => {
  it('is retried on a fresh port when the server says the address is in use', async () => {
    const squatter = await startEchoServer();
    const dir = await makeTempDir('race');
    const tried: number[] = [];
    try {
      const server = await ManagedServer.start({
        binary: 'redis-server',
        dirs: [dir],
        attempts: 3,
        readyTimeoutMs: 10_000,
        recipe: async () => {
          const port = tried.length === 0 ? squatter.port : await getFreePort();
          tried.push(port);
          return {
            port,
            args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
            ready: () => probeRedisPing('127.0.0.1', port),
          };
        },
      });
      expect(tried).toHaveLength(2);
      expect(server.recipe.port).toBe(tried[1]);
      expect(await converse(server.recipe.port, 'PING\r\n', (r) => r.includes('\r\n'))).toBe('+PONG\r\n');
      await server.stop();
    } finally {
      await squatter.close();
    }
  });

  it('gives up after the last attempt with the server own words and no temp dir left', async () => {
    const squatter = await startEchoServer();
    const before = await ownTempDirs();
    const dir = await makeTempDir('race');
    try {
      const start = ManagedServer.start({
        binary: 'redis-server',
        dirs: [dir],
        attempts: 2,
        readyTimeoutMs: 10_000,
        recipe: () =>
          Promise.resolve({
            args: ['--port', String(squatter.port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
            ready: () => probeRedisPing('127.0.0.1', squatter.port),
          }),
      });
      await expect(start).rejects.toMatchObject({ code: 'TESTING_PROCESS_EXITED' });
      await expect(start).rejects.toThrow(/Address already in use/);
      expect(await ownTempDirs()).toEqual(before);
    } finally {
      await squatter.close();
    }
  });
});

describe('listensOn', () => {
  it('tells the process holding a listening port from any other', async () => {
    const mine = await startEchoServer();
    try {
      expect(await listensOn(process.pid, mine.port)).toBe(true);
      expect(await listensOn(process.ppid, mine.port)).toBe(false);
      expect(await listensOn(process.pid, await getFreePort())).toBe(false);
    } finally {
      await mine.close();
    }
  });
});
