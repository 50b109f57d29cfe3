/**
 * The 10-million-row benchmark of the storage-indexer. Loads BENCH_TRANSFERS
 * (10,000,000) transfer events into a projection through the real store code, then asks
 * the real query API over HTTP (fastify app of the service, real bearer-token check):
 *
 *   - a filtered page of transfers (user + 7-day range, 100 rows), p50/p95 over many random users and ranges
 *   - daily bytes of one user over the whole year (/stats/transfers?groupBy=day), for many users
 *   - the full export, CSV and NDJSON, in rows/s
 *
 * The load is the FAST PATH: events go straight into `ProjectionStore.applyBatch` (the
 * store's batched apply, same code and transaction as the consumer), not through NATS.
 * Ingest from the stream is measured separately by ingest.ts.
 *
 *   npx tsx --conditions=@ferry/source bench/indexer/ten-million.ts            # load, measure, delete
 *   npx tsx --conditions=@ferry/source bench/indexer/ten-million.ts --keep     # keep the store, print its folder
 *   BENCH_STATE_DIR=<kept folder> npx tsx --conditions=@ferry/source bench/indexer/ten-million.ts --keep  # measure a kept store again
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getFreePort } from '@ferry/testing';
import { buildApp } from '../../services/storage-indexer/src/adapters/http/app.js';
import type { BatchItem } from '../../services/storage-indexer/src/adapters/projection-store.js';
import { StoreFiles } from '../../services/storage-indexer/src/adapters/store-files.js';
import { formatProgress } from '../../services/storage-indexer/src/domain/progress.js';
import { countLines } from './curl.js';
import { transferEvents } from './events.js';
import { percentile, prng, YEAR_START_MS } from './rows.js';

const transfers = Number(process.env['BENCH_TRANSFERS'] ?? 10_000_000);
const users = 200;
const loadBatch = Number(process.env['BENCH_BATCH'] ?? 10_000);
const pageQueries = Number(process.env['BENCH_PAGE_QUERIES'] ?? 500);
const dailyQueries = Number(process.env['BENCH_DAILY_QUERIES'] ?? 20);
const keep = process.argv.includes('--keep');
const reuse = process.env['BENCH_STATE_DIR'];
const token = 'q'.repeat(40);
const DAY_MS = 86_400_000;

const load = () => loadavg()[0]!.toFixed(1);
const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const results: { measure: string; target: string; result: string; load: string }[] = [];
const record = (measure: string, target: string, result: string) => {
  results.push({ measure, target, result, load: load() });
  console.log(`${measure}: ${result} (load average ${load()})`);
};

function loadStore(files: StoreFiles): void {
  const store = files.open();
  try {
    const started = Date.now();
    let items: BatchItem[] = [];
    let seq = 0;
    let reported = started;
    for (const event of transferEvents(transfers, { shape: 'ends', users })) {
      items.push({ event, seq: ++seq });
      if (items.length < loadBatch) continue;
      store.applyBatch(items);
      items = [];
      if (Date.now() - reported >= 10_000) {
        reported = Date.now();
        console.log(`${formatProgress({ done: seq, total: transfers, elapsedMs: reported - started })}  load ${load()}`);
      }
    }
    if (items.length > 0) store.applyBatch(items);
    const seconds = (Date.now() - started) / 1_000;
    record('load (store batched apply, no NATS)', '-', `${fmt(transfers)} events in ${fmt(seconds, 0)} s = ${fmt(transfers / seconds)} events/s`);
  } finally {
    store.close();
  }
}

const folderBytes = (dir: string) => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

async function measure(files: StoreFiles): Promise<void> {
  const store = files.open();
  const app = await buildApp({ db: () => store.db, openReader: () => new Database(store.file, { readonly: true, fileMustExist: true }), queryToken: token });
  const port = await getFreePort();
  const base = await app.listen({ host: '127.0.0.1', port });
  const get = async (path: string): Promise<Response> => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET ${path} → ${response.status} ${await response.text()}`);
    return response;
  };
  const timed = async (path: string): Promise<{ ms: number; body: unknown }> => {
    const start = performance.now();
    const body: unknown = await (await get(path)).json();
    return { ms: performance.now() - start, body };
  };
  try {
    const rows = (store.db.prepare('SELECT count(*) AS n FROM transfers').get() as { n: number }).n;
    record('store', '-', `${fmt(rows)} transfer rows, ${fmt(folderBytes(files.dir) / 2 ** 30, 1)} GiB on disk`);

    // Unauthenticated requests are refused: the token check is the real one.
    const refused = await fetch(`${base}/transfers?limit=1`);
    if (refused.status !== 401) throw new Error(`expected 401 without a token, got ${refused.status}`);

    const random = prng(11);
    const day = (at: number) => new Date(at).toISOString();
    const pageTimes: number[] = [];
    let pageRows = 0;
    for (let i = 0; i < pageQueries + 20; i++) {
      const user = `user${Math.floor(random() * users)}`;
      const from = YEAR_START_MS + Math.floor(random() * 358) * DAY_MS + Math.floor(random() * 24) * 3_600_000;
      const { ms, body } = await timed(`/transfers?user=${user}&from=${day(from)}&to=${day(from + 7 * DAY_MS)}&limit=100`);
      if (i < 20) continue; // warm-up
      pageTimes.push(ms);
      pageRows += (body as { items: unknown[] }).items.length;
    }
    pageTimes.sort((a, b) => a - b);
    record(
      'page: user + 7 days, 100 rows, over HTTP',
      'p95 < 50 ms',
      `p50 ${fmt(percentile(pageTimes, 50), 2)} ms, p95 ${fmt(percentile(pageTimes, 95), 2)} ms, max ${fmt(pageTimes.at(-1) ?? 0, 1)} ms (${pageQueries} random users/ranges, ${fmt(pageRows / pageQueries, 0)} rows per page)`,
    );

    const year = `from=${day(YEAR_START_MS)}&to=${day(YEAR_START_MS + 365 * DAY_MS)}`;
    const dailyTimes: number[] = [];
    for (let i = 0; i < dailyQueries; i++) {
      // user0 (the busiest, ~17 % of all rows) first, then random users.
      const user = i === 0 ? 'user0' : `user${Math.floor(random() * users)}`;
      const { ms, body } = await timed(`/stats/transfers?groupBy=day&user=${user}&${year}`);
      const days = (body as { rows: unknown[] }).rows.length;
      if (i === 0) record('daily bytes of the busiest user over the year', '< 1 s', `${fmt(ms, 1)} ms (${days} days)`);
      dailyTimes.push(ms);
    }
    dailyTimes.sort((a, b) => a - b);
    record('daily bytes per user over the year', '< 1 s', `p50 ${fmt(percentile(dailyTimes, 50), 1)} ms, max ${fmt(dailyTimes.at(-1) ?? 0, 1)} ms (${dailyQueries} users)`);
    const all = await timed(`/stats/transfers?groupBy=day&${year}`);
    record('daily bytes of all users over the year', '-', `${fmt(all.ms, 1)} ms`);

    for (const format of ['csv', 'ndjson'] as const) {
      const start = performance.now();
      const lines = await countLines(`${base}/transfers/export?format=${format}`, token);
      const seconds = (performance.now() - start) / 1_000;
      const exported = lines - (format === 'csv' ? 1 : 0);
      if (exported !== rows) throw new Error(`the ${format} export has ${exported} rows, the store ${rows}`);
      record(`full ${format.toUpperCase()} export over HTTP`, '≥ 100,000 rows/s', `${fmt(exported / seconds)} rows/s (${fmt(exported)} rows in ${fmt(seconds, 1)} s)`);
    }
  } finally {
    await app.close();
    store.close();
  }
}

function printTable(): void {
  const head = { measure: 'measure', target: 'target', result: 'result', load: 'load avg' };
  const widths = (Object.keys(head) as (keyof typeof head)[]).map((key) => Math.max(...[head, ...results].map((row) => row[key].length)));
  const line = (row: typeof head) => `| ${[row.measure, row.target, row.result, row.load].map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(['', line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...results.map(line)].join('\n'));
}

const dir = reuse ?? mkdtempSync(join(tmpdir(), 'ferry-bench-10m-'));
try {
  const files = new StoreFiles(dir);
  if (reuse === undefined || !existsSync(join(dir, 'CURRENT'))) loadStore(files);
  await measure(files);
  printTable();
} finally {
  if (keep) console.log(`store kept in ${dir} (BENCH_STATE_DIR=${dir} measures it again; rm -rf it when done)`);
  else rmSync(dir, { recursive: true, force: true });
}
