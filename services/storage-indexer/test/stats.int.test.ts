import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bus } from '@ferry/bus';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { dataset } from './dataset.js';
import { publishAll, startIndexer, testBus, type IndexerHandle, removeStateDirs } from './harness.js';
import * as f from './fixtures.js';

let nats: NatsServerHandle;
let bus: Bus;
let indexer: IndexerHandle;

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  indexer = await startIndexer(nats.url);
  await publishAll(bus, dataset());
  await vi.waitFor(
    async () => {
      if ((await indexer.get('/sessions?status=closed')).status !== 200 || (await indexer.json<{ items: unknown[] }>('/sessions?status=closed')).items.length !== 1) throw new Error('not caught up');
    },
    { timeout: 15_000, interval: 50 },
  );
});

afterAll(async () => {
  await indexer?.stop();
  await bus?.close();
  await nats?.stop();
  removeStateDirs();
});

type StatsRow = { key: string | null; transfers: number; bytes: number; completed: number; failed: number; aborted: number; failureRate: number | null; durationMs: number };
const stats = async (query: string) => (await indexer.json<{ rows: StatsRow[] }>(`/stats/transfers?${query}`)).rows;
const brief = (rows: StatsRow[]) => rows.map((r) => [r.key, r.transfers, r.bytes]);

