import { describe, expect, it } from 'vitest';
import { MemoryCatalog, planCatalog, type CatalogEntry } from '../src/domain/catalog.js';
import { loginOf } from '../src/domain/logins.js';
import { evolveSession, type SessionDoc } from '../src/domain/sessions.js';
import { evolveTransfer, type TransferDoc } from '../src/domain/transfers.js';
import type { AnomalyKind } from '../src/domain/anomalies.js';
import type { SessionEvent, TransferEvent, FsEvent } from '@ferry/contracts';
import * as f from './fixtures.js';

function foldTransfers(events: TransferEvent[]): { doc: TransferDoc | null; anomalies: AnomalyKind[] } {
  let doc: TransferDoc | null = null;
  const anomalies: AnomalyKind[] = [];
  for (const e of events) {
    const next = evolveTransfer(doc, e);
    doc = next.doc;
    anomalies.push(...next.anomalies);
  }
  return { doc, anomalies };
}

function foldSessions(events: SessionEvent[]): SessionDoc | null {
  return events.reduce<SessionDoc | null>((doc, e) => evolveSession(doc, e).doc, null);
}

function foldCatalog(events: (FsEvent | TransferEvent)[]): { entries: Pick<CatalogEntry, 'path' | 'kind' | 'size'>[]; anomalies: AnomalyKind[] } {
  const catalog = new MemoryCatalog();
  const anomalies: AnomalyKind[] = [];
  for (const e of events) {
    const plan = planCatalog(catalog, e);
    catalog.apply(plan.ops);
    anomalies.push(...plan.anomalies);
  }
  return { entries: catalog.list().map(({ path, kind, size }) => ({ path, kind, size })), anomalies };
}

describe('transfers projection', () => {
  it('a started transfer is recorded with every start field and status started', () => {
    const { doc } = foldTransfers([f.started({ transferId: 't1', path: '/a.bin', offset: 5 })]);
    expect(doc).toMatchObject({ transferId: 't1', path: '/a.bin', offset: 5, status: 'started', bytes: null, endedAt: null, protocol: 'ftps', mode: 'passive', gateway: 'gw-1' });
  });

  it('a completed transfer merges its end over its start', () => {
    const { doc } = foldTransfers([f.started({ transferId: 't1' }), f.completed({ transferId: 't1', bytes: 42, durationMs: 7, fileSize: 99 })]);
    expect(doc).toMatchObject({ status: 'completed', bytes: 42, durationMs: 7, fileSize: 99, partial: false, errorCode: null });
  });

  it('a failed transfer keeps its error code, message and partial flag', () => {
    const { doc } = foldTransfers([f.started({ transferId: 't1' }), f.failed({ transferId: 't1' }, 'ENOSPC')]);
    expect(doc).toMatchObject({ status: 'failed', partial: true, errorCode: 'ENOSPC', errorMessage: 'reset' });
  });

  it('an aborted transfer without an error has null error fields', () => {
    const { doc } = foldTransfers([f.aborted({ transferId: 't1' })]);
    expect(doc).toMatchObject({ status: 'aborted', partial: false, errorCode: null, errorMessage: null });
  });

  it('an end that arrives before its start makes a full row, and the late start does not undo it', () => {
    const { doc, anomalies } = foldTransfers([f.completed({ transferId: 't1', bytes: 3 }), f.started({ transferId: 't1' })]);
    expect(doc).toMatchObject({ status: 'completed', bytes: 3, username: 'alice' });
    expect(anomalies).toEqual(['late_start']);
  });

  it('a second, different end is counted and the first end is kept', () => {
    const { doc, anomalies } = foldTransfers([f.failed({ transferId: 't1' }), f.completed({ transferId: 't1' })]);
    expect(doc?.status).toBe('failed');
    expect(anomalies).toEqual(['conflicting_end']);
  });
});

