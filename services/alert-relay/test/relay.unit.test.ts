import { describe, expect, it } from 'vitest';
import { RelayConfigSchema, type RelayConfig } from '../src/domain/config.js';
import { fingerprintOf } from '../src/domain/labels.js';
import { initialRelayState, type EventIntent, type PendingNotification, type RelayState } from '../src/domain/model.js';
import { step, type IncomingAlert, type RelayInput } from '../src/domain/relay.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

function config(overrides: Record<string, unknown> = {}): RelayConfig {
  return RelayConfigSchema.parse({
    receivers: [
      { name: 'chat', url: 'https://chat.example.test/hooks/secret' },
      { name: 'quiet', url: 'https://chat.example.test/hooks/quiet', sendResolved: false },
      { name: 'oncall', url: 'https://pager.example.test/hooks/oncall' },
    ],
    route: { receiver: 'chat', groupBy: ['alertname'], groupWaitMs: 1_000, groupIntervalMs: 5_000, repeatIntervalMs: 60_000 },
    ...overrides,
  });
}

/** Drives the decider like the engine does, collecting events and notifications. */
class Harness {
  state: RelayState = initialRelayState();
  events: EventIntent[] = [];
  now = T0;
  constructor(readonly cfg: RelayConfig = config()) {}
  send(input: RelayInput) {
    const out = step(this.state, input, { now: this.now, config: this.cfg });
    this.state = out.state;
    this.events.push(...out.events);
    return out.result;
  }
  at(ms: number) {
    this.now = T0 + ms;
    this.send({ kind: 'tick' });
    return this;
  }
  alert(labels: Record<string, string>, status: 'firing' | 'resolved' = 'firing') {
    const alert: IncomingAlert = { labels, annotations: { summary: 's' }, startsAt: this.now, status };
    return this.send({ kind: 'alertmanager', dedupKey: `${JSON.stringify(labels)}${status}${this.now}`, alerts: [alert] });
  }
  outbox(): PendingNotification[] {
    return Object.values(this.state.outbox).sort((a, b) => a.createdAt - b.createdAt);
  }
  deliverAll() {
    for (const n of this.outbox()) this.send({ kind: 'delivery', id: n.id, result: { kind: 'delivered', httpStatus: 200 }, jitter: 0 });
  }
  types() {
    return this.events.map((e) => e.type);
  }
}

