/**
 * End-to-end freshness: with the real service running, publishes completed transfers at
 * BENCH_RATE per second (1,000) for BENCH_SECONDS (10) and measures, for each event, the
 * time from the start of its publish until the projection's position covers it (its row
 * is then queryable). Reports p50/p95/p99.
 *
 *   npx tsx --conditions=@ferry/source bench/indexer/freshness.ts
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectBus, ensureStreams, publishEvent } from '@ferry/bus';
import { createEvent, streamSpecs, TransferCompleted } from '@ferry/contracts';
import { runService } from '@ferry/service';
import { getFreePort, startNats } from '@ferry/testing';
import { storageIndexer } from '../../services/storage-indexer/src/service.js';
import { benchRows, percentile } from './rows.js';

const rate = Number(process.env['BENCH_RATE'] ?? 1_000);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const nats = await startNats();
const stateDir = mkdtempSync(join(tmpdir(), 'ferry-bench-fresh-'));
try {
  const bus = await connectBus({ servers: [nats.url], name: 'bench' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
  const service = await runService(storageIndexer, {
    env: { NATS_URL: nats.url, FERRY_API_PORT: String(await getFreePort()), FERRY_QUERY_TOKEN: 'q'.repeat(40), FERRY_STATE_DIR: stateDir, LOG_LEVEL: 'warn', FERRY_INDEXER_BATCH: process.env['BENCH_BATCH'] ?? '2000' },
    signals: new EventEmitter(),
    exit: () => undefined,
  });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const db = new Database(join(stateDir, 'projections-1.sqlite'), { readonly: true });
  const position = db.prepare<[], { n: number }>('SELECT stream_seq AS n FROM consumer_position');
  const poll = setInterval(() => {
    const now = performance.now();
    const covered = position.get()?.n ?? 0;
    for (const [seq, at] of sentAt) {
      if (seq > covered) continue;
      latencies.push(now - at);
      sentAt.delete(seq);
    }
  }, 2);
  const rows = benchRows(rate * seconds, 200);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1_000) / rate;
    if (due > performance.now()) await new Promise((done) => setTimeout(done, due - performance.now()));
    const row = rows.next().value!;
    const at = performance.now();
    const event = createEvent(TransferCompleted, {
      transferId: row.transferId, sessionId: 's-1', username: row.username, clientIp: row.clientIp, gateway: row.gateway, protocol: 'ftp', mode: 'passive',
      direction: row.direction, path: row.path, offset: 0, startedAt: new Date().toISOString(), bytes: row.bytes, durationMs: row.durationMs,
      endedAt: new Date().toISOString(), status: 'completed',
    }, { source: 'ftp-gateway/bench' });
    inFlight.push(publishEvent(bus, event).then((ack) => void sentAt.set(ack.seq, at)));
  }
  await Promise.all(inFlight);
  while (sentAt.size > 0) await new Promise((done) => setTimeout(done, 10));
  clearInterval(poll);
  latencies.sort((a, b) => a - b);
  const ms = (p: number) => Math.round(percentile(latencies, p));
  console.log(JSON.stringify({ rate, seconds, events: latencies.length, achievedRate: Math.round(latencies.length / ((performance.now() - start) / 1_000)), p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99), maxMs: ms(100) }));
  db.close();
  await service.shutdown('bench done');
  await bus.close();
} finally {
  await nats.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