describe('sessions projection', () => {
  it('an opened session is open with its protocol and open time', () => {
    expect(foldSessions([f.sessionOpened('s1')])).toMatchObject({ sessionId: 's1', status: 'open', protocol: 'ftp', openedAt: '2026-11-22T09:00:00.000Z' });
  });

  it('a closed session records its reason, duration and close time', () => {
    expect(foldSessions([f.sessionOpened('s1'), f.sessionClosed('s1')])).toMatchObject({ status: 'closed', reason: 'quit', durationMs: 1_800_000, endedAt: '2026-11-22T09:30:00.000Z' });
  });

  it('an expired session ends at its last-seen time', () => {
    expect(foldSessions([f.sessionOpened('s1'), f.sessionExpired('s1')])).toMatchObject({ status: 'expired', endedAt: '2026-11-22T09:20:00.000Z' });
  });

  it('a kicked session records who kicked it, and its later close wins', () => {
    expect(foldSessions([f.sessionOpened('s1'), f.sessionKicked('s1')])).toMatchObject({ status: 'kicked', kickedBy: 'api:admin', reason: 'maintenance' });
    expect(foldSessions([f.sessionOpened('s1'), f.sessionKicked('s1'), f.sessionClosed('s1')])).toMatchObject({ status: 'closed', kickedBy: 'api:admin' });
  });

  it('a refused connection is a session with status refused', () => {
    expect(foldSessions([f.sessionRefused('s9')])).toMatchObject({ status: 'refused', reason: 'banned', clientIp: '198.51.100.9', username: null });
  });

  it('a late opened event fills the open time but never reopens a closed session', () => {
    expect(foldSessions([f.sessionClosed('s1'), f.sessionOpened('s1')])).toMatchObject({ status: 'closed', openedAt: '2026-11-22T09:00:00.000Z', protocol: 'ftp' });
  });
});

describe('logins projection', () => {
  it('a successful login is one row with outcome succeeded and the cache flag', () => {
    const e = f.loginOk('alice');
    expect(loginOf(e)).toEqual({ eventId: e.id, at: '2026-11-22T09:00:00.000Z', username: 'alice', clientIp: '203.0.113.7', gateway: 'gw-1', sessionId: e.data.sessionId, outcome: 'succeeded', reason: null, cached: false });
  });

  it('a failed login keeps the attempted name and the reason', () => {
    expect(loginOf(f.loginBad('root'))).toMatchObject({ outcome: 'failed', username: 'root', reason: 'bad_password', cached: null, clientIp: '198.51.100.9' });
  });
});