describe('grouping, group_wait, group_interval and repeat_interval', () => {
  it('sends nothing before group_wait and one notification at group_wait', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(999);
    expect(h.outbox()).toHaveLength(0);
    h.at(1_000);
    expect(h.outbox()).toHaveLength(1);
    expect(h.outbox()[0]?.status).toBe('firing');
  });

  it('never sends an alert that resolves within group_wait', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.now = T0 + 500;
    h.alert({ alertname: 'ServiceDown', instance: 'a' }, 'resolved');
    h.at(1_000).at(6_000).at(70_000);
    expect(h.outbox()).toHaveLength(0);
    expect(h.state.groups).toEqual({});
    expect(h.types()).toEqual(['ferry.alert.fired.v1', 'ferry.alert.resolved.v1']);
  });

  it('sends ten alerts with the same group labels within group_wait as one message listing all ten', () => {
    const h = new Harness();
    for (let i = 0; i < 10; i++) h.alert({ alertname: 'DiskFull', instance: `host-${i}` });
    h.at(1_000);
    expect(h.outbox()).toHaveLength(1);
    expect(h.outbox()[0]?.alerts).toHaveLength(10);
  });

  it('does not repeat a firing group before repeat_interval, and repeats at the first group_interval tick after it', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    h.deliverAll();
    for (let t = 6_000; t <= 56_000; t += 5_000) h.at(t);
    expect(h.outbox()).toHaveLength(0);
    h.at(60_500); // past repeat_interval but not a group_interval tick (next is 61_000)
    expect(h.outbox()).toHaveLength(0);
    h.at(61_000);
    expect(h.outbox()).toHaveLength(1);
  });

  it('adds a new alert to an existing group at the next group_interval tick, not after a new group_wait', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    h.deliverAll();
    h.now = T0 + 2_000;
    h.alert({ alertname: 'ServiceDown', instance: 'b' });
    h.at(5_999);
    expect(h.outbox()).toHaveLength(0);
    h.at(6_000);
    expect(h.outbox()[0]?.alerts.map((a) => a.labels.instance)).toEqual(['a', 'b']);
  });

  it('sends a resolved notification for a notified alert when the receiver wants resolved messages', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    h.deliverAll();
    h.now = T0 + 2_000;
    h.alert({ alertname: 'ServiceDown', instance: 'a' }, 'resolved');
    h.at(6_000);
    expect(h.outbox()).toHaveLength(1);
    expect(h.outbox()[0]?.status).toBe('resolved');
    expect(h.state.groups).toEqual({});
  });

  it('sends no resolved notification to a receiver with sendResolved false', () => {
    const h = new Harness(config({ route: { receiver: 'quiet', groupWaitMs: 1_000, groupIntervalMs: 5_000 } }));
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    h.deliverAll();
    h.now = T0 + 2_000;
    h.alert({ alertname: 'ServiceDown', instance: 'a' }, 'resolved');
    h.at(6_000);
    expect(h.outbox()).toHaveLength(0);
  });

  it('dedups by fingerprint: the same alert reported again is one alert and one fired event', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.now = T0 + 10;
    h.alert({ instance: 'a', alertname: 'ServiceDown' });
    h.at(1_000);
    expect(h.outbox()[0]?.alerts).toHaveLength(1);
    expect(h.types()).toEqual(['ferry.alert.fired.v1']);
  });

  it('gives notifications ids that stay stable and distinct across flushes', () => {
    const h = new Harness();
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    const first = h.outbox()[0]?.id;
    h.deliverAll();
    h.at(61_000);
    expect(h.outbox()[0]?.id).not.toBe(first);
    expect(first).toMatch(/^n-[0-9a-f]{24}$/);
  });
});

describe('Alertmanager payload dedup', () => {
  it('answers duplicate for a payload key already seen and changes nothing', () => {
    const h = new Harness();
    const alerts: IncomingAlert[] = [{ labels: { alertname: 'X' }, annotations: {}, startsAt: T0, status: 'firing' }];
    h.send({ kind: 'alertmanager', dedupKey: 'k1', alerts });
    const before = h.state;
    expect(h.send({ kind: 'alertmanager', dedupKey: 'k1', alerts })).toEqual({ ok: true, duplicate: true });
    expect(h.state).toBe(before);
  });

  it('forgets payload keys after payloadDedupMs', () => {
    const h = new Harness(config({ history: { payloadDedupMs: 10_000 } }));
    h.send({ kind: 'alertmanager', dedupKey: 'k1', alerts: [] });
    h.at(10_001);
    expect(h.state.seenPayloads).toEqual({});
  });
});

describe('routing', () => {
  const routed = config({
    route: {
      receiver: 'chat',
      groupWaitMs: 0,
      routes: [
        { matchers: [{ name: 'severity', value: 'critical' }], receiver: 'oncall', continue: true },
        { matchers: [{ name: 'service', value: 'auth|session', isRegex: true }], receiver: 'quiet' },
      ],
    },
  });

  it('sends a critical alert to every matching route when continue is set, and others to the first match or the root', () => {
    const h = new Harness(routed);
    h.alert({ alertname: 'A', severity: 'critical', service: 'auth' });
    h.alert({ alertname: 'B', severity: 'warning', service: 'ftp-gateway' });
    h.at(0);
    const byReceiver = h.outbox().map((n) => `${n.receiver}:${n.alerts.map((a) => a.labels.alertname).join('')}`).sort();
    expect(byReceiver).toEqual(['chat:B', 'oncall:A', 'quiet:A']);
  });
});

