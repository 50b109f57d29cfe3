import { describe, expect, it } from 'vitest';
import { signActionToken, verifyActionToken } from '../src/domain/action-token.js';
import { AlertmanagerPayload, incomingAlerts, payloadDedupKey } from '../src/domain/alertmanager.js';
import { describeConfigIssue, RelayConfigSchema } from '../src/domain/config.js';
import { fingerprintOf, matcherMatches } from '../src/domain/labels.js';
import { buildMessage, runbookUrl } from '../src/domain/message.js';
import type { PendingNotification } from '../src/domain/model.js';
import { parseRetryAfter } from '../src/adapters/webhook.js';

const SECRET = 'x'.repeat(40);
const T0 = Date.parse('2026-11-22T10:00:00.000Z');

describe('labels', () => {
  it('gives the same fingerprint whatever the label order, and a different one for different labels', () => {
    expect(fingerprintOf({ a: '1', b: '2' })).toBe(fingerprintOf({ b: '2', a: '1' }));
    expect(fingerprintOf({ a: '1' })).not.toBe(fingerprintOf({ a: '2' }));
  });

  it('matches equality, negation and anchored regexes; a missing label is the empty string', () => {
    const labels = { service: 'ftp-gateway' };
    expect(matcherMatches({ name: 'service', value: 'ftp-gateway', isRegex: false, isEqual: true }, labels)).toBe(true);
    expect(matcherMatches({ name: 'service', value: 'ftp', isRegex: true, isEqual: true }, labels)).toBe(false);
    expect(matcherMatches({ name: 'service', value: 'ftp.*', isRegex: true, isEqual: true }, labels)).toBe(true);
    expect(matcherMatches({ name: 'service', value: 'auth', isRegex: false, isEqual: false }, labels)).toBe(true);
    expect(matcherMatches({ name: 'zone', value: '', isRegex: false, isEqual: true }, labels)).toBe(true);
  });
});

