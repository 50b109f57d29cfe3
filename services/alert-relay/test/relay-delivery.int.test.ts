import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectBus, type Bus } from '@ferry/bus';
import { eventSubjects, streamNames } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { signActionToken } from '../src/domain/action-token.js';
import { WebhookSink } from './support/sink.js';
import { ACTION_SECRET, amPayload, postJson, RELAY_MAIN, ServiceProcess, startRelay, tempDir, type RelayHandle } from './support/processes.js';

const SECRET_PATH = 'hooks/SECRETtoken4711';
const scenarios = ['group', 'retry', 'throttled', 'esc', 'inhibit', 'silence', 'dup', 'restart', 'fail4xx'] as const;

function relayConfig(sink: WebhookSink) {
  const receiver = (name: string) => ({ name, url: sink.url(`/${name}/${SECRET_PATH}`), channel: `ferry-${name}`, username: 'ferry-alerts' });
  const route = (scenario: string, extra: Record<string, unknown> = {}) => ({ matchers: [{ name: 'scenario', value: scenario }], receiver: scenario, ...extra });
  return {
    receivers: [...scenarios.map(receiver), receiver('default'), receiver('esc2'), receiver('esc3')],
    route: {
      receiver: 'default',
      groupBy: ['alertname'],
      groupWaitMs: 300,
      groupIntervalMs: 300,
      repeatIntervalMs: 3_600_000,
      routes: [
        route('group', { groupWaitMs: 1_500 }),
        route('retry'),
        route('throttled'),
        route('esc', { escalation: [{ afterMs: 1_500, receiver: 'esc2' }, { afterMs: 4_000, receiver: 'esc3' }] }),
        route('inhibit', { groupBy: ['alertname', 'instance'] }),
        route('silence'),
        route('dup'),
        route('restart'),
        route('fail4xx'),
      ],
    },
    watchdog: { evaluationIntervalMs: 100 },
    delivery: { timeoutMs: 2_000, initialBackoffMs: 200, maxBackoffMs: 1_000, giveUpAfterMs: 60_000 },
  };
}

let nats: NatsServerHandle;
let sink: WebhookSink;
let relay: RelayHandle;
let bus: Bus;
const dir = tempDir();
let configPath: string;

beforeAll(async () => {
  [nats, sink] = await Promise.all([startNats(), WebhookSink.start()]);
  configPath = dir.write('relay.json', relayConfig(sink));
  relay = await startRelay(nats.url, configPath, { LOG_LEVEL: 'debug' });
  bus = await connectBus({ servers: [nats.url], name: 'delivery-test' });
});

afterAll(async () => {
  await bus?.close();
  await relay?.process.kill('SIGTERM');
  await sink?.stop();
  await nats?.stop();
  dir.cleanup();
});

const path = (scenario: string) => `/${scenario}/${SECRET_PATH}`;
const post = (body: unknown) => postJson(`${relay.apiUrl}/alertmanager`, body);
const alert = (scenario: string, alertname: string, extra: Record<string, string> = {}) => ({ labels: { alertname, scenario, severity: 'warning', ...extra }, fingerprint: fp(`${scenario}${alertname}${JSON.stringify(extra)}`) });
const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lastAlertEvent = async (event: string) => (await bus.jsm.streams.getMessage(streamNames.alerts, { last_by_subj: eventSubjects.alert(event) }).catch(() => null))?.json<{ data: Record<string, unknown> }>().data;

