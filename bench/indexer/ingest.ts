/**
 * End-to-end ingest of the storage-indexer: publishes BENCH_EVENTS realistic transfer
 * events (start + end pairs, skewed users, sizes from KB to GB, ~3% failures) to a
 * fresh nats-server, then starts the real service and times how fast it applies them.
 *
 *   npx tsx --conditions=@ferry/source bench/indexer/ingest.ts      # 100,000 events
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectBus, ensureStreams, publishEvent } from '@ferry/bus';
import { streamNames, streamSpecs } from '@ferry/contracts';
import { runService } from '@ferry/service';
import { getFreePort, startNats } from '@ferry/testing';
import { storageIndexer } from '../../services/storage-indexer/src/service.js';
import { countLines } from './curl.js';
import { transferEvents } from './events.js';
import { startCpuProfile } from './profile.js';

const total = Number(process.env['BENCH_EVENTS'] ?? 100_000);

const nats = await startNats();
const stateDir = mkdtempSync(join(tmpdir(), 'ferry-bench-ingest-'));
try {
  const bus = await connectBus({ servers: [nats.url], name: 'bench' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
  const publishStart = Date.now();
  let batch: Promise<unknown>[] = [];
  for (const event of transferEvents(total / 2, { shape: 'pairs' })) {
    batch.push(publishEvent(bus, event));
    if (batch.length >= 500) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  const publishMs = Date.now() - publishStart;
  const lastSeq = (await bus.jsm.streams.info(streamNames.activity)).state.last_seq;

  // BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the ingest only (publishing excluded), for Chrome DevTools.
  const profile = await startCpuProfile(process.env['BENCH_CPU_PROFILE']);
  const start = Date.now();
  const env = { NATS_URL: nats.url, FERRY_API_PORT: String(await getFreePort()), FERRY_QUERY_TOKEN: 'q'.repeat(40), FERRY_STATE_DIR: stateDir, LOG_LEVEL: 'warn', FERRY_INDEXER_BATCH: process.env['BENCH_BATCH'] ?? '2000' };
  const service = await runService(storageIndexer, {
    env,
    signals: new EventEmitter(),
    exit: () => undefined,
  });
  const reader = () => {
    const db = new Database(join(stateDir, 'projections-1.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT stream_seq AS n FROM consumer_position').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  let first: { at: number; seq: number } | undefined;
  for (let seq = 0; seq < lastSeq; seq = reader()) {
    if (first === undefined && seq > 0) first = { at: Date.now(), seq };
    await new Promise((done) => setTimeout(done, 20));
  }
  const end = Date.now();
  await profile.stop();
  const steady = first === undefined ? null : Math.round((lastSeq - first.seq) / ((end - first.at) / 1_000));
  console.log(JSON.stringify({ events: total, batch: Number(process.env['BENCH_BATCH'] ?? 1_000), publishEventsPerS: Math.round(total / (publishMs / 1_000)), ingestWithStartupEventsPerS: Math.round(total / ((end - start) / 1_000)), steadyEventsPerS: steady }));
  // The full export through HTTP, as an analyst would pull it (curl in its own process).
  for (const format of ['csv', 'ndjson']) {
    const exportStart = Date.now();
    const lines = await countLines(`http://127.0.0.1:${env.FERRY_API_PORT}/transfers/export?format=${format}`, env.FERRY_QUERY_TOKEN);
    console.log(JSON.stringify({ export: format, rows: lines - (format === 'csv' ? 1 : 0), rowsPerS: Math.round(lines / ((Date.now() - exportStart) / 1_000)) }));
  }
  await service.shutdown('bench done');
  await bus.close();
} finally {
  await nats.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
