import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTracing, type TestTracing } from '@ferry/telemetry/testing';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startFakePlatform, type FakePlatform } from './fake-platform.js';
import { connectClient, startGateway, type Gateway } from './gateway-harness.js';

let tracing: TestTracing;
let nats: NatsServerHandle;
let platform: FakePlatform;
let gateway: Gateway;

beforeAll(async () => {
  tracing = createTestTracing({ service: 'ftp-gateway' });
  nats = await startNats();
  platform = await startFakePlatform(nats.url, { alice: { password: 'alice-secret' } });
  gateway = await startGateway(nats.url);
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
  await tracing?.shutdown();
});

/** The trace id in the traceparent header of the stored event of `type` about `path` (or any, without one). */
async function traceOfEvent(type: string, path?: string): Promise<string | undefined> {
  const info = await platform.bus.jsm.streams.info('FERRY_ACTIVITY');
  for (let seq = info.state.last_seq; seq >= info.state.first_seq && seq > 0; seq--) {
    const message = await platform.bus.jsm.streams.getMessage('FERRY_ACTIVITY', { seq }).catch(() => undefined);
    const event = message?.json<{ type: string; data: { path?: string } }>();
    if (event?.type === type && (path === undefined || event.data.path === path)) return message?.header.get('traceparent').split('-')[1];
  }
  return undefined;
}

describe('traces', () => {
  it('a login and a transfer are each one trace, and the events they publish carry it', async () => {
    const client = await connectClient(gateway.ftpPort);
    await client.uploadFrom(Readable.from([Buffer.from('traced')]), 'traced.txt');
    client.close();
    await expect.poll(() => traceOfEvent('ferry.transfer.completed.v1', '/traced.txt'), { timeout: 10_000 }).toBeDefined();
    const spans = tracing.spans();
    const login = spans.find((span) => span.name === 'ftp login');
    const upload = spans.find((span) => span.name === 'ftp upload');
    expect(login).toBeDefined();
    expect(upload).toBeDefined();
    expect(spans.some((span) => span.name === 'rpc auth.login' && span.spanContext().traceId === login!.spanContext().traceId)).toBe(true);
    expect(await traceOfEvent('ferry.session.opened.v1')).toBe(login!.spanContext().traceId);
    expect(await traceOfEvent('ferry.transfer.started.v1', '/traced.txt')).toBe(upload!.spanContext().traceId);
    expect(await traceOfEvent('ferry.transfer.completed.v1', '/traced.txt')).toBe(upload!.spanContext().traceId);
  });
});
