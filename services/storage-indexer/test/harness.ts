import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, ensureStreams, publishEvent, type Bus } from '@ferry/bus';
import Database from 'better-sqlite3';
import { vi } from 'vitest';
import { streamNames, streamSpecs, type FerryEvent } from '@ferry/contracts';
import { runService, type RunningService } from '@ferry/service';
import { getFreePort } from '@ferry/testing';
import { StoreFiles } from '../src/adapters/store-files.js';
import { storageIndexer } from '../src/service.js';

export const QUERY_TOKEN = 'q'.repeat(40);

const stateDirs: string[] = [];

/** A fresh state folder, removed by `removeStateDirs` (call it in afterAll). */
export function newStateDir(prefix = 'ferry-indexer-state-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  stateDirs.push(dir);
  return dir;
}

export function removeStateDirs(): void {
  for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
export const ADMIN_TOKEN = 'a'.repeat(40);

export async function testBus(natsUrl: string): Promise<Bus> {
  const bus = await connectBus({ servers: [natsUrl], name: 'indexer-test' });
  await ensureStreams(bus, streamSpecs({ replicas: 1 }));
  return bus;
}

export async function publishAll(bus: Bus, events: readonly FerryEvent[]): Promise<void> {
  for (const event of events) await publishEvent(bus, event);
}

export interface IndexerHandle {
  readonly service: RunningService;
  readonly api: string;
  readonly stateDir: string;
  get(path: string, token?: string | null): Promise<Response>;
  json<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export function indexerEnv(natsUrl: string, stateDir: string, apiPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: natsUrl,
    FERRY_API_PORT: String(apiPort),
    FERRY_QUERY_TOKEN: QUERY_TOKEN,
    FERRY_ADMIN_TOKEN: ADMIN_TOKEN,
    FERRY_STATE_DIR: stateDir,
    FERRY_INDEXER_LAG_INTERVAL: '200ms',
    FERRY_HEARTBEAT_INTERVAL: '1h',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** Runs the real service in this process (config, NATS, consumer, API); `stop` is a clean SIGTERM-like stop. */
export async function startIndexer(natsUrl: string, options: { stateDir?: string; env?: Record<string, string> } = {}): Promise<IndexerHandle> {
  const stateDir = options.stateDir ?? newStateDir();
  const port = await getFreePort();
  const service = await runService(storageIndexer, {
    env: indexerEnv(natsUrl, stateDir, port, options.env),
    signals: new EventEmitter(),
    exit: (code) => {
      if (code !== 0) throw new Error(`indexer exited with ${code}`);
    },
  });
  const api = `http://127.0.0.1:${port}`;
  const get = (path: string, token: string | null = QUERY_TOKEN) => fetch(`${api}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return {
    service,
    api,
    stateDir,
    get,
    json: async <T>(path: string): Promise<T> => {
      const response = await get(path);
      if (response.status !== 200) throw new Error(`GET ${path} → ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    stop: () => service.shutdown('test'),
  };
}

/** The store's position, read from its file with a separate read-only connection (0 before it exists). */
export function storePosition(stateDir: string): number {
  try {
    const db = new Database(new StoreFiles(stateDir).currentFile(), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT stream_seq AS n FROM consumer_position').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Waits until every indexer state dir has applied the stream up to its current last sequence. */
export async function waitCaughtUp(bus: Bus, stateDirs: readonly string[], timeout = 30_000): Promise<void> {
  const seq = (await bus.jsm.streams.info(streamNames.activity)).state.last_seq;
  await vi.waitFor(
    () => {
      const behind = stateDirs.filter((dir) => storePosition(dir) < seq);
      if (behind.length > 0) throw new Error(`${behind.join(', ')} not at sequence ${seq} yet`);
    },
    { timeout, interval: 50 },
  );
}

/** Publishes with up to 200 acks in flight (one at a time is ~5k/s here). */
export async function publishMany(bus: Bus, events: readonly FerryEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) await Promise.all(events.slice(i, i + 200).map((event) => publishEvent(bus, event)));
}
