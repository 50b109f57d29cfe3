import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActivityEvent, FsEvent, TransferEvent } from '@ferry/contracts';
import { ProjectionStore, type BatchItem } from '../src/adapters/projection-store.js';
import { listFiles } from '../src/adapters/other-queries.js';
import { MemoryCatalog, planCatalog } from '../src/domain/catalog.js';
import * as f from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-indexer-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newStore = () => new ProjectionStore(join(dir, `store-${++n}.sqlite`));

/** A realistic morning: logins, sessions, folders, uploads, a folder rename, deletes, out-of-order events. */
function scenario(): ActivityEvent[] {
  return [
    f.loginOk('alice'),
    f.loginBad('root'),
    f.sessionOpened('s1'),
    f.mkdir('/in'),
    f.started({ transferId: 'a1', path: '/in/a.csv' }),
    f.completed({ transferId: 'a1', path: '/in/a.csv', bytes: 100 }),
    f.completed({ transferId: 'a2', path: '/in/deep/b.csv', bytes: 50 }),
    f.failed({ transferId: 'a3', path: '/in/c.csv' }),
    f.mkdir('/archive'),
    f.rename('/in', '/archive/in', true),
    f.del('/archive/in/a.csv'),
    f.del('/never/there'),
    f.rename('/ghost', '/ghost2', false),
    f.completed({ transferId: 'a4', path: '/archive/in/deep/b.csv', direction: 'download', bytes: 50 }),
    f.sessionClosed('s1'),
  ];
}

function dump(store: ProjectionStore) {
  const all = (sql: string) => store.db.prepare(sql).all();
  return {
    transfers: all('SELECT * FROM transfers ORDER BY transfer_id'),
    rollup: all('SELECT * FROM transfer_rollup ORDER BY 1, 2, 3, 4, 5'),
    files: all('SELECT * FROM files ORDER BY username, path'),
    sessions: all('SELECT * FROM sessions ORDER BY session_id'),
    logins: all('SELECT * FROM logins ORDER BY event_id'),
    history: all('SELECT * FROM path_events ORDER BY 1, 2, 3, 4'),
    anomalies: store.anomalies(),
  };
}

describe('projection store (SQLite)', () => {
  it('an event applied twice is applied once and reported as a duplicate', () => {
    const store = newStore();
    const e = f.completed({ transferId: 'x1', bytes: 7 });
    expect(store.apply(e, 1)).toBe('applied');
    expect(store.apply(e, 2)).toBe('duplicate');
    expect(store.db.prepare('SELECT count(*) AS n, sum(transfers) AS t FROM transfer_rollup').get()).toEqual({ n: 1, t: 1 });
    expect(store.position()).toMatchObject({ streamSeq: 2, appliedEvents: 1 });
    store.close();
  });

  it('a replayed stream gives exactly the same projections as the first pass', () => {
    const events = scenario();
    const store = newStore();
    events.forEach((e, i) => store.apply(e, i + 1));
    const once = dump(store);
    events.forEach((e, i) => store.apply(e, i + 1));
    expect(dump(store)).toEqual(once);
    const fresh = newStore();
    events.forEach((e, i) => fresh.apply(e, i + 1));
    expect(dump(fresh)).toEqual(once);
    store.close();
    fresh.close();
  });

  it('the SQL catalog holds exactly what the in-memory reference catalog holds', () => {
    const events = scenario();
    const store = newStore();
    const memory = new MemoryCatalog();
    events.forEach((e, i) => {
      store.apply(e, i + 1);
      if (e.type.startsWith('ferry.fs.') || e.type.startsWith('ferry.transfer.')) memory.apply(planCatalog(memory, e as FsEvent | TransferEvent).ops);
    });
    expect(listFiles(store.db, { limit: 1000 }).items).toEqual(memory.list());
    expect(memory.list().map((entry) => entry.path)).toEqual(['/archive', '/archive/in', '/archive/in/deep', '/archive/in/deep/b.csv', '/ghost2']);
    store.close();
  });

  it('out-of-order and unknown-path events are counted by kind', () => {
    const store = newStore();
    scenario().forEach((e, i) => store.apply(e, i + 1));
    expect(store.anomalies()).toEqual({ missing_path: 2, parent_unknown: 1 });
    store.close();
  });

  it('a batch gives the same projections and position as its events applied one by one, duplicates and skips included', () => {
    const events = scenario();
    const items: BatchItem[] = [...events.map((event, i) => ({ event, seq: i + 1 })), { seq: events.length + 1 }, { event: events[4]!, seq: events.length + 2 }];
    const batched = newStore();
    expect(batched.applyBatch(items).slice(-2)).toEqual(['skipped', 'duplicate']);
    const single = newStore();
    for (const item of items) {
      if (item.event === undefined) single.skip(item.seq);
      else single.apply(item.event, item.seq);
    }
    expect(dump(batched)).toEqual(dump(single));
    expect(batched.position()).toEqual(single.position());
    expect(batched.position()).toMatchObject({ streamSeq: events.length + 2, appliedEvents: events.length });
    batched.close();
    single.close();
  });

  it('a rename onto itself names its path once in the history', () => {
    const store = newStore();
    store.apply(f.mkdir('/same'), 1);
    store.apply(f.rename('/same', '/same', true), 2);
    expect(store.db.prepare("SELECT stream_seq FROM path_events WHERE path = '/same' ORDER BY stream_seq").pluck().all()).toEqual([1, 2]);
    store.close();
  });

  it('skipping a message moves the position without applying anything', () => {
    const store = newStore();
    store.skip(5);
    expect(store.position()).toEqual({ streamSeq: 5, eventTime: null, appliedEvents: 0 });
    store.close();
  });
});