describe('inhibition', () => {
  it('mutes per-gateway ServiceDown while AllGatewaysDown fires, but not ServiceDown of other services', () => {
    const h = new Harness(config({ route: { receiver: 'chat', groupBy: ['alertname', 'service'], groupWaitMs: 1_000 } }));
    h.alert({ alertname: 'AllGatewaysDown', severity: 'critical', service: 'ftp-gateway' });
    h.alert({ alertname: 'ServiceDown', service: 'ftp-gateway', instance: 'gw-1' });
    h.alert({ alertname: 'ServiceDown', service: 'auth', instance: 'auth-1' });
    h.at(1_000);
    const sent = h.outbox().flatMap((n) => n.alerts.map((a) => `${a.labels.alertname}/${a.labels.instance ?? '-'}`));
    expect(sent.sort()).toEqual(['AllGatewaysDown/-', 'ServiceDown/auth-1']);
  });
});

describe('silences', () => {
  it('mutes matching alerts until the silence expires, then the alert is sent and the expiry recorded', () => {
    const h = new Harness();
    h.send({ kind: 'create_silence', id: 'sil-1', matchers: [{ name: 'instance', value: 'a', isRegex: false, isEqual: true }], endsAt: T0 + 8_000, by: 'ops', comment: 'maintenance' });
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000).at(6_000);
    expect(h.outbox()).toHaveLength(0);
    h.at(11_000);
    expect(h.outbox()).toHaveLength(1);
    expect(h.types()).toContain('ferry.alert.silenced.v1');
    expect(h.types()).toContain('ferry.alert.silence_expired.v1');
    expect(h.state.silences['sil-1']?.expired).toBe(true);
  });

  it('refuses to expire an unknown silence and records who expired a known one', () => {
    const h = new Harness();
    expect(h.send({ kind: 'expire_silence', id: 'nope', by: 'ops' })).toEqual({ ok: false, code: 'unknown_silence' });
    h.send({ kind: 'create_silence', id: 's', matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }], endsAt: T0 + 1e6, by: 'ops', comment: '' });
    expect(h.send({ kind: 'expire_silence', id: 's', by: 'alice' })).toEqual({ ok: true });
    expect(h.events.at(-1)).toMatchObject({ type: 'ferry.alert.silence_expired.v1', data: { silenceId: 's', by: 'alice' } });
  });

  it('refuses a silence without matchers', () => {
    const h = new Harness();
    expect(h.send({ kind: 'create_silence', id: 's', matchers: [], endsAt: T0 + 1, by: 'ops', comment: '' })).toEqual({ ok: false, code: 'empty_silence' });
  });
});

describe('escalation', () => {
  const escalating = config({ route: { receiver: 'chat', groupWaitMs: 1_000, groupIntervalMs: 5_000, escalation: [{ afterMs: 10_000, receiver: 'oncall' }] } });

  it('notifies the next level after its delay when nobody acknowledged', () => {
    const h = new Harness(escalating);
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    h.deliverAll();
    h.at(10_999);
    expect(h.outbox()).toHaveLength(0);
    h.at(11_000);
    expect(h.outbox().map((n) => [n.receiver, n.escalationLevel])).toEqual([['oncall', 1]]);
    h.deliverAll();
    h.at(30_000);
    expect(h.outbox()).toHaveLength(0);
  });

  it('stops escalating once acknowledged, and records who acknowledged', () => {
    const h = new Harness(escalating);
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    const groupKey = h.outbox()[0]!.groupKey;
    h.deliverAll();
    expect(h.send({ kind: 'acknowledge', groupKey, by: 'alice' })).toEqual({ ok: true });
    h.at(20_000);
    expect(h.outbox()).toHaveLength(0);
    expect(h.events.at(-1)).toMatchObject({ type: 'ferry.alert.acknowledged.v1', data: { groupKey, by: 'alice', fingerprints: [fingerprintOf({ alertname: 'ServiceDown', instance: 'a' })] } });
  });

  it('tells every level that was paged when the group resolves', () => {
    const h = new Harness(escalating);
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    h.deliverAll();
    h.at(11_000);
    h.deliverAll();
    h.now = T0 + 12_000;
    h.alert({ alertname: 'ServiceDown', instance: 'a' }, 'resolved');
    h.at(16_000);
    expect(h.outbox().map((n) => [n.receiver, n.escalationLevel, n.status]).sort()).toEqual([
      ['chat', 0, 'resolved'],
      ['oncall', 1, 'resolved'],
    ]);
  });

  it('refuses to acknowledge a group that does not exist', () => {
    expect(new Harness().send({ kind: 'acknowledge', groupKey: '0:{}', by: 'x' })).toEqual({ ok: false, code: 'unknown_group' });
  });
});

