/** The hand-checked dataset the API tests query: every expectation in api.int.test.ts is computed from this table by hand. */
import type { ActivityEvent } from '@ferry/contracts';
import * as f from './fixtures.js';

interface Row {
  id: string;
  user: string;
  direction: 'upload' | 'download';
  path: string;
  bytes: number;
  durationMs: number;
  gateway: string;
  ip: string;
  start: string;
  end: 'completed' | 'failed' | 'aborted' | null;
}

export const TRANSFERS: Row[] = [
  { id: 't01', user: 'alice', direction: 'upload', path: '/reports/a.csv', bytes: 1000, durationMs: 1000, gateway: 'gw-1', ip: '10.1.0.5', start: '2026-11-01T10:00:00.000Z', end: 'completed' },
  { id: 't02', user: 'alice', direction: 'download', path: '/reports/a.csv', bytes: 2000, durationMs: 500, gateway: 'gw-2', ip: '10.1.0.6', start: '2026-11-01T11:00:00.000Z', end: 'completed' },
  { id: 't03', user: 'bob', direction: 'upload', path: '/data/x.bin', bytes: 5000, durationMs: 2000, gateway: 'gw-1', ip: '192.168.1.9', start: '2026-11-02T09:00:00.000Z', end: 'completed' },
  { id: 't04', user: 'bob', direction: 'upload', path: '/data/y.bin', bytes: 300, durationMs: 100, gateway: 'gw-2', ip: '192.168.1.9', start: '2026-11-02T09:30:00.000Z', end: 'failed' },
  { id: 't05', user: 'carol', direction: 'download', path: '/reports/a.csv', bytes: 4000, durationMs: 4000, gateway: 'gw-1', ip: '2001:db8::7', start: '2026-11-03T12:00:00.000Z', end: 'completed' },
  { id: 't06', user: 'alice', direction: 'upload', path: '/reports/b.csv', bytes: 0, durationMs: 10, gateway: 'gw-1', ip: '10.1.0.5', start: '2026-11-03T13:00:00.000Z', end: 'aborted' },
  { id: 't07', user: 'alice', direction: 'upload', path: '/big/z.iso', bytes: 0, durationMs: 0, gateway: 'gw-1', ip: '10.1.0.5', start: '2026-11-04T08:00:00.000Z', end: null },
];

export function transferEvents(row: Row): ActivityEvent[] {
  const endedAt = new Date(Date.parse(row.start) + row.durationMs).toISOString();
  const spec = { transferId: row.id, username: row.user, direction: row.direction, path: row.path, bytes: row.bytes, durationMs: row.durationMs, gateway: row.gateway, clientIp: row.ip, endedAt };
  const start = f.started(spec);
  switch (row.end) {
    case null:
      return [start];
    case 'completed':
      return [start, f.completed(spec)];
    case 'failed':
      return [start, f.failed(spec)];
    case 'aborted':
      return [start, f.aborted(spec)];
  }
}

export function dataset(): ActivityEvent[] {
  return [
    f.loginOk('alice', '2026-11-01T09:59:00.000Z'),
    f.loginBad('root', '198.51.100.9', '2026-11-01T09:59:30.000Z'),
    f.loginOk('bob', '2026-11-02T08:59:00.000Z'),
    f.sessionOpened('s1', '2026-11-01T09:59:00.000Z'),
    f.sessionOpened('s2', '2026-11-02T08:59:00.000Z'),
    f.sessionRefused('s3', '2026-11-02T10:00:00.000Z'),
    f.mkdir('/reports', 'alice', '2026-11-01T09:59:30.000Z'),
    ...TRANSFERS.flatMap(transferEvents),
    f.rename('/reports/a.csv', '/reports/final.csv', false, 'alice', '2026-11-04T09:00:00.000Z'),
    f.sessionClosed('s1', '2026-11-04T10:00:00.000Z'),
  ];
}
