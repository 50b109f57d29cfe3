import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bus } from '@ferry/bus';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { dataset, transferEvents } from './dataset.js';
import { ADMIN_TOKEN, publishAll, startIndexer, testBus, type IndexerHandle, removeStateDirs } from './harness.js';
import * as f from './fixtures.js';

let nats: NatsServerHandle;
let bus: Bus;
let indexer: IndexerHandle;

async function waitForTransfer(id: string): Promise<void> {
  await vi.waitFor(
    async () => {
      if ((await indexer.get(`/transfers/${id}`)).status !== 200) throw new Error(`transfer ${id} not projected yet`);
    },
    { timeout: 15_000, interval: 50 },
  );
}

const ids = async (query: string): Promise<string[]> => (await indexer.json<{ items: { transferId: string }[] }>(`/transfers?${query}`)).items.map((t) => t.transferId);

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  indexer = await startIndexer(nats.url);
  await publishAll(bus, dataset());
  await publishAll(bus, [f.completed({ transferId: 'sentinel', username: 'zed', endedAt: '2020-01-01T00:00:00.000Z', path: '/s' })]);
  await waitForTransfer('sentinel');
  // The sentinel is older than every dataset row: remove it from every expectation below by filtering from 2026.
});

afterAll(async () => {
  await indexer?.stop();
  await bus?.close();
  await nats?.stop();
  removeStateDirs();
});

const Y = 'from=2026-01-01T00:00:00Z';

describe('GET /transfers filters', () => {
  it('without filters lists every transfer, newest start first', async () => {
    expect(await ids(Y)).toEqual(['t07', 't06', 't05', 't04', 't03', 't02', 't01']);
  });
  it('filters by user', async () => expect(await ids(`${Y}&user=alice`)).toEqual(['t07', 't06', 't02', 't01']));
  it('filters by a time range, from inclusive and to exclusive', async () =>
    expect(await ids('from=2026-11-02T00:00:00Z&to=2026-11-03T12:00:00Z')).toEqual(['t04', 't03']));
  it('filters by direction', async () => expect(await ids(`${Y}&direction=download`)).toEqual(['t05', 't02']));
  it('filters by status, including transfers still running', async () => {
    expect(await ids(`${Y}&status=failed`)).toEqual(['t04']);
    expect(await ids(`${Y}&status=started`)).toEqual(['t07']);
  });
  it('filters by path prefix', async () => expect(await ids(`${Y}&pathPrefix=/reports/`)).toEqual(['t06', 't05', 't02', 't01']));
  it('filters by gateway', async () => expect(await ids(`${Y}&gateway=gw-2`)).toEqual(['t04', 't02']));
  it('filters by client address and by IPv4 and IPv6 CIDR', async () => {
    expect(await ids(`${Y}&client=192.168.1.9`)).toEqual(['t04', 't03']);
    expect(await ids(`${Y}&client=10.1.0.0/16`)).toEqual(['t07', 't06', 't02', 't01']);
    expect(await ids(`${Y}&client=${encodeURIComponent('2001:db8::/32')}`)).toEqual(['t05']);
  });
  it('filters by minimum and maximum bytes', async () => expect(await ids(`${Y}&minBytes=1000&maxBytes=4000`)).toEqual(['t05', 't02', 't01']));
  it('sorts oldest first with order=asc and combines filters', async () => expect(await ids(`${Y}&order=asc&user=alice&direction=upload`)).toEqual(['t01', 't06', 't07']));
  it('returns one transfer with every field by id, and 404 for an unknown id', async () => {
    expect(await indexer.json('/transfers/t04')).toMatchObject({
      transferId: 't04', username: 'bob', direction: 'upload', path: '/data/y.bin', status: 'failed', bytes: 300, durationMs: 100, partial: true,
      errorCode: 'ECONNRESET', errorMessage: 'reset', gateway: 'gw-2', clientIp: '192.168.1.9', protocol: 'ftps', mode: 'passive', offset: 0,
      startedAt: '2026-11-02T09:30:00.000Z', endedAt: '2026-11-02T09:30:00.100Z',
    });
    expect((await indexer.get('/transfers/nope')).status).toBe(404);
  });
});

