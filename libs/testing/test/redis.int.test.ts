import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServerHandle } from '../src/index.js';
import { connectOutcome, converse } from './helpers.js';

const ping = (port: number): Promise<string> => converse(port, 'PING\r\n', (r) => r.includes('\r\n'));

describe('startRedis', () => {
  let redis: RedisServerHandle;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('answers PING with PONG on a raw socket', async () => {
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await ping(redis.port)).toBe('+PONG\r\n');
  });

  it('runs without persistence', async () => {
    const reply = await converse(redis.port, 'CONFIG GET save\r\nCONFIG GET appendonly\r\n', (r) => r.includes('appendonly\r\n$2\r\nno\r\n'));
    expect(reply).toContain('$4\r\nsave\r\n$0\r\n\r\n');
  });

  it('refuses connections while paused and resumes on the same port', async () => {
    const port = redis.port;
    await redis.pause();
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    await redis.resume();
    expect(redis.port).toBe(port);
    expect(await ping(port)).toBe('+PONG\r\n');
  });

  it('resumes after being killed like a crash', async () => {
    await redis.kill();
    expect(await connectOutcome(redis.port)).toBe('ECONNREFUSED');
    await redis.resume();
    expect(await ping(redis.port)).toBe('+PONG\r\n');
  });

  it('passes extra arguments to redis-server', async () => {
    const other = await startRedis({ args: ['--maxmemory', '10mb'] });
    try {
      const reply = await converse(other.port, 'CONFIG GET maxmemory\r\n', (r) => r.includes('10485760\r\n'));
      expect(reply).toContain('10485760');
    } finally {
      await other.stop();
    }
  });
});
