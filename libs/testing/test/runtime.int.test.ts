import { afterEach, describe, expect, it } from 'vitest';
import { detectRuntime, getFreePort, waitForHttp, waitForTcp } from '../src/index.js';

describe('runtime detection', () => {
  const saved = { runtime: process.env['FERRY_TEST_RUNTIME'], dockerHost: process.env['DOCKER_HOST'] };

  afterEach(() => {
    for (const [name, value] of [['FERRY_TEST_RUNTIME', saved.runtime], ['DOCKER_HOST', saved.dockerHost]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('falls back to local binaries quickly when no container engine answers', async () => {
    process.env['FERRY_TEST_RUNTIME'] = 'auto';
    process.env['DOCKER_HOST'] = `tcp://127.0.0.1:${await getFreePort()}`;
    const started = Date.now();
    expect(await detectRuntime()).toBe('local');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('fails cleanly when containers are demanded and no engine answers', async () => {
    process.env['FERRY_TEST_RUNTIME'] = 'container';
    process.env['DOCKER_HOST'] = `tcp://127.0.0.1:${await getFreePort()}`;
    await expect(detectRuntime()).rejects.toMatchObject({ code: 'TESTING_CONTAINER_RUNTIME' });
  });

  it('rejects an unknown FERRY_TEST_RUNTIME naming the variable', async () => {
    process.env['FERRY_TEST_RUNTIME'] = 'docker';
    await expect(detectRuntime()).rejects.toThrow(/FERRY_TEST_RUNTIME must be local, container or auto/);
  });

  it('uses local binaries when told to', async () => {
    process.env['FERRY_TEST_RUNTIME'] = 'local';
    expect(await detectRuntime()).toBe('local');
  });
});

describe('waiting helpers', () => {
  it('getFreePort returns a loopback port that nothing listens on', async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(1024);
    await expect(waitForTcp('127.0.0.1', port, 200)).rejects.toMatchObject({ code: 'TESTING_START_TIMEOUT' });
  });

  it('waitForHttp times out with the last status it saw', async () => {
    const port = await getFreePort();
    await expect(waitForHttp(`http://127.0.0.1:${port}/healthz`, 200)).rejects.toThrow(/not ready after 200 ms/);
  });
});
