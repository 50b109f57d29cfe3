import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startAlertmanager, startPrometheus, type AlertmanagerHandle } from './support/alertmanager.js';
import { WebhookSink } from './support/sink.js';
import { postJson, startRelay, tempDir, WORKSPACE, type RelayHandle } from './support/processes.js';

let nats: NatsServerHandle;
let sink: WebhookSink;
let relay: RelayHandle;
let alertmanager: AlertmanagerHandle;
const dir = tempDir();

beforeAll(async () => {
  [nats, sink] = await Promise.all([startNats(), WebhookSink.start()]);
  const config = dir.write('relay.json', {
    receivers: [{ name: 'chat', url: sink.url('/chat/hooks/am') }],
    route: { receiver: 'chat', groupBy: ['alertname'], groupWaitMs: 200, groupIntervalMs: 300, repeatIntervalMs: 3_600_000 },
    watchdog: { evaluationIntervalMs: 100 },
  });
  relay = await startRelay(nats.url, config);
  alertmanager = await startAlertmanager(`
route:
  receiver: ferry-relay
  group_by: ['alertname']
  group_wait: 100ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: ferry-relay
    webhook_configs:
      - url: ${relay.apiUrl}/alertmanager
        send_resolved: true
`);
});

afterAll(async () => {
  await alertmanager?.stop();
  await relay?.process.kill('SIGTERM');
  await sink?.stop();
  await nats?.stop();
  dir.cleanup();
});

describe('Alertmanager → relay → chat', () => {
  it('delivers an alert posted to a real Alertmanager to the chat with its runbook link, then its resolution', async () => {
    const labels = { alertname: 'GatewayDown', severity: 'critical', job: 'ftp-gateway', exported_instance: 'gw-1' };
    const fire = await postJson(`${alertmanager.url}/api/v2/alerts`, [{ labels, annotations: { summary: 'gateway gw-1 is down' }, startsAt: new Date().toISOString() }]);
    expect(fire.status).toBe(200);
    await vi.waitFor(() => expect(sink.delivered('/chat/hooks/am')).toHaveLength(1), { timeout: 20_000, interval: 100 });
    const message = sink.delivered('/chat/hooks/am')[0]!.body;
    expect(message.text).toContain('[FIRING:1] GatewayDown');
    expect(message.attachments[0]).toMatchObject({ color: '#d00000', title_link: 'https://runbooks.example.test/ferry/GatewayDown.md' });
    expect(message.attachments[0]!.text).toContain('gateway gw-1 is down');

    const resolve = await postJson(`${alertmanager.url}/api/v2/alerts`, [{ labels, annotations: { summary: 'gateway gw-1 is down' }, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() - 1_000).toISOString() }]);
    expect(resolve.status).toBe(200);
    await vi.waitFor(() => expect(sink.delivered('/chat/hooks/am')).toHaveLength(2), { timeout: 20_000, interval: 100 });
    expect(sink.delivered('/chat/hooks/am')[1]!.body.text).toContain('[RESOLVED:1] GatewayDown');
  });
});

describe('Prometheus rule → Alertmanager → relay → chat', () => {
  it('delivers an alert fired by a Prometheus rule evaluation', async () => {
    const prometheus = await startPrometheus({
      alertmanagerUrl: alertmanager.url,
      rules: `
groups:
  - name: relay-pipeline-test
    interval: 1s
    rules:
      - alert: RelayPipelineTest
        expr: vector(1)
        labels: { severity: warning, service: prometheus }
        annotations:
          summary: 'fired by a Prometheus rule'
          runbook_url: 'http://127.0.0.1:9205/runbooks/RelayPipelineTest.md'
`,
    });
    try {
      const fromRule = () => sink.delivered('/chat/hooks/am').filter((r) => r.body.text.includes('RelayPipelineTest'));
      await vi.waitFor(() => expect(fromRule()).toHaveLength(1), { timeout: 30_000, interval: 200 });
      const attachment = fromRule()[0]!.body.attachments[0]!;
      expect(attachment.text).toContain('fired by a Prometheus rule');
      expect(attachment.title_link).toBe('https://runbooks.example.test/ferry/RelayPipelineTest.md');
    } finally {
      await prometheus.stop();
    }
  });
});

describe('the shipped observability/alertmanager/alertmanager.yml', () => {
  it('routes a critical alert to the relay', async () => {
    const shipped = readFileSync(join(WORKSPACE, 'observability', 'alertmanager', 'alertmanager.yml'), 'utf8');
    expect(shipped).toContain('http://127.0.0.1:9205/alertmanager');
    const shippedAm = await startAlertmanager(shipped.replaceAll('http://127.0.0.1:9205/alertmanager', `${relay.apiUrl}/alertmanager`));
    try {
      const labels = { alertname: 'NatsDown', severity: 'critical', service: 'nats', instance: 'nats-1' };
      expect((await postJson(`${shippedAm.url}/api/v2/alerts`, [{ labels, annotations: { summary: 'NATS down' } }])).status).toBe(200);
      const natsDown = () => sink.delivered('/chat/hooks/am').filter((r) => r.body.text.includes('NatsDown'));
      await vi.waitFor(() => expect(natsDown()).toHaveLength(1), { timeout: 30_000, interval: 200 });
      expect(natsDown()[0]!.body.attachments[0]!.title_link).toBe('https://runbooks.example.test/ferry/NatsDown.md');
    } finally {
      await shippedAm.stop();
    }
  });
});
