import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initTracing, instrument, SpanKind } from '../src/index.js';

interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in OTLP/HTTP collector that records what it is sent. */
async function startReceiver(): Promise<{ server: Server; port: number; received: ReceivedRequest[] }> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

describe('OTLP/HTTP export', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('posts spans to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces when shut down', async () => {
    const tracing = initTracing({
      service: 'auth',
      instance: 'auth-7',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-ferry-tenant=acme',
      },
    });
    expect(tracing.enabled).toBe(true);
    await instrument({ name: 'auth.login', kind: SpanKind.SERVER, fn: () => undefined });
    await tracing.shutdown();

    const [request] = receiver.received;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/traces' });
    expect(request?.headers['x-ferry-tenant']).toBe('acme');
    expect(request?.body).toContain('auth.login');
    expect(request?.body).toContain('auth-7');
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is', async () => {
    const tracing = initTracing({
      service: 'auth',
      instance: 'auth-7',
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${receiver.port}/custom/traces` },
    });
    await instrument({ name: 'auth.login', fn: () => undefined });
    await tracing.shutdown();
    expect(receiver.received.map((request) => request.path)).toEqual(['/custom/traces']);
  });
});
