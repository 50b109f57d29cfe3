import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bus } from '@ferry/bus';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { dataset } from './dataset.js';
import { publishAll, publishMany, startIndexer, testBus, waitCaughtUp, type IndexerHandle, removeStateDirs } from './harness.js';
import * as f from './fixtures.js';
import { rebuild } from '../src/adapters/rebuild.js';
import { StoreFiles } from '../src/adapters/store-files.js';

let nats: NatsServerHandle;
let bus: Bus;
let live: IndexerHandle;
let reference: IndexerHandle;

const transfers = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => f.completed({ transferId: `rb-${from + i}`, username: `u${(from + i) % 7}`, bytes: from + i, path: `/rb/${(from + i) % 50}` }));

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  live = await startIndexer(nats.url, { env: { FERRY_INDEXER_DURABLE: 'live' } });
  reference = await startIndexer(nats.url, { env: { FERRY_INDEXER_DURABLE: 'reference' } });
});

afterAll(async () => {
  await live?.stop();
  await reference?.stop();
  await bus?.close();
  await nats?.stop();
  removeStateDirs();
});

function runRebuild(stateDir: string): Promise<{ code: number | null; stderr: string }> {
  const root = resolve(import.meta.dirname, '../../..');
  const child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', join(root, 'services/storage-indexer/src/main.ts'), 'rebuild'], {
    cwd: root,
    env: { ...process.env, NATS_URL: nats.url, FERRY_STATE_DIR: stateDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done) => child.once('exit', (code) => done({ code, stderr })));
}

/** Everything an analyst can see, read through the API. */
async function view(indexer: IndexerHandle) {
  return {
    export: await (await indexer.get('/transfers/export')).text(),
    files: await indexer.json('/files?limit=1000'),
    sessions: await indexer.json('/sessions?limit=1000'),
    logins: await indexer.json('/logins?limit=1000'),
    byUser: await indexer.json('/stats/transfers?groupBy=user'),
    history: await indexer.json('/files/history?user=alice&path=/reports/a.csv'),
  };
}

describe('rebuild', () => {
  it('a rebuild finished while the indexer was down is caught up to the durable position when it starts', async () => {
    const slow = await startIndexer(nats.url, { env: { FERRY_INDEXER_DURABLE: 'offline', FERRY_INDEXER_LAG_INTERVAL: '1h' } });
    await publishMany(bus, transfers(10_000, 200));
    await waitCaughtUp(bus, [slow.stateDir]);
    const files = new StoreFiles(slow.stateDir);
    const lines: string[] = [];
    const result = await rebuild(bus, { files, progress: (line) => lines.push(line) });
    expect(lines.at(-1)).toMatch(/ETA 0s$/);
    await publishMany(bus, transfers(10_200, 50)); // applied by `slow` to the old store only
    await vi.waitFor(
      async () => {
        if ((await slow.get('/transfers/rb-10249')).status !== 200) throw new Error('not applied to the old store yet');
      },
      { timeout: 15_000, interval: 50 },
    );
    await slow.stop();
    expect(files.currentFile()).toBe(result.file);
    const restarted = await startIndexer(nats.url, { stateDir: slow.stateDir, env: { FERRY_INDEXER_DURABLE: 'offline' } });
    await waitCaughtUp(bus, [restarted.stateDir, reference.stateDir]);
    expect(await restarted.json('/stats/transfers?groupBy=user')).toEqual(await reference.json('/stats/transfers?groupBy=user'));
    expect(await (await restarted.get('/transfers/export')).text()).toEqual(await (await reference.get('/transfers/export')).text());
    await restarted.stop();
  });

  it('replays the stream into a new file while the API keeps answering, and the result equals a live projection', async () => {
    await publishAll(bus, dataset());
    await publishMany(bus, transfers(0, 3_000));
    await waitCaughtUp(bus, [live.stateDir, reference.stateDir]);

    const statuses: number[] = [];
    let querying = true;
    const queries = (async () => {
      while (querying) {
        statuses.push((await live.get('/transfers?limit=5')).status, (await live.get('/stats/transfers?groupBy=day')).status);
        await new Promise((done) => setTimeout(done, 10));
      }
    })();

    const rebuilding = runRebuild(live.stateDir);
    await publishMany(bus, transfers(3_000, 500)); // events arriving during the rebuild
    const { code, stderr } = await rebuilding;
    expect(code).toBe(0);
    expect(stderr).toMatch(/\d[\d,]* \/ [\d,]+ events .* ev\/s {2}ETA/);
    expect(stderr).toContain('CURRENT now points at it');

    await vi.waitFor(
      async () => {
        const ready = (await (await fetch(`${live.service.opsUrl}/readyz`)).json()) as { checks: { store?: { file: string } } };
        if (ready.checks.store?.file !== 'projections-2.sqlite') throw new Error(`still on ${ready.checks.store?.file}`);
      },
      { timeout: 20_000, interval: 50 },
    );
    await publishMany(bus, transfers(3_500, 100)); // and after the swap
    await waitCaughtUp(bus, [live.stateDir, reference.stateDir]);
    querying = false;
    await queries;

    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(existsSync(join(live.stateDir, 'projections-1.sqlite'))).toBe(false);
    const [rebuilt, reference_] = [await view(live), await view(reference)];
    expect(rebuilt.export.split('\n')).toHaveLength(3_600 + 250 + 7 + 1);
    expect(rebuilt).toEqual(reference_);
  });
});