describe('file catalog', () => {
  it('an upload puts the file with its size, time and uploader', () => {
    const catalog = new MemoryCatalog();
    catalog.apply(planCatalog(catalog, f.mkdir('/r')).ops);
    catalog.apply(planCatalog(catalog, f.completed({ path: '/r/a.csv', bytes: 10, offset: 5, transferId: 'tx' })).ops);
    expect(catalog.get('alice', '/r/a.csv')).toMatchObject({ kind: 'file', size: 15, modifiedAt: '2026-11-22T10:00:02.500Z', lastUploader: 'alice', lastTransferId: 'tx' });
  });

  it('a reported file size wins over offset plus bytes', () => {
    expect(foldCatalog([f.completed({ path: '/a', bytes: 10, fileSize: 7 })]).entries).toEqual([{ path: '/a', kind: 'file', size: 7 }]);
  });

  it('a download, a failed and an aborted upload leave the catalog unchanged', () => {
    const { entries, anomalies } = foldCatalog([f.completed({ path: '/a', direction: 'download' }), f.failed({ path: '/b' }), f.aborted({ path: '/c' }), f.started({ path: '/d' })]);
    expect(entries).toEqual([]);
    expect(anomalies).toEqual(['download_unknown_file']);
  });

  it('an upload into a folder that was never created adds the folders and counts it', () => {
    const { entries, anomalies } = foldCatalog([f.completed({ path: '/x/y/z.txt', bytes: 1 })]);
    expect(entries).toEqual([
      { path: '/x', kind: 'dir', size: null },
      { path: '/x/y', kind: 'dir', size: null },
      { path: '/x/y/z.txt', kind: 'file', size: 1 },
    ]);
    expect(anomalies).toEqual(['parent_unknown']);
  });

  it('mkdir of an existing folder is counted and changes nothing', () => {
    expect(foldCatalog([f.mkdir('/r'), f.mkdir('/r')])).toEqual({ entries: [{ path: '/r', kind: 'dir', size: null }], anomalies: ['already_exists'] });
  });

  it('delete removes a file; delete of a missing file is counted, not thrown', () => {
    expect(foldCatalog([f.completed({ path: '/a', bytes: 1 }), f.del('/a'), f.del('/nope')])).toEqual({ entries: [], anomalies: ['missing_path'] });
  });

  it('rmdir of a folder removes everything below it, and not its look-alike neighbour', () => {
    const { entries } = foldCatalog([f.mkdir('/r'), f.completed({ path: '/r/a', bytes: 1 }), f.mkdir('/r/sub'), f.completed({ path: '/r/sub/b', bytes: 2 }), f.completed({ path: '/rx', bytes: 3 }), f.rmdir('/r')]);
    expect(entries).toEqual([{ path: '/rx', kind: 'file', size: 3 }]);
  });

  it('rmdir of a missing folder and delete of a folder are counted', () => {
    expect(foldCatalog([f.rmdir('/none')]).anomalies).toEqual(['missing_path']);
    expect(foldCatalog([f.mkdir('/d'), f.del('/d')])).toEqual({ entries: [], anomalies: ['kind_mismatch'] });
  });

  it('a file rename moves the entry and keeps its size and uploader', () => {
    const { entries } = foldCatalog([f.completed({ path: '/a', bytes: 4 }), f.rename('/a', '/b', false)]);
    expect(entries).toEqual([{ path: '/b', kind: 'file', size: 4 }]);
  });

  it('a folder rename moves every child, and a look-alike neighbour stays', () => {
    const { entries, anomalies } = foldCatalog([
      f.mkdir('/r'),
      f.completed({ path: '/r/a', bytes: 1 }),
      f.mkdir('/r/s'),
      f.completed({ path: '/r/s/b', bytes: 2 }),
      f.completed({ path: '/r2', bytes: 9 }),
      f.mkdir('/archive'),
      f.rename('/r', '/archive/r', true),
    ]);
    expect(entries).toEqual([
      { path: '/archive', kind: 'dir', size: null },
      { path: '/archive/r', kind: 'dir', size: null },
      { path: '/archive/r/a', kind: 'file', size: 1 },
      { path: '/archive/r/s', kind: 'dir', size: null },
      { path: '/archive/r/s/b', kind: 'file', size: 2 },
      { path: '/r2', kind: 'file', size: 9 },
    ]);
    expect(anomalies).toEqual([]);
  });

  it('a rename onto an existing path replaces it', () => {
    expect(foldCatalog([f.completed({ path: '/a', bytes: 1 }), f.completed({ path: '/b', bytes: 2 }), f.rename('/a', '/b', false)]).entries).toEqual([{ path: '/b', kind: 'file', size: 1 }]);
  });

  it('a rename of a missing path records the target with an unknown size and counts it', () => {
    expect(foldCatalog([f.rename('/ghost', '/new/ghost', false)])).toEqual({
      entries: [
        { path: '/new', kind: 'dir', size: null },
        { path: '/new/ghost', kind: 'file', size: null },
      ],
      anomalies: ['parent_unknown', 'missing_path'],
    });
  });

  it('homes of different users are separate catalogs', () => {
    const catalog = new MemoryCatalog();
    for (const e of [f.completed({ path: '/a', username: 'alice' }), f.completed({ path: '/a', username: 'bob' }), f.del('/a', 'alice')]) catalog.apply(planCatalog(catalog, e).ops);
    expect(catalog.list().map((entry) => `${entry.username}:${entry.path}`)).toEqual(['bob:/a']);
  });
});