describe('grouping and dedup', () => {
  it('sends ten alerts with the same group labels within group_wait as one message listing them', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await post(amPayload(`{}:{i="${i}"}`, [alert('group', 'DiskAlmostFull', { instance: `host-${i}` })]))).status).toBe(200);
    }
    await vi.waitFor(() => expect(sink.on(path('group'))).toHaveLength(1), { timeout: 10_000, interval: 100 });
    const message = sink.on(path('group'))[0]!.body;
    expect(message.attachments).toHaveLength(10);
    expect(message.text).toContain('[FIRING:10] DiskAlmostFull');
    expect(message.channel).toBe('ferry-group');
    await sleep(1_000);
    expect(sink.on(path('group'))).toHaveLength(1);
  });

  it('turns the same Alertmanager payload posted twice into one message', async () => {
    const payload = amPayload('{}:{alertname="Twice"}', [alert('dup', 'Twice')]);
    const first = await post(payload);
    const second = await post(payload);
    expect(await first.json()).toEqual({ status: 'accepted' });
    expect(await second.json()).toEqual({ status: 'duplicate' });
    await vi.waitFor(() => expect(sink.on(path('dup'))).toHaveLength(1), { timeout: 10_000, interval: 100 });
    await sleep(1_000);
    expect(sink.on(path('dup'))).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('keeps retrying while the sink answers 500 and delivers once it recovers', async () => {
    let calls = 0;
    const previous = sink.reply;
    sink.reply = (r) => (r.path === path('retry') && ++calls <= 3 ? { status: 500 } : previous(r));
    await post(amPayload('{}:{alertname="Flaky"}', [alert('retry', 'Flaky')]));
    await vi.waitFor(() => expect(sink.delivered(path('retry'))).toHaveLength(1), { timeout: 15_000, interval: 100 });
    expect(sink.on(path('retry'))).toHaveLength(4);
    await vi.waitFor(async () => {
      const { notifications } = (await (await relay.admin('/api/notifications')).json()) as { notifications: { receiver: string; outcome: string; attempts: number }[] };
      expect(notifications.find((n) => n.receiver === 'retry')).toMatchObject({ outcome: 'delivered', attempts: 4 });
    });
  });

  it('waits as long as Retry-After says after a 429', async () => {
    let calls = 0;
    const previous = sink.reply;
    sink.reply = (r) => (r.path === path('throttled') && ++calls === 1 ? { status: 429, headers: { 'retry-after': '2' } } : previous(r));
    await post(amPayload('{}:{alertname="Throttled"}', [alert('throttled', 'Throttled')]));
    await vi.waitFor(() => expect(sink.delivered(path('throttled'))).toHaveLength(1), { timeout: 15_000, interval: 100 });
    const [refused, accepted] = sink.on(path('throttled'));
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(1_900);
  });

  it('does not retry a 4xx other than 429 and records the failure', async () => {
    const previous = sink.reply;
    sink.reply = (r) => (r.path === path('fail4xx') ? { status: 400 } : previous(r));
    await post(amPayload('{}:{alertname="Refused"}', [alert('fail4xx', 'Refused')]));
    await vi.waitFor(async () => {
      const { notifications } = (await (await relay.admin('/api/notifications')).json()) as { notifications: { receiver: string; outcome: string; httpStatus: number }[] };
      expect(notifications.find((n) => n.receiver === 'fail4xx')).toMatchObject({ outcome: 'failed', httpStatus: 400 });
    });
    await sleep(800);
    expect(sink.on(path('fail4xx'))).toHaveLength(1);
    expect(relay.process.output).toContain('ALERT NOTIFICATION FAILED');
  });
});

