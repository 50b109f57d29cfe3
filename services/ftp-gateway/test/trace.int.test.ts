import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { connectClient, startGateway, type Gateway } from './gateway-harness.js';
import { loginCode } from './login-attempt.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { startPlatform, type Platform } from './platform.js';

/**
 * Tracing on in every process: the real auth and session processes and the
 * gateway (in this process) export over OTLP/HTTP to a receiver this test runs,
 * as they would to a collector.
 */
let receiver: OtlpReceiver;
let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let previousDelay: string | undefined;

beforeAll(async () => {
  // The batch span processor reads its delay from the process environment; the gateway runs in this one.
  previousDelay = process.env['OTEL_BSP_SCHEDULE_DELAY'];
  process.env['OTEL_BSP_SCHEDULE_DELAY'] = '100';
  receiver = await startOtlpReceiver();
  nats = await startNats();
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } }, { env: tracing });
  gateway = await startGateway(nats.url, tracing);
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
  await receiver?.stop();
  if (previousDelay === undefined) delete process.env['OTEL_BSP_SCHEDULE_DELAY'];
  else process.env['OTEL_BSP_SCHEDULE_DELAY'] = previousDelay;
});

const find = (service: string, name: string, traceId?: string): ReceivedSpan | undefined =>
  receiver.spans().find((span) => span.service === service && span.name === name && (traceId === undefined || span.traceId === traceId));

/** True when following parent links inside the trace from `span` reaches `ancestor`. */
function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(receiver.spans().filter((other) => other.traceId === span.traceId).map((other) => [other.spanId, other]));
  for (let current: ReceivedSpan | undefined = span; current !== undefined; current = byId.get(current.parentSpanId)) {
    if (current.spanId === ancestor.spanId && current.traceId === ancestor.traceId) return true;
  }
  return false;
}

/** The traceparent of the stored FERRY_ACTIVITY event of `type` (about `path`, if given), newest first. */
async function traceparentOf(type: string, path?: string): Promise<{ traceId: string; spanId: string } | undefined> {
  const info = await platform.bus.jsm.streams.info('FERRY_ACTIVITY');
  for (let seq = info.state.last_seq; seq >= info.state.first_seq && seq > 0; seq--) {
    const message = await platform.bus.jsm.streams.getMessage('FERRY_ACTIVITY', { seq }).catch(() => undefined);
    const event = message?.json<{ type: string; data: { path?: string } }>();
    if (event?.type !== type || (path !== undefined && event.data.path !== path)) continue;
    const [, traceId = '', spanId = ''] = message?.header.get('traceparent').split('-') ?? [];
    return { traceId, spanId };
  }
  return undefined;
}

describe('cross-service traces over OTLP/HTTP', () => {
  it('one FTP login is one trace: the gateway login span, then session.admit, auth.login and session.open served by the session and auth processes, each a child of the gateway request that asked', async () => {
    const client = await connectClient(gateway.ftpPort);
    client.close();
    const rpcs = [
      { service: 'session', name: 'session.admit' },
      { service: 'auth', name: 'auth.login' },
      { service: 'session', name: 'session.open' },
    ];
    await expect
      .poll(() => {
        const login = find('ftp-gateway', 'ftp login');
        return login === undefined ? [] : rpcs.filter(({ service, name }) => find(service, `serve ${name}`, login.traceId) !== undefined).map(({ name }) => name);
      }, { timeout: 15_000, interval: 200 })
      .toEqual(rpcs.map(({ name }) => name));

    const login = find('ftp-gateway', 'ftp login')!;
    expect(login.parentSpanId, 'the login span is the root of its trace').toBe('');
    for (const { service, name } of rpcs) {
      const asked = find('ftp-gateway', `rpc ${name}`, login.traceId);
      const served = find(service, `serve ${name}`, login.traceId)!;
      expect(asked, `rpc ${name} in the login trace`).toBeDefined();
      expect(descendsFrom(asked!, login), `rpc ${name} under the login span`).toBe(true);
      expect(served.parentSpanId, `serve ${name}'s parent`).toBe(asked!.spanId);
    }
    // One login, one trace: no span of these RPCs landed in another trace.
    expect(receiver.spans().filter((span) => span.name === 'serve auth.login').map((span) => span.traceId)).toEqual([login.traceId]);
    expect((await traceparentOf('ferry.session.opened.v1'))?.traceId).toBe(login.traceId);
    expect(receiver.rejected()).toEqual([]);
  });

  it('an upload is one trace from the gateway transfer span to the publish of ferry.transfer.completed.v1, whose traceparent the stored event carries', async () => {
    const client = await connectClient(gateway.ftpPort);
    await client.uploadFrom(Readable.from([Buffer.from('traced')]), 'traced.txt');
    client.close();
    await expect.poll(() => traceparentOf('ferry.transfer.completed.v1', '/traced.txt'), { timeout: 10_000 }).toBeDefined();
    await expect.poll(() => find('ftp-gateway', 'ftp upload'), { timeout: 15_000, interval: 200 }).toBeDefined();
    const upload = find('ftp-gateway', 'ftp upload')!;
    await expect.poll(() => find('ftp-gateway', 'publish ferry.transfer.completed.v1', upload.traceId), { timeout: 15_000, interval: 200 }).toBeDefined();
    const published = find('ftp-gateway', 'publish ferry.transfer.completed.v1', upload.traceId)!;
    expect(descendsFrom(published, upload)).toBe(true);
    expect(await traceparentOf('ferry.transfer.completed.v1', '/traced.txt')).toEqual({ traceId: upload.traceId, spanId: published.spanId });
    expect((await traceparentOf('ferry.transfer.started.v1', '/traced.txt'))?.traceId).toBe(upload.traceId);
    expect(receiver.rejected()).toEqual([]);
  });

  it('a refused login is one trace as well: auth served it under the gateway login span, and the session.refused event carries that trace', async () => {
    expect(await loginCode(gateway.ftpPort, 'alice', 'not-the-password')).toBe(530);
    await expect.poll(() => traceparentOf('ferry.session.refused.v1'), { timeout: 10_000 }).toBeDefined();
    const { traceId } = (await traceparentOf('ferry.session.refused.v1'))!;
    await expect.poll(() => find('auth', 'serve auth.login', traceId), { timeout: 15_000, interval: 200 }).toBeDefined();
    await expect.poll(() => find('ftp-gateway', 'ftp login', traceId), { timeout: 15_000, interval: 200 }).toBeDefined();
    const login = find('ftp-gateway', 'ftp login', traceId)!;
    const asked = find('ftp-gateway', 'rpc auth.login', traceId)!;
    expect(login.parentSpanId).toBe('');
    expect(descendsFrom(asked, login)).toBe(true);
    expect(find('auth', 'serve auth.login', traceId)!.parentSpanId).toBe(asked.spanId);
    expect(find('session', 'serve session.open', traceId)).toBeUndefined();
  });
});