// Ended transfers of the dataset (t07 is still running and is not counted):
// t01 alice up 1000B gw-1 11-01 · t02 alice down 2000B gw-2 11-01 · t03 bob up 5000B gw-1 11-02
// t04 bob up 300B gw-2 11-02 failed · t05 carol down 4000B gw-1 11-03 · t06 alice up 0B gw-1 11-03 aborted
describe('aggregates', () => {
  it('totals count ended transfers, their bytes and the failure rate', async () => {
    expect(await stats('')).toEqual([{ key: null, transfers: 6, bytes: 12_300, completed: 4, failed: 1, aborted: 1, failureRate: 1 / 6, durationMs: 7_610 }]);
  });
  it('groups by user', async () => {
    const rows = await stats('groupBy=user');
    expect(brief(rows)).toEqual([['alice', 3, 3_000], ['bob', 2, 5_300], ['carol', 1, 4_000]]);
    expect(rows.map((r) => r.failureRate)).toEqual([0, 0.5, 0]);
  });
  it('groups by day and by hour', async () => {
    expect(brief(await stats('groupBy=day'))).toEqual([['2026-11-01', 2, 3_000], ['2026-11-02', 2, 5_300], ['2026-11-03', 2, 4_000]]);
    expect(brief(await stats('groupBy=hour&user=bob'))).toEqual([['2026-11-02T09:00:00Z', 2, 5_300]]);
  });
  it('groups by gateway, direction and status', async () => {
    expect(brief(await stats('groupBy=gateway'))).toEqual([['gw-1', 4, 10_000], ['gw-2', 2, 2_300]]);
    expect(brief(await stats('groupBy=direction'))).toEqual([['download', 2, 6_000], ['upload', 4, 6_300]]);
    expect(brief(await stats('groupBy=status'))).toEqual([['aborted', 1, 0], ['completed', 4, 12_000], ['failed', 1, 300]]);
  });
  it('applies the same filters as the transfer list', async () => {
    expect(brief(await stats('groupBy=user&pathPrefix=/reports/&client=10.0.0.0/8'))).toEqual([['alice', 3, 3_000]]);
    expect(brief(await stats('groupBy=user&minBytes=2000'))).toEqual([['alice', 1, 2_000], ['bob', 1, 5_000], ['carol', 1, 4_000]]);
    expect(await stats('user=nobody')).toEqual([{ key: null, transfers: 0, bytes: 0, completed: 0, failed: 0, aborted: 0, failureRate: null, durationMs: 0 }]);
  });
  it('the hourly rollup (plain filters) and the raw rows (any other filter) give the same answers', async () => {
    for (const groupBy of ['user', 'day', 'hour', 'gateway', 'direction', 'status']) {
      expect(await stats(`groupBy=${groupBy}`)).toEqual(await stats(`groupBy=${groupBy}&minBytes=0`));
    }
    const range = 'from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z';
    expect(await stats(`${range}&groupBy=user`)).toEqual(await stats(`${range}&groupBy=user&minBytes=0`));
    expect(brief(await stats(`${range}&groupBy=user`))).toEqual([['bob', 2, 5_300]]);
    expect(brief(await stats('from=2026-11-02T09:15:00Z&to=2026-11-03T00:00:00Z'))).toEqual([[null, 1, 300]]);
  });
  it('computes nearest-rank p50/p95/p99 of throughput and duration over completed transfers', async () => {
    // throughput B/s: t01 1000, t02 4000, t03 2500, t05 1000 → sorted 1000 1000 2500 4000; durations 500 1000 2000 4000
    expect(await indexer.json('/stats/percentiles')).toEqual({
      throughputBytesPerS: { count: 4, p50: 1_000, p95: 4_000, p99: 4_000 },
      durationMs: { count: 4, p50: 1_000, p95: 4_000, p99: 4_000 },
    });
    expect(await indexer.json('/stats/percentiles?gateway=gw-1')).toEqual({
      throughputBytesPerS: { count: 3, p50: 1_000, p95: 2_500, p99: 2_500 },
      durationMs: { count: 3, p50: 2_000, p95: 4_000, p99: 4_000 },
    });
  });
  it('ranks top files by transfers and by bytes', async () => {
    const byCount = await indexer.json<{ files: unknown[] }>('/stats/top-files?limit=2');
    expect(byCount.files).toEqual([
      { username: 'alice', path: '/reports/a.csv', transfers: 2, bytes: 3_000 },
      { username: 'alice', path: '/reports/b.csv', transfers: 1, bytes: 0 },
    ]);
    const byBytes = await indexer.json<{ files: { path: string; username: string }[] }>('/stats/top-files?by=bytes&limit=3');
    expect(byBytes.files.map((file) => `${file.username}:${file.path}`)).toEqual(['bob:/data/x.bin', 'carol:/reports/a.csv', 'alice:/reports/a.csv']);
  });
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('exports', () => {
  it('NDJSON parses back to exactly the rows of the transfer list', async () => {
    const response = await indexer.get('/transfers/export?user=alice');
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const exported = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const listed = (await indexer.json<{ items: unknown[] }>('/transfers?user=alice&order=asc')).items;
    expect(exported).toEqual(listed);
  });
  it('CSV parses back to the same rows, with a header and quoted fields', async () => {
    const response = await indexer.get('/transfers/export?format=csv&status=failed');
    expect(response.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = parseCsv(await response.text());
    expect(header?.slice(0, 3)).toEqual(['transferId', 'sessionId', 'username']);
    expect(rows).toHaveLength(1);
    const record = Object.fromEntries(header!.map((name, i) => [name, rows[0]![i]]));
    expect(record).toMatchObject({ transferId: 't04', username: 'bob', bytes: '300', status: 'failed', errorCode: 'ECONNRESET', partial: 'true', fileSize: '' });
  });
});

describe('exports of awkward values', () => {
  it('CSV and NDJSON agree on every field of rows with commas, quotes, line breaks and formula-like paths', async () => {
    const paths = ['/a,b "c".csv', '/line\nbreak.txt', '/=SUM(A1).xlsx', '/ünïcødé ✓.bin'];
    const events = paths.map((path, i) => f.failed({ transferId: `odd-${i}`, username: 'mallory', path, endedAt: `2026-11-10T00:00:0${i}.000Z` }));
    await publishAll(bus, events);
    await vi.waitFor(
      async () => {
        if ((await indexer.get('/transfers/odd-3')).status !== 200) throw new Error('not projected yet');
      },
      { timeout: 15_000, interval: 50 },
    );
    const ndjson = (await (await indexer.get('/transfers/export?user=mallory')).text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string | number | boolean | null>);
    const [header, ...rows] = parseCsv(await (await indexer.get('/transfers/export?user=mallory&format=csv')).text());
    expect(rows).toHaveLength(paths.length);
    rows.forEach((row, i) => {
      const expected = ndjson[i]!;
      header!.forEach((name, column) => {
        const value = expected[name];
        const text = value === null || value === undefined ? '' : String(value);
        expect(row[column]).toBe(name === 'path' && text.startsWith('=') ? `'${text}` : text);
      });
    });
    expect(ndjson.map((row) => row['path'])).toEqual(paths);
  });
});