describe('inhibition and silences', () => {
  it('mutes the per-gateway ServiceDown while AllGatewaysDown fires, but not ServiceDown of another service', async () => {
    await post(
      amPayload('{}:{scenario="inhibit"}', [
        alert('inhibit', 'AllGatewaysDown', { service: 'ftp-gateway', severity: 'critical' }),
        alert('inhibit', 'ServiceDown', { service: 'ftp-gateway', instance: 'gw-1' }),
        alert('inhibit', 'ServiceDown', { service: 'auth', instance: 'auth-1' }),
      ]),
    );
    await vi.waitFor(() => expect(sink.on(path('inhibit'))).toHaveLength(2), { timeout: 10_000, interval: 100 });
    await sleep(1_000);
    const titles = sink.on(path('inhibit')).flatMap((r) => r.body.attachments.map((a) => a.title));
    expect(titles).toHaveLength(2);
    expect(titles.some((t) => t.includes('AllGatewaysDown'))).toBe(true);
    expect(titles.some((t) => t.includes('auth-1'))).toBe(true);
    expect(titles.some((t) => t.includes('gw-1'))).toBe(false);
  });

  it('holds back a silenced alert, and sends it once the silence is expired through the API', async () => {
    const created = await relay.admin('/api/silences', { method: 'POST', body: JSON.stringify({ matchers: [{ name: 'scenario', value: 'silence' }], durationMs: 600_000, createdBy: 'alice', comment: 'maintenance' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await post(amPayload('{}:{alertname="Muted"}', [alert('silence', 'Muted')]));
    await sleep(1_500);
    expect(sink.on(path('silence'))).toHaveLength(0);
    const listed = (await (await relay.admin('/api/silences')).json()) as { silences: { id: string; state: string; createdBy: string }[] };
    expect(listed.silences.find((s) => s.id === id)).toMatchObject({ state: 'active', createdBy: 'alice' });
    expect((await relay.admin(`/api/silences/${id}?by=bob`, { method: 'DELETE' })).status).toBe(200);
    await vi.waitFor(() => expect(sink.on(path('silence'))).toHaveLength(1), { timeout: 10_000, interval: 100 });
    expect((await relay.admin('/api/silences/unknown-id', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a silence without matchers, naming the field', async () => {
    const response = await relay.admin('/api/silences', { method: 'POST', body: JSON.stringify({ matchers: [], durationMs: 1000, createdBy: 'alice' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'matchers' } });
  });
});

describe('escalation and chat buttons', () => {
  const mattermostPost = (url: string, token: string) =>
    postJson(url, { user_id: 'u1x', user_name: 'alice', channel_id: 'c1', team_id: 't1', post_id: 'p1', trigger_id: 'tr', type: 'button', data_source: '', context: { token } });

  it('escalates an unacknowledged alert to level 2, and Acknowledge (as Mattermost posts it) stops it there', async () => {
    await post(amPayload('{}:{alertname="Escalating"}', [alert('esc', 'Escalating', { severity: 'critical' })]));
    await vi.waitFor(() => expect(sink.on(path('esc'))).toHaveLength(1), { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(sink.on(path('esc2'))).toHaveLength(1), { timeout: 10_000, interval: 100 });
    expect(sink.on(path('esc2'))[0]!.body.text).toContain('escalated (level 1');
    const actions = sink.on(path('esc'))[0]!.body.attachments[0]!.actions!;
    const ack = actions.find((a) => a.name === 'Acknowledge')!;
    expect(ack.integration.url).toBe(`${relay.apiUrl}/actions/ack`);
    const answer = await mattermostPost(ack.integration.url, ack.integration.context.token);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ephemeral_text: 'Acknowledged by alice: escalation stopped.' });
    await vi.waitFor(async () => expect(await lastAlertEvent('acknowledged')).toMatchObject({ by: 'alice', groupKey: expect.stringContaining('Escalating') as string }));
    const firstAt = sink.on(path('esc'))[0]!.at;
    await sleep(Math.max(0, firstAt + 4_000 - Date.now()) + 1_000);
    expect(sink.on(path('esc3'))).toHaveLength(0);

    const silence = actions.find((a) => a.name === 'Silence 1h')!;
    expect((await mattermostPost(silence.integration.url, silence.integration.context.token)).status).toBe(200);
    const { silences } = (await (await relay.admin('/api/silences')).json()) as { silences: { comment: string; matchers: { name: string; value: string }[] }[] };
    await vi.waitFor(async () => expect(await lastAlertEvent('silenced')).toMatchObject({ by: 'alice', matchers: [{ name: 'alertname', value: 'Escalating' }] }));
    expect(silences.find((s) => s.comment.startsWith('silenced from chat'))?.matchers).toEqual([{ name: 'alertname', value: 'Escalating', isRegex: false, isEqual: true }]);
  });

  it('refuses forged, expired and wrong-action button tokens', async () => {
    const groupKey = '0.3:{alertname="Escalating"}';
    const forged = signActionToken({ action: 'ack', groupKey, exp: Date.now() + 60_000 }, 'not-the-secret-not-the-secret-not-the');
    const expired = signActionToken({ action: 'ack', groupKey, exp: Date.now() - 1 }, ACTION_SECRET);
    const wrong = signActionToken({ action: 'silence', groupKey, exp: Date.now() + 60_000 }, ACTION_SECRET);
    for (const token of [forged, expired, wrong, 'garbage']) {
      const response = await mattermostPost(`${relay.apiUrl}/actions/ack`, token);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'ACTION_REFUSED' } });
    }
  });
});

describe('bad input', () => {
  it('answers 400 naming the field for malformed Alertmanager payloads, and stays up', async () => {
    const good = amPayload('{}:{}', [alert('dup', 'Fine')]);
    const cases: [unknown, string][] = [
      [{}, 'version'],
      [{ ...good, version: '3' }, 'version'],
      [{ ...good, alerts: [] }, 'alerts'],
      [{ ...good, alerts: [{ ...good.alerts[0], startsAt: 'yesterday' }] }, 'alerts.0.startsAt'],
      [{ ...good, alerts: [{ ...good.alerts[0], labels: { 'bad-label': 'x', alertname: 'A' } }] }, 'alerts.0.labels.bad-label'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field } });
    }
    const notJson = await postJson(`${relay.apiUrl}/alertmanager`, '{"version":');
    expect(notJson.status).toBe(400);
    expect((await relay.admin('/api/alerts')).status).toBe(200);
  });

  it('refuses the admin API without the bearer token', async () => {
    expect((await fetch(`${relay.apiUrl}/api/alerts`)).status).toBe(401);
    expect((await fetch(`${relay.apiUrl}/api/alerts`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('never writes a webhook URL into its logs', () => {
    expect(relay.process.output.length).toBeGreaterThan(0);
    expect(relay.process.output).not.toContain('SECRETtoken4711');
  });

  it('exits 78 naming the config path and field for a bad config file, without the secret URL', async () => {
    const bad = dir.write('bad.json', { receivers: [{ name: 'chat', url: 'ftp://hooks.example/SECRETtoken4711' }], route: { receiver: 'chat' } });
    const proc = await ServiceProcess.start(RELAY_MAIN, { NATS_URL: nats.url, ALERT_RELAY_CONFIG: bad, FERRY_ADMIN_TOKEN: 'x'.repeat(40) }, { waitReady: false });
    expect(await proc.waitExit()).toBe(78);
    expect(proc.output).toContain(bad);
    expect(proc.output).toContain('receivers.0.url');
    expect(proc.output).not.toContain('SECRETtoken4711');
    const missing = await ServiceProcess.start(RELAY_MAIN, { NATS_URL: nats.url, ALERT_RELAY_CONFIG: `${dir.path}/none.json`, FERRY_ADMIN_TOKEN: 'x'.repeat(40) }, { waitReady: false });
    expect(await missing.waitExit()).toBe(78);
    expect(missing.output).toContain('ENOENT');
  });
});

describe('without a config file', () => {
  it('starts with the built-in rules and no receiver, accepting alerts as events only', async () => {
    const bare = await startRelay(nats.url, '', { ALERT_RELAY_KV_BUCKET: 'relay_without_config' });
    try {
      expect(bare.process.output).toContain('alert-relay has no receiver configured');
      expect((await postJson(`${bare.apiUrl}/alertmanager`, amPayload('{}:{x="1"}', [alert('none', 'NoReceiver')]))).status).toBe(200);
      const { alerts } = (await (await bare.admin('/api/alerts')).json()) as { alerts: unknown[]; groups: unknown[] };
      expect(alerts).toHaveLength(1);
    } finally {
      await bare.process.kill('SIGTERM');
    }
    expect(bare.process.exitCode).toBe(0);
  });
});

describe('restart', () => {
  it('delivers a notification pending when the relay was killed, exactly once, after restart', async () => {
    const previous = sink.reply;
    let down = true;
    sink.reply = (r) => (r.path === path('restart') && down ? { status: 503 } : previous(r));
    await post(amPayload('{}:{alertname="Pending"}', [alert('restart', 'Pending')]));
    await vi.waitFor(() => expect(sink.on(path('restart')).length).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 50 });
    await relay.process.kill('SIGKILL');
    down = false;
    relay = await startRelay(nats.url, configPath, { LOG_LEVEL: 'debug' });
    await vi.waitFor(() => expect(sink.delivered(path('restart'))).toHaveLength(1), { timeout: 15_000, interval: 100 });
    await sleep(1_500);
    expect(sink.delivered(path('restart'))).toHaveLength(1);
    // Nothing delivered before the restart is sent again.
    for (const scenario of ['group', 'dup', 'retry', 'inhibit']) expect(sink.delivered(path(scenario)).length).toBeLessThanOrEqual(scenario === 'inhibit' ? 2 : 1);
  });
});