describe('pagination', () => {
  it('a cursor walk stays stable while newer and older transfers arrive', async () => {
    const first = await indexer.json<{ items: { transferId: string }[]; nextCursor: string }>(`/transfers?${Y}&limit=2`);
    expect(first.items.map((t) => t.transferId)).toEqual(['t07', 't06']);
    const newer = { id: 't08', user: 'dave', direction: 'upload' as const, path: '/n', bytes: 1, durationMs: 1, gateway: 'gw-1', ip: '10.9.9.9', start: '2026-11-05T00:00:00.000Z', end: 'completed' as const };
    const older = { ...newer, id: 't00', start: '2026-10-31T00:00:00.000Z' };
    await publishAll(bus, [...transferEvents(newer), ...transferEvents(older)]);
    await waitForTransfer('t00');
    const seen = first.items.map((t) => t.transferId);
    let cursor: string | null = first.nextCursor;
    while (cursor !== null) {
      const page: { items: { transferId: string }[]; nextCursor: string | null } = await indexer.json(`/transfers?${Y}&limit=2&cursor=${cursor}`);
      seen.push(...page.items.map((t) => t.transferId));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['t07', 't06', 't05', 't04', 't03', 't02', 't01', 't00']);
    expect(await ids(`${Y}&limit=1`)).toEqual(['t08']);
  });

  it('a cursor made for one order is refused for the other', async () => {
    const first = await indexer.json<{ nextCursor: string }>(`/transfers?${Y}&limit=1`);
    const response = await indexer.get(`/transfers?${Y}&limit=1&order=asc&cursor=${first.nextCursor}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'QUERY_INVALID_PARAM', field: 'cursor' } });
  });
});

describe('files, history, sessions and logins', () => {
  it('the catalog shows current files with size and uploader, renames applied', async () => {
    const page = await indexer.json<{ items: unknown[] }>('/files?user=alice&prefix=/reports');
    expect(page.items).toEqual([
      expect.objectContaining({ path: '/reports', kind: 'dir' }),
      expect.objectContaining({ path: '/reports/final.csv', kind: 'file', size: 1000, lastUploader: 'alice', lastTransferId: 't01', modifiedAt: '2026-11-01T10:00:01.000Z' }),
    ]);
  });
  it('the history of a path lists every event that named it, in order', async () => {
    const page = await indexer.json<{ items: { type: string }[] }>('/files/history?user=alice&path=/reports/a.csv');
    expect(page.items.map((e) => e.type)).toEqual(['ferry.transfer.started.v1', 'ferry.transfer.completed.v1', 'ferry.transfer.started.v1', 'ferry.transfer.completed.v1', 'ferry.fs.rename.v1']);
  });
  it('sessions list open, closed and refused sessions, filterable by status', async () => {
    const all = await indexer.json<{ items: { sessionId: string; status: string }[] }>(`/sessions?${Y}`);
    expect(all.items.map((s) => [s.sessionId, s.status])).toEqual([['s3', 'refused'], ['s2', 'open'], ['s1', 'closed']]);
    expect((await indexer.json<{ items: unknown[] }>('/sessions?status=open')).items).toHaveLength(1);
  });
  it('logins include failures with their reason', async () => {
    const failed = await indexer.json<{ items: unknown[] }>('/logins?outcome=failed');
    expect(failed.items).toEqual([expect.objectContaining({ username: 'root', outcome: 'failed', reason: 'bad_password', clientIp: '198.51.100.9' })]);
    expect((await indexer.json<{ items: unknown[] }>(`/logins?${Y}`)).items).toHaveLength(3);
  });
});

describe('authentication', () => {
  it('refuses a missing, a wrong and the admin token with 401', async () => {
    for (const token of [null, 'x'.repeat(40), ADMIN_TOKEN]) {
      const response = await indexer.get('/transfers', token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(await response.json()).toMatchObject({ error: { code: 'QUERY_UNAUTHORIZED' } });
    }
  });
  it('serves the OpenAPI document without a token, listing every route', async () => {
    const response = await indexer.get('/openapi.json', null);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    const transfers = (document.paths['/transfers'] as { get: { parameters: { name: string }[]; responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> } }).get;
    expect(transfers.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['user', 'from', 'to', 'direction', 'status', 'pathPrefix', 'gateway', 'client', 'minBytes', 'maxBytes', 'limit', 'cursor', 'order']));
    expect(Object.keys(transfers.responses['200']!.content['application/json']!.schema.properties)).toEqual(['items', 'nextCursor']);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/transfers', '/transfers/{id}', '/transfers/export', '/files', '/files/history', '/sessions', '/logins', '/stats/transfers', '/stats/percentiles', '/stats/top-files']));
  });
});

describe('bad parameters', () => {
  const cases: [string, string][] = [
    ['/transfers?from=yesterday', 'from'],
    ['/transfers?to=2026-13-01T00:00:00Z', 'to'],
    ['/transfers?direction=sideways', 'direction'],
    ['/transfers?status=lost', 'status'],
    ['/transfers?pathPrefix=reports', 'pathPrefix'],
    ['/transfers?client=10.0.0.0/33', 'client'],
    ['/transfers?client=not-an-ip', 'client'],
    ['/transfers?minBytes=-1', 'minBytes'],
    ['/transfers?maxBytes=1e3', 'maxBytes'],
    ['/transfers?limit=0', 'limit'],
    ['/transfers?limit=1001', 'limit'],
    ['/transfers?order=up', 'order'],
    ['/transfers?cursor=!!', 'cursor'],
    ['/transfers?cursor=bm90LWpzb24', 'cursor'],
    ['/transfers?usr=alice', 'usr'],
    ['/transfers?user=a&user=b', 'user'],
    ['/files/history', 'path'],
    ['/sessions?status=zombie', 'status'],
    ['/logins?outcome=maybe', 'outcome'],
    ['/stats/transfers?groupBy=week', 'groupBy'],
    ['/stats/top-files?by=size', 'by'],
    ['/transfers/export?format=xml', 'format'],
  ];
  it.each(cases)('%s is refused with 400 naming %s', async (path, field) => {
    const response = await indexer.get(path);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; field: string; message: string } };
    expect(body.error).toMatchObject({ code: 'QUERY_INVALID_PARAM', field });
    expect(body.error.message.startsWith(`${field}: `)).toBe(true);
  });
});
