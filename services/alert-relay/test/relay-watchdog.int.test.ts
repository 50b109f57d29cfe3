import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectBus, publishEvent, type Bus } from '@ferry/bus';
import { eventFactory, eventSubjects, LoginFailed, streamNames } from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { WebhookSink } from './support/sink.js';
import { ServiceProcess, startRelay, tempDir, type RelayHandle } from './support/processes.js';

const HEARTBEAT_SERVICE = 'services/alert-relay/test/support/heartbeat-service.ts';
const THRESHOLD_MS = 1_000;
const GROUP_WAIT_MS = 500;

let nats: NatsServerHandle;
let sink: WebhookSink;
let relay: RelayHandle;
let bus: Bus;
const dir = tempDir();
const started: ServiceProcess[] = [];

beforeAll(async () => {
  [nats, sink] = await Promise.all([startNats(), WebhookSink.start()]);
  const config = dir.write('relay.json', {
    receivers: [{ name: 'chat', url: sink.url('/chat/hooks/abc') }],
    route: {
      receiver: 'chat',
      groupBy: ['alertname', 'instance', 'gateway'],
      groupWaitMs: GROUP_WAIT_MS,
      groupIntervalMs: 500,
      repeatIntervalMs: 3_600_000,
    },
    watchdog: { evaluationIntervalMs: 100, serviceDown: { thresholdMs: THRESHOLD_MS, intervalMultiplier: 3 }, loginFailures: { windowMs: 60_000, threshold: 3 } },
  });
  relay = await startRelay(nats.url, config);
  bus = await connectBus({ servers: [nats.url], name: 'watchdog-test' });
});

afterAll(async () => {
  for (const proc of started) await proc.kill('SIGKILL');
  await bus?.close();
  await relay?.process.kill('SIGTERM');
  await sink?.stop();
  await nats?.stop();
  dir.cleanup();
});

async function startHeartbeats(instance: string): Promise<ServiceProcess> {
  const proc = await ServiceProcess.start(HEARTBEAT_SERVICE, { NATS_URL: nats.url, FERRY_INSTANCE_ID: instance, FERRY_HEARTBEAT_INTERVAL: '200ms', LOG_LEVEL: 'warn' });
  started.push(proc);
  return proc;
}

const messagesAbout = (instance: string) => sink.delivered('/chat/hooks/abc').filter((r) => JSON.stringify(r.body.attachments).includes(instance));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ServiceDown from heartbeats', () => {
  it('sends one ServiceDown when an instance is killed, no duplicate while it stays down, and one resolved when it returns', async () => {
    const first = await startHeartbeats('session-w1');
    await sleep(800);
    expect(messagesAbout('session-w1')).toHaveLength(0);

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    await vi.waitFor(() => expect(messagesAbout('session-w1')).toHaveLength(1), { timeout: 15_000, interval: 50 });
    const down = messagesAbout('session-w1')[0]!;
    // Loose bound the issue asks for: threshold + group_wait (+ slack for a loaded 2-core machine).
    expect(down.at - killedAt).toBeLessThan(THRESHOLD_MS + GROUP_WAIT_MS + 4_000);
    expect(down.body.text).toContain('[FIRING:1] ServiceDown');
    expect(down.body.attachments[0]!.title_link).toBe('https://runbooks.example.test/ferry/ServiceDown.md');
    expect(down.body.attachments[0]!.fields).toEqual(expect.arrayContaining([{ title: 'Service', value: 'session', short: true }, { title: 'Instance', value: 'session-w1', short: true }]));

    await sleep(2_000);
    expect(messagesAbout('session-w1')).toHaveLength(1);

    await startHeartbeats('session-w1');
    await vi.waitFor(() => expect(messagesAbout('session-w1')).toHaveLength(2), { timeout: 15_000, interval: 50 });
    expect(messagesAbout('session-w1')[1]!.body.text).toContain('[RESOLVED:1] ServiceDown');
  });

  it('does not page about an instance that stopped cleanly', async () => {
    const proc = await startHeartbeats('session-w2');
    await sleep(800);
    await proc.kill('SIGTERM');
    expect(proc.exitCode).toBe(0);
    await sleep(THRESHOLD_MS + GROUP_WAIT_MS + 1_500);
    expect(messagesAbout('session-w2')).toHaveLength(0);
  });

  it('records fired, resolved and delivered events in FERRY_ALERTS', async () => {
    const last = async (event: string) => {
      const msg = await bus.jsm.streams.getMessage(streamNames.alerts, { last_by_subj: eventSubjects.alert(event) });
      return msg?.json<{ data: Record<string, unknown> }>().data;
    };
    expect(await last('fired')).toMatchObject({ alertname: 'ServiceDown', origin: 'watchdog', labels: { instance: 'session-w1' } });
    expect(await last('resolved')).toMatchObject({ alertname: 'ServiceDown', labels: { instance: 'session-w1' } });
    expect(await last('notification_delivered')).toMatchObject({ receiver: 'chat', httpStatus: 200 });
  });
});

describe('activity rules', () => {
  it('fires HighLoginFailureRate for a gateway refusing logins en masse', async () => {
    const newEvent = eventFactory('auth/test');
    for (let i = 0; i < 3; i++) {
      await publishEvent(bus, newEvent(LoginFailed, { ...exampleDataFor(LoginFailed), gateway: 'gw-brute', sessionId: `s-${i}` }));
    }
    await vi.waitFor(() => expect(messagesAbout('gw-brute')).toHaveLength(1), { timeout: 15_000, interval: 100 });
    expect(messagesAbout('gw-brute')[0]!.body.text).toContain('HighLoginFailureRate');
  });
});
