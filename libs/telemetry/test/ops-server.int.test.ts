import { fastify } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createMetrics,
  opsRoutes,
  startOpsServer,
  type OpsServer,
  type ReadinessProbe,
  type ReadinessReport,
} from '../src/index.js';
import { captureLogLines } from './log-capture.js';

const quietLogger = () => createLogger({ service: 'test', instance: 't-1', level: 'silent' });

async function start(readiness: ReadinessProbe, options: { readinessTimeoutMs?: number } = {}) {
  const metrics = createMetrics({ service: 'auth', instance: 'auth-1' });
  const server = await startOpsServer({ host: '127.0.0.1', port: 0, metrics, readiness, logger: quietLogger(), ...options });
  return { server, metrics };
}

describe('startOpsServer', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('listens on a free port and reports its real URL', async () => {
    ({ server } = await start(() => ({ ready: true, checks: {} })));
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers /healthz with 200 while the process runs', async () => {
    ({ server } = await start(() => ({ ready: false, checks: {} })));
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and the report when ready', async () => {
    const report: ReadinessReport = { ready: true, checks: { nats: { ok: true, detail: 'connected' } } };
    ({ server } = await start(() => Promise.resolve(report)));
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(report);
  });

  it('answers /readyz with 503 and the failing checks when not ready', async () => {
    const report: ReadinessReport = {
      ready: false,
      checks: { nats: { ok: true }, redis: { ok: false, detail: 'ECONNREFUSED', lag: 12 } },
    };
    ({ server } = await start(() => report));
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual(report);
  });

  it('answers 503 with the error when the readiness check throws, and keeps serving', async () => {
    ({ server } = await start(() => {
      throw new Error('redis client not created');
    }));
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, checks: {}, error: 'redis client not created' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 503 when the readiness check hangs past its timeout', async () => {
    ({ server } = await start(() => new Promise<never>(() => undefined), { readinessTimeoutMs: 50 }));
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, error: expect.stringContaining('50 ms') });
  });

  it('serves registered metrics as Prometheus text', async () => {
    const started = await start(() => ({ ready: true, checks: {} }));
    server = started.server;
    started.metrics.counter({ name: 'ferry_logins_total', help: 'Logins', labelNames: ['result'] }).inc({ result: 'ok' }, 2);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain('# TYPE ferry_logins_total counter');
    expect(body).toContain('ferry_logins_total{result="ok",service="auth",instance="auth-1"} 2');
    expect(body).toContain('process_resident_memory_bytes');
  });

  it('logs where it listens and when readiness changes, not on every probe', async () => {
    const { destination, lines } = captureLogLines();
    const logger = createLogger({ service: 'auth', instance: 'auth-1', level: 'info', destination });
    let ready = false;
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createMetrics({ service: 'auth', instance: 'auth-1', collectDefaults: false }),
      readiness: () => ({ ready, checks: {} }),
      logger,
    });
    for (const nowReady of [false, false, true, true]) {
      ready = nowReady;
      await fetch(`${server.url}/readyz`);
    }
    expect(lines.map((line) => line.msg)).toEqual(['ops server listening', 'not ready', 'ready']);
    expect(lines[0]).toMatchObject({ url: server.url });
  });

  it('can be closed twice', async () => {
    const started = await start(() => ({ ready: true, checks: {} }));
    await started.server.close();
    await started.server.close();
    await expect(fetch(`${started.server.url}/healthz`)).rejects.toThrow();
  });
});

describe('opsRoutes', () => {
  it('mounts the same routes on a service’s own fastify app', async () => {
    const app = fastify({ logger: false });
    app.get('/api/ping', () => 'pong');
    await app.register(opsRoutes, {
      metrics: createMetrics({ service: 'indexer', instance: 'i-1', collectDefaults: false }),
      readiness: () => ({ ready: false, checks: { lag: { ok: false, detail: '5000 events behind' } } }),
      logger: quietLogger(),
    });
    try {
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const readyz = await app.inject({ url: '/readyz' });
      expect(readyz.statusCode).toBe(503);
      expect(readyz.json()).toMatchObject({ checks: { lag: { detail: '5000 events behind' } } });
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/ping' })).body).toBe('pong');
    } finally {
      await app.close();
    }
  });
});