describe('action tokens', () => {
  const token = signActionToken({ action: 'ack', groupKey: '0:{alertname="X"}', exp: T0 + 1_000 }, SECRET);

  it('accepts a genuine token before it expires', () => {
    expect(verifyActionToken(token, SECRET, T0, 'ack')).toEqual({ ok: true, claims: { action: 'ack', groupKey: '0:{alertname="X"}', exp: T0 + 1_000 } });
  });

  it('refuses expired, forged, tampered, malformed and wrong-action tokens', () => {
    expect(verifyActionToken(token, SECRET, T0 + 1_000, 'ack')).toEqual({ ok: false, reason: 'expired' });
    expect(verifyActionToken(token, 'y'.repeat(40), T0, 'ack')).toEqual({ ok: false, reason: 'bad_signature' });
    const [, sig] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ action: 'ack', groupKey: 'other', exp: T0 + 1e9 })).toString('base64url')}.${sig}`;
    expect(verifyActionToken(forged, SECRET, T0, 'ack')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyActionToken('garbage', SECRET, T0, 'ack')).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyActionToken(token, SECRET, T0, 'silence')).toEqual({ ok: false, reason: 'wrong_action' });
  });
});

describe('Alertmanager payloads', () => {
  const payload = {
    version: '4',
    groupKey: '{}:{alertname="GatewayDown"}',
    status: 'firing',
    receiver: 'ferry-relay',
    groupLabels: { alertname: 'GatewayDown' },
    commonLabels: { alertname: 'GatewayDown' },
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: [{ status: 'firing', labels: { alertname: 'GatewayDown', severity: 'critical' }, annotations: { summary: 's' }, startsAt: '2026-11-22T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'abc123' }],
  };

  it('names the failing field of a malformed payload', () => {
    const bad = AlertmanagerPayload.safeParse({ ...payload, alerts: [{ ...payload.alerts[0], startsAt: 'yesterday' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path.join('.')).toBe('alerts.0.startsAt');
    expect(AlertmanagerPayload.safeParse({ ...payload, version: '3' }).error?.issues[0]?.path).toEqual(['version']);
  });

  it('gives the same dedup key for the same notification and another when a status changes', () => {
    const parsed = AlertmanagerPayload.parse(payload);
    expect(payloadDedupKey(parsed)).toBe(payloadDedupKey(AlertmanagerPayload.parse(structuredClone(payload))));
    const resolved = AlertmanagerPayload.parse({ ...payload, status: 'resolved', alerts: [{ ...payload.alerts[0], status: 'resolved' }] });
    expect(payloadDedupKey(resolved)).not.toBe(payloadDedupKey(parsed));
  });

  it('treats Alertmanager zero endsAt as not ended', () => {
    expect(incomingAlerts(AlertmanagerPayload.parse(payload))[0]).not.toHaveProperty('endsAt');
  });
});

describe('config', () => {
  it('names the field of a bad config and never quotes a webhook URL', () => {
    const bad = RelayConfigSchema.safeParse({ receivers: [{ name: 'chat', url: 'ftp://secret-host/hooks/TOKEN123' }], route: { receiver: 'chat' } });
    expect(bad.success).toBe(false);
    const text = describeConfigIssue(bad.error!);
    expect(text).toContain('receivers.0.url');
    expect(text).not.toContain('TOKEN123');
  });

  it('refuses a route to an unknown receiver, naming where', () => {
    const bad = RelayConfigSchema.safeParse({ receivers: [{ name: 'chat', url: 'https://x.test/h' }], route: { receiver: 'chat', routes: [{ receiver: 'pager' }] } });
    expect(describeConfigIssue(bad.error!)).toContain('route.routes.0.receiver: names receiver "pager"');
  });

  it('refuses an invalid regex matcher', () => {
    const bad = RelayConfigSchema.safeParse({ receivers: [], route: {}, inhibitRules: [{ sourceMatchers: [{ name: 'a', value: '(', isRegex: true }], targetMatchers: [{ name: 'b', value: 'c' }] }] });
    expect(describeConfigIssue(bad.error!)).toContain('inhibitRules.0.sourceMatchers.0.value');
  });

  it('fills defaults: the AllGatewaysDown inhibition and every watchdog rule', () => {
    const cfg = RelayConfigSchema.parse({ receivers: [], route: {} });
    expect(cfg.inhibitRules[0]?.sourceMatchers[0]).toMatchObject({ name: 'alertname', value: 'AllGatewaysDown' });
    expect(cfg.watchdog.serviceDown).toMatchObject({ enabled: true, thresholdMs: 30_000 });
    expect(cfg.watchdog.allGatewaysDown.severity).toBe('critical');
  });
});

describe('chat message', () => {
  const n: PendingNotification = {
    id: 'n-1',
    receiver: 'chat',
    groupKey: '0:{alertname="ServiceDown"}',
    groupLabels: { alertname: 'ServiceDown' },
    status: 'firing',
    alerts: [
      { fingerprint: 'f1', labels: { alertname: 'ServiceDown', severity: 'critical', service: 'auth', instance: 'auth-1' }, annotations: { summary: 'auth-1 silent' }, startsAt: T0, status: 'firing', origin: 'watchdog' },
      { fingerprint: 'f2', labels: { alertname: 'ServiceDown', severity: 'warning', service: 'session', instance: 's-1' }, annotations: {}, startsAt: T0, endsAt: T0 + 5, status: 'resolved', origin: 'watchdog' },
    ],
    escalationLevel: 0,
    createdAt: T0,
    attempts: 0,
    nextAttemptAt: T0,
  };
  const receiver = { name: 'chat', url: 'https://x.test/h', channel: 'ops', username: 'ferry', iconUrl: 'https://x.test/i.png', sendResolved: true };

  it('names the alert, severity, where and since, links the runbook, and colours by severity', () => {
    const msg = buildMessage(n, receiver, { runbookBaseUrl: 'https://docs.test/runbooks/', actionBaseUrl: 'http://relay:9205', tokens: { ack: 'A', silence: 'S' } });
    expect(msg).toMatchObject({ channel: 'ops', username: 'ferry', icon_url: 'https://x.test/i.png' });
    expect(msg.text).toContain('[FIRING:1 RESOLVED:1] ServiceDown');
    const [first, second] = msg.attachments;
    expect(first).toMatchObject({ color: '#d00000', title_link: 'https://docs.test/runbooks/ServiceDown.md' });
    expect(first?.fields).toEqual(expect.arrayContaining([{ title: 'Service', value: 'auth', short: true }, { title: 'Instance', value: 'auth-1', short: true }, { title: 'Since', value: '2026-11-22T10:00:00.000Z', short: true }]));
    expect(first?.actions?.map((a) => [a.name, a.integration.url, a.integration.context.token])).toEqual([
      ['Acknowledge', 'http://relay:9205/actions/ack', 'A'],
      ['Silence 1h', 'http://relay:9205/actions/silence', 'S'],
    ]);
    expect(second?.color).toBe('#2eb886');
    expect(runbookUrl('http://h/r', 'A B')).toBe('http://h/r/A%20B.md');
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('2', T0)).toBe(2_000);
    expect(parseRetryAfter(new Date(T0 + 3_000).toUTCString(), T0)).toBe(3_000);
    expect(parseRetryAfter('soon', T0)).toBeUndefined();
    expect(parseRetryAfter(null, T0)).toBeUndefined();
  });
});
