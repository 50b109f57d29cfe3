/**
 * Valid example data for every event type and request: used by this library's
 * schema tests and by other projects' tests that need realistic events.
 */
import type { z } from 'zod';
import type { EventDefinition } from './events/define.js';
import type { FerryEventType } from './registry.js';

const session = { sessionId: '0193a6c2-7d1e-7000-8000-000000000001', username: 'alice', clientIp: '203.0.113.7', gateway: 'gw-1' };
const profile = {
  home: 'alice',
  permissions: { read: true, write: true, delete: true, mkdir: true, rename: true },
  maxSessions: 3,
  allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'],
};
const hash = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';
const t0 = '2026-11-22T10:00:00.000Z';
const t1 = '2026-11-22T10:00:02.500Z';
const transfer = { ...session, transferId: '0193a6c2-7d1e-7000-8000-0000000000aa', protocol: 'ftps', mode: 'passive', direction: 'upload', path: '/reports/q3 "final".csv', offset: 0, startedAt: t0 };
const ended = { ...transfer, bytes: 1_048_576, durationMs: 2_500, endedAt: t1 };
const alert = { fingerprint: 'a1b2c3d4', alertname: 'ServiceDown', severity: 'critical', labels: { service: 'ftp-gateway', instance: 'gw-1' } };
const notification = { notificationId: 'n-1', receiver: 'oncall-chat', groupKey: '{}:{alertname="ServiceDown"}', status: 'firing', fingerprints: ['a1b2c3d4'], escalationLevel: 0, attempts: 1 };

export const exampleEventData: Record<FerryEventType, unknown> = {
  'ferry.user.created.v1': { username: 'alice', passwordHash: hash, profile, by: 'cli:root' },
  'ferry.user.password_changed.v1': { username: 'alice', passwordHash: hash, by: 'api:admin' },
  'ferry.user.profile_changed.v1': { username: 'alice', changes: { maxSessions: 5 }, by: 'api:admin' },
  'ferry.user.disabled.v1': { username: 'alice', reason: 'left the company', by: 'api:admin' },
  'ferry.user.enabled.v1': { username: 'alice', by: 'api:admin' },
  'ferry.user.deleted.v1': { username: 'alice', by: 'api:admin' },
  'ferry.auth.login.succeeded.v1': { ...session, cached: false },
  'ferry.auth.login.failed.v1': { ...session, username: 'root', reason: 'unknown_user' },
  'ferry.session.opened.v1': { ...session, protocol: 'ftp', openedAt: t0 },
  'ferry.session.closed.v1': { ...session, reason: 'quit', durationMs: 60_000, closedAt: t1 },
  'ferry.session.expired.v1': { ...session, lastSeenAt: t0 },
  'ferry.session.kicked.v1': { ...session, by: 'api:admin', reason: 'maintenance' },
  'ferry.session.refused.v1': { sessionId: session.sessionId, clientIp: '198.51.100.9', gateway: 'gw-1', reason: 'banned' },
  'ferry.transfer.started.v1': transfer,
  'ferry.transfer.completed.v1': { ...ended, status: 'completed', fileSize: 1_048_576 },
  'ferry.transfer.failed.v1': { ...ended, status: 'failed', partial: true, error: { code: 'ECONNRESET', message: 'data connection reset by client' } },
  'ferry.transfer.aborted.v1': { ...ended, status: 'aborted', partial: true },
  'ferry.fs.mkdir.v1': { ...session, at: t0, path: '/reports' },
  'ferry.fs.rmdir.v1': { ...session, at: t0, path: '/reports' },
  'ferry.fs.delete.v1': { ...session, at: t0, path: '/reports/old.csv', bytes: 42 },
  'ferry.fs.rename.v1': { ...session, at: t0, from: '/reports', to: '/archive/reports', isDirectory: true },
  'ferry.health.heartbeat.v1': {
    service: 'ftp-gateway',
    instance: 'gw-1',
    status: 'ready',
    startedAt: t0,
    intervalMs: 5_000,
    version: '0.1.0',
    load: { sessions: 12, capacity: 1000, activeTransfers: 3, eventBufferDepth: 0, eventBufferCapacity: 10_000 },
  },
  'ferry.health.stopped.v1': { service: 'auth', instance: 'auth-1', reason: 'SIGTERM', stoppedAt: t1 },
  'ferry.alert.fired.v1': { ...alert, annotations: { summary: 'gw-1 is silent' }, startsAt: t0, origin: 'watchdog' },
  'ferry.alert.resolved.v1': { ...alert, startsAt: t0, endsAt: t1 },
  'ferry.alert.acknowledged.v1': { groupKey: notification.groupKey, fingerprints: ['a1b2c3d4'], by: 'mattermost:jdoe', at: t1 },
  'ferry.alert.silenced.v1': { silenceId: 's-1', matchers: [{ name: 'alertname', value: 'ServiceDown', isRegex: false, isEqual: true }], startsAt: t0, endsAt: t1, by: 'jdoe', comment: 'maintenance' },
  'ferry.alert.silence_expired.v1': { silenceId: 's-1', at: t1 },
  'ferry.alert.notification_delivered.v1': { ...notification, httpStatus: 200, deliveredAt: t1 },
  'ferry.alert.notification_failed.v1': { ...notification, attempts: 9, httpStatus: 500, error: 'HTTP 500', failedAt: t1 },
  'ferry.dlq.recorded.v1': {
    consumer: 'storage-indexer',
    stream: 'FERRY_ACTIVITY',
    subject: 'ferry.evt.transfer.completed',
    streamSequence: 42,
    deliveryCount: 1,
    reason: { code: 'EVENT_INVALID_DATA', message: 'data.bytes: expected number', field: 'data.bytes' },
    payload: '{}',
    payloadTruncated: false,
    recordedAt: t1,
  },
};

/** Example data for one definition, typed for createEvent. */
export function exampleDataFor<D extends EventDefinition>(definition: D): z.input<D['data']> {
  return structuredClone(exampleEventData[definition.type as FerryEventType]) as z.input<D['data']>;
}