describe('delivery outcomes', () => {
  function pending() {
    const h = new Harness(config({ delivery: { initialBackoffMs: 1_000, maxBackoffMs: 8_000, giveUpAfterMs: 30_000 } }));
    h.alert({ alertname: 'ServiceDown', instance: 'a' });
    h.at(1_000);
    return { h, id: h.outbox()[0]!.id };
  }

  it('records a delivered notification with its attempts and removes it from the outbox', () => {
    const { h, id } = pending();
    h.send({ kind: 'delivery', id, result: { kind: 'transient', error: 'receiver answered 500', httpStatus: 500 }, jitter: 1 });
    h.send({ kind: 'delivery', id, result: { kind: 'delivered', httpStatus: 200 }, jitter: 0 });
    expect(h.state.outbox).toEqual({});
    expect(h.state.recent.at(-1)).toMatchObject({ id, outcome: 'delivered', attempts: 2, httpStatus: 200 });
    expect(h.events.at(-1)).toMatchObject({ type: 'ferry.alert.notification_delivered.v1', data: { notificationId: id, attempts: 2, httpStatus: 200 } });
  });

  it('backs off exponentially with jitter, honours Retry-After, and never retries a 4xx', () => {
    const { h, id } = pending();
    h.send({ kind: 'delivery', id, result: { kind: 'transient', error: 'e' }, jitter: 0.999 });
    expect(h.state.outbox[id]!.nextAttemptAt - h.now).toBe(1_000);
    h.send({ kind: 'delivery', id, result: { kind: 'transient', error: 'e' }, jitter: 0 });
    expect(h.state.outbox[id]!.nextAttemptAt - h.now).toBe(1_000); // 2000 × 50 %
    h.send({ kind: 'delivery', id, result: { kind: 'transient', error: '429', httpStatus: 429, retryAfterMs: 7_000 }, jitter: 0 });
    expect(h.state.outbox[id]!.nextAttemptAt - h.now).toBe(7_000);
    h.send({ kind: 'delivery', id, result: { kind: 'permanent', error: 'receiver refused the message with 400', httpStatus: 400 }, jitter: 0 });
    expect(h.state.outbox).toEqual({});
    expect(h.events.at(-1)).toMatchObject({ type: 'ferry.alert.notification_failed.v1', data: { httpStatus: 400, attempts: 4 } });
  });

  it('gives up after giveUpAfterMs and records the failure', () => {
    const { h, id } = pending();
    h.send({ kind: 'delivery', id, result: { kind: 'transient', error: 'e' }, jitter: 0 });
    h.now += 30_000;
    h.send({ kind: 'delivery', id, result: { kind: 'transient', error: 'receiver answered 503', httpStatus: 503 }, jitter: 0 });
    expect(h.state.outbox).toEqual({});
    expect(h.state.recent.at(-1)).toMatchObject({ outcome: 'failed' });
    expect(String(h.events.at(-1)?.data.error)).toContain('gave up after 2 attempts');
  });

  it('ignores a result for a notification that is no longer pending', () => {
    const { h, id } = pending();
    h.deliverAll();
    const before = h.state;
    h.send({ kind: 'delivery', id, result: { kind: 'delivered', httpStatus: 200 }, jitter: 0 });
    expect(h.state).toBe(before);
  });
});
