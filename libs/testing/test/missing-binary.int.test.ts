import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHaproxyConfig, MissingBinaryError, startNats, startRedis } from '../src/index.js';
import { ownTempDirs } from './helpers.js';

const VARS = ['FERRY_TEST_RUNTIME', 'FERRY_NATS_SERVER_BIN', 'FERRY_REDIS_SERVER_BIN', 'FERRY_HAPROXY_BIN'] as const;

describe('a missing binary', () => {
  const saved = new Map<string, string | undefined>();

  beforeEach(() => {
    for (const name of VARS) saved.set(name, process.env[name]);
    process.env['FERRY_TEST_RUNTIME'] = 'local';
  });

  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('gives a MissingBinaryError naming the binary and the apt-get command', async () => {
    process.env['FERRY_NATS_SERVER_BIN'] = '/nonexistent/nats-server';
    const before = await ownTempDirs();
    const error: unknown = await startNats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect(error).toMatchObject({ code: 'TESTING_MISSING_BINARY', binary: 'nats-server', name: 'MissingBinaryError' });
    expect((error as Error).message).toContain('nats-server not found at /nonexistent/nats-server');
    expect((error as Error).message).toContain('apt-get install -y nats-server');
    expect((error as Error).message).toContain('npm run setup');
    expect(await ownTempDirs()).toEqual(before);
  });

  it('names a binary that is not on PATH', async () => {
    process.env['FERRY_REDIS_SERVER_BIN'] = 'ferry-no-such-redis-server';
    await expect(startRedis()).rejects.toThrow(/redis-server not found on PATH.*apt-get install -y redis-server/);
  });

  it('also stops a haproxy config check', async () => {
    process.env['FERRY_HAPROXY_BIN'] = '/nonexistent/haproxy';
    await expect(checkHaproxyConfig('defaults\n')).rejects.toThrow(/haproxy not found.*apt-get install -y haproxy/);
  });
});
