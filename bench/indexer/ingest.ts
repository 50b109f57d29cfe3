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
import { createEvent, streamNames, streamSpecs, TransferCompleted, TransferFailed, TransferStarted, type FerryEvent } from '@ferry/contracts';
import { runService } from '@ferry/service';
import { getFreePort, startNats } from '@ferry/testing';
import { storageIndexer } from '../../services/storage-indexer/src/service.js';
import { benchRows } from './rows.js';

const total = Number(process.env['BENCH_EVENTS'] ?? 100_000);

function* events(): Generator<FerryEvent> {
  for (const row of benchRows(total / 2, 200)) {
    const base = {
      transferId: row.transferId, sessionId: `s-${row.username}`, username: row.username, clientIp: row.clientIp, gateway: row.gateway,
      protocol: 'ftps' as const, mode: 'passive' as const, direction: row.direction, path: row.path, offset: 0,
      startedAt: new Date(row.endedAtMs - row.durationMs).toISOString(),
    };
    yield createEvent(TransferStarted, base, { source: 'ftp-gateway/bench' });
    const end = { ...base, bytes: row.bytes, durationMs: row.durationMs, endedAt: new Date(row.endedAtMs).toISOString() };
    yield row.status === 'failed'
      ? createEvent(TransferFailed, { ...end, status: 'failed', partial: true, error: { code: 'ECONNRESET', message: 'reset' } }, { source: 'ftp-gateway/bench' })
      : createEvent(TransferCompleted, { ...end, status: 'completed' }, { source: 'ftp-gateway/bench' });
  }
}

const nats = await startNats();
const stateDir = mkdtempSync(join(tmpdir(), 'ferry-bench-ingest-'));
try {
  const bus = await connectBus({ servers: [nats.url], name: 'bench' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
  const publishStart = Date.now();
  let batch: Promise<unknown>[] = [];
  for (const event of events()) {
    batch.push(publishEvent(bus, event));
    if (batch.length >= 500) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  const publishMs = Date.now() - publishStart;
  const lastSeq = (await bus.jsm.streams.info(streamNames.activity)).state.last_seq;

  const start = Date.now();
  const env = { NATS_URL: nats.url, FERRY_API_PORT: String(await getFreePort()), FERRY_QUERY_TOKEN: 'q'.repeat(40), FERRY_STATE_DIR: stateDir, LOG_LEVEL: 'warn', FERRY_INDEXER_BATCH: process.env['BENCH_BATCH'] ?? '256' };
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
  const steady = first === undefined ? null : Math.round((lastSeq - first.seq) / ((end - first.at) / 1_000));
  console.log(JSON.stringify({ events: total, batch: Number(process.env['BENCH_BATCH'] ?? 256), publishEventsPerS: Math.round(total / (publishMs / 1_000)), ingestWithStartupEventsPerS: Math.round(total / ((end - start) / 1_000)), steadyEventsPerS: steady }));
  // The full export through HTTP, as an analyst would pull it.
  for (const format of ['csv', 'ndjson']) {
    const exportStart = Date.now();
    const response = await fetch(`http://127.0.0.1:${env.FERRY_API_PORT}/transfers/export?format=${format}`, { headers: { authorization: `Bearer ${env.FERRY_QUERY_TOKEN}` } });
    let lines = 0;
    for await (const chunk of response.body!) lines += (chunk as Uint8Array).reduce((n, byte) => n + (byte === 10 ? 1 : 0), 0);
    console.log(JSON.stringify({ export: format, rows: lines - (format === 'csv' ? 1 : 0), rowsPerS: Math.round(lines / ((Date.now() - exportStart) / 1_000)) }));
  }
  await service.shutdown('bench done');
  await bus.close();
} finally {
  await nats.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
