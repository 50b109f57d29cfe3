import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHaproxyConfig, getFreePort, startHaproxy, type HaproxyHandle } from '../src/index.js';
import { openEchoClient, ownTempDirs, startEchoServer, type EchoServer } from './helpers.js';

function tcpConfig(listens: Array<{ name: string; port: number; backend: number }>): string {
  return [
    'global',
    '  maxconn 100',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    ...listens.flatMap((l) => [`listen ${l.name}`, `  bind 127.0.0.1:${l.port}`, `  server echo 127.0.0.1:${l.backend}`]),
    '',
  ].join('\n');
}

async function echoThrough(port: number, text: string): Promise<string> {
  const client = await openEchoClient(port);
  try {
    return await client.echo(text);
  } finally {
    client.close();
  }
}

describe('startHaproxy', () => {
  let echo: EchoServer;
  let haproxy: HaproxyHandle;
  let frontPort: number;

  beforeAll(async () => {
    echo = await startEchoServer();
    frontPort = await getFreePort();
    haproxy = await startHaproxy({ config: tcpConfig([{ name: 'front', port: frontPort, backend: echo.port }]), readyPort: frontPort });
  });

  afterAll(async () => {
    await haproxy.stop();
    await echo.close();
  });

  it('forwards TCP end to end to a backend', async () => {
    expect(haproxy.pid).toBeGreaterThan(0);
    expect(readFileSync(haproxy.configPath, 'utf8')).toContain(`bind 127.0.0.1:${frontPort}`);
    expect(await echoThrough(frontPort, 'hello through haproxy\n')).toBe('hello through haproxy\n');
  });

  it('keeps serving open and new connections across a reload with a new config', async () => {
    const open = await openEchoClient(frontPort);
    expect(await open.echo('before\n')).toBe('before\n');
    const oldPid = haproxy.pid;
    const secondPort = await getFreePort();

    await haproxy.reload(
      tcpConfig([
        { name: 'front', port: frontPort, backend: echo.port },
        { name: 'second', port: secondPort, backend: echo.port },
      ]),
    );

    expect(haproxy.pid).not.toBe(oldPid);
    expect(await open.echo('after\n')).toBe('after\n');
    open.close();
    expect(await echoThrough(frontPort, 'new connection\n')).toBe('new connection\n');
    expect(await echoThrough(secondPort, 'second listener\n')).toBe('second listener\n');
  });

  it('refuses to reload into an invalid config and keeps the running one', async () => {
    const pid = haproxy.pid;
    await expect(haproxy.reload('listen broken\n  bind 127.0.0.1:notaport\n')).rejects.toMatchObject({
      code: 'TESTING_INVALID_CONFIG',
    });
    expect(haproxy.pid).toBe(pid);
    expect(await echoThrough(frontPort, 'still here\n')).toBe('still here\n');
  });
});

describe('checkHaproxyConfig', () => {
  it('accepts a valid config', async () => {
    const result = await checkHaproxyConfig(tcpConfig([{ name: 'ok', port: 18080, backend: 18081 }]));
    expect(result.valid).toBe(true);
  });

  it('rejects an invalid config with haproxy own words', async () => {
    const result = await checkHaproxyConfig('frontend f\n  mode tcp\n  bind 127.0.0.1:1\n  no_such_keyword yes\n');
    expect(result.valid).toBe(false);
    expect(result.output).toContain("unknown keyword 'no_such_keyword'");
  });

  it('makes startHaproxy throw with haproxy message and leave no temp dir', async () => {
    const before = await ownTempDirs();
    const start = startHaproxy({ config: 'frontend f\n  mode tcp\n  bind 127.0.0.1:1\n  no_such_keyword yes\n' });
    await expect(start).rejects.toMatchObject({ code: 'TESTING_INVALID_CONFIG' });
    await expect(start).rejects.toThrow(/unknown keyword 'no_such_keyword'/);
    expect(await ownTempDirs()).toEqual(before);
  });

  it('reports a port already taken with haproxy own words', async () => {
    const echo = await startEchoServer();
    try {
      // Ready only once haproxy itself listens there: without a readyPort "started" meant "still up after a
      // settling time", and on a loaded machine haproxy could outlive it before failing to bind (a flaky test).
      const start = startHaproxy({ config: tcpConfig([{ name: 'clash', port: echo.port, backend: echo.port }]), readyPort: echo.port });
      await expect(start).rejects.toMatchObject({ code: 'TESTING_PROCESS_EXITED' });
      await expect(start).rejects.toThrow(/Address already in use/);
    } finally {
      await echo.close();
    }
  });
});

describe('haproxy temp dirs', () => {
  it('are removed by stop', async () => {
    const port = await getFreePort();
    const h = await startHaproxy({ config: tcpConfig([{ name: 'x', port, backend: 1 }]), readyPort: port });
    await h.stop();
    expect(existsSync(h.dir)).toBe(false);
  });
});

describe('startHaproxy when another process holds its port', () => {
  it('fails with haproxy\'s own bind error instead of taking the other process\'s answer for haproxy\'s', async () => {
    const squatter = await startEchoServer();
    const backend = await startEchoServer();
    try {
      const start = startHaproxy({ config: tcpConfig([{ name: 'taken', port: squatter.port, backend: backend.port }]), readyPort: squatter.port });
      await expect(start).rejects.toMatchObject({ code: 'TESTING_PROCESS_EXITED' });
      await expect(start).rejects.toThrow(/cannot bind socket/i);
    } finally {
      await squatter.close();
      await backend.close();
    }
  });
});
