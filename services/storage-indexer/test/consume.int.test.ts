import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeEvent, eventSubjects, deadLetterSubjects, streamNames } from '@ferry/contracts';
import type { Bus } from '@ferry/bus';
import { getFreePort, startNats, type NatsServerHandle } from '@ferry/testing';
import { StoreFiles } from '../src/adapters/store-files.js';
import { indexerEnv, publishAll, publishMany, startIndexer, testBus, removeStateDirs, newStateDir } from './harness.js';
import * as f from './fixtures.js';

let nats: NatsServerHandle;
let bus: Bus;
const children: ChildProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await bus?.close();
  await nats?.stop();
  removeStateDirs();
});

/** Counts read from the store file with a separate read-only connection (WAL lets it read beside the writer). */
function counts(stateDir: string) {
  const db = new Database(new StoreFiles(stateDir).currentFile(), { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
    return {
      applied: one('SELECT applied_events AS n FROM consumer_position'),
      position: one('SELECT stream_seq AS n FROM consumer_position'),
      appliedIds: one('SELECT count(*) AS n FROM applied_events'),
      transfers: one('SELECT count(*) AS n FROM transfers'),
      rolledUp: one('SELECT sum(transfers) AS n FROM transfer_rollup'),
      bytes: one('SELECT sum(bytes) AS n FROM transfers'),
    };
  } catch {
    return undefined; // not created yet
  } finally {
    db.close();
  }
}

const lastSeq = async () => (await bus.jsm.streams.info(streamNames.activity)).state.last_seq;

async function caughtUp(stateDir: string, expected: Partial<NonNullable<ReturnType<typeof counts>>>, timeout = 30_000): Promise<void> {
  const seq = await lastSeq();
  await vi.waitFor(
    () => {
      const now = counts(stateDir);
      if (now === undefined || now.position < seq) throw new Error(`not caught up: ${JSON.stringify(now)} < ${seq}`);
    },
    { timeout, interval: 50 },
  );
  expect(counts(stateDir)).toMatchObject(expected);
}

describe('consuming FERRY_ACTIVITY', () => {
  it('a message redelivered under another message id, and a full replay, apply each event once', async () => {
    const indexer = await startIndexer(nats.url, { env: { FERRY_INDEXER_DURABLE: 'replay-test' } });
    const events = Array.from({ length: 20 }, (_, i) => f.completed({ transferId: `r-${i}`, bytes: i, path: `/r/${i}` }));
    await publishAll(bus, events);
    // The same event stored a second time (a producer retry outside the duplicate window).
    await bus.js.publish(eventSubjects.transfer('completed'), encodeEvent(events[3]!), { msgID: 'another-id' });
    await caughtUp(indexer.stateDir, { applied: 20, transfers: 20, rolledUp: 20, bytes: 190 });
    await indexer.stop();
    // Replay: the durable is gone, a new one starts at the beginning of the stream.
    await bus.jsm.consumers.delete(streamNames.activity, 'replay-test');
    const again = await startIndexer(nats.url, { stateDir: indexer.stateDir, env: { FERRY_INDEXER_DURABLE: 'replay-test' } });
    // All 21 stored messages come again and are recognised by event id.
    await vi.waitFor(
      async () => {
        const metrics = await (await fetch(`${again.service.opsUrl}/metrics`)).text();
        if (!/ferry_indexer_events_total\{[^}]*outcome="duplicate"[^}]*\} 21\n/.test(metrics)) throw new Error('replay not done yet');
      },
      { timeout: 15_000, interval: 50 },
    );
    await caughtUp(again.stateDir, { applied: 20, transfers: 20, rolledUp: 20, bytes: 190 });
    await again.stop();
  });

  it('an invalid event is dead-lettered with its reason, an unknown newer type is skipped, both still move the position, and lag 0 shows in /readyz, metrics and heartbeats', async () => {
    const indexer = await startIndexer(nats.url, { env: { FERRY_INDEXER_DURABLE: 'poison-test', FERRY_HEARTBEAT_INTERVAL: '200ms' } });
    await bus.js.publish(eventSubjects.transfer('completed'), Buffer.from('{"specversion":"1.0","nope":true}'));
    const future = { ...f.completed({ transferId: 'future' }), type: 'ferry.transfer.completed.v9', extra: { what: 'new' } };
    await bus.js.publish(eventSubjects.transfer('completed'), Buffer.from(JSON.stringify(future)));
    const newer = { ...f.completed({ transferId: 'newer-field' }), data: { ...f.completed({ transferId: 'newer-field' }).data, checksum: 'sha256:abc' } };
    await bus.js.publish(eventSubjects.transfer('completed'), Buffer.from(JSON.stringify(newer)));
    const seq = await lastSeq();
    await vi.waitFor(
      async () => {
        const ready = (await (await fetch(`${indexer.service.opsUrl}/readyz`)).json()) as { checks: { lag?: { events: number } } };
        if (ready.checks.lag?.events !== 0 || (counts(indexer.stateDir)?.position ?? 0) < seq) throw new Error(JSON.stringify(ready));
      },
      { timeout: 15_000, interval: 100 },
    );
    expect((await indexer.json<{ transferId: string }>('/transfers/newer-field')).transferId).toBe('newer-field');
    expect((await indexer.get('/transfers/future')).status).toBe(404);
    const letter = await bus.jsm.streams.getMessage(streamNames.deadLetters, { last_by_subj: deadLetterSubjects.forConsumer('poison-test') });
    expect(letter!.json<{ data: { reason: { code: string } } }>().data.reason.code).toBe('EVENT_INVALID_ENVELOPE');
    const metrics = await (await fetch(`${indexer.service.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/ferry_indexer_events_total\{[^}]*outcome="skipped"[^}]*\} 1/);
    expect(metrics).toMatch(/ferry_indexer_lag_events\{[^}]*\} 0/);
    await vi.waitFor(
      async () => {
        const beat = await bus.jsm.streams.getMessage(streamNames.health, { last_by_subj: eventSubjects.health('heartbeat') });
        const data = beat?.json<{ data: { instance: string; gauges?: Record<string, number> } }>().data;
        if (data?.instance !== indexer.service.runtime.instance || data.gauges?.['lagEvents'] !== 0) throw new Error(`heartbeat: ${JSON.stringify(data)}`);
        expect(data.gauges['lagSeconds']).toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    await indexer.stop();
  });

  it('an event the store refuses is retried alone while the rest of its batch is applied, and lands once the fault clears', async () => {
    const indexer = await startIndexer(nats.url, { env: { FERRY_INDEXER_DURABLE: 'fault-test' } });
    await caughtUp(indexer.stateDir, {});
    // A fault inside SQLite for one transfer id, added from outside like a full disk would be.
    const db = new Database(new StoreFiles(indexer.stateDir).currentFile());
    db.pragma('busy_timeout = 5000');
    db.exec("CREATE TRIGGER fault BEFORE INSERT ON transfers WHEN NEW.transfer_id = 'boom' BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
    const events = ['f-1', 'boom', 'f-2'].map((transferId) => f.completed({ transferId, path: `/fault/${transferId}` }));
    await publishAll(bus, events);
    await vi.waitFor(
      async () => {
        if ((await indexer.get('/transfers/f-2')).status !== 200) throw new Error('f-2 not applied yet');
      },
      { timeout: 15_000, interval: 50 },
    );
    expect((await indexer.get('/transfers/boom')).status).toBe(404);
    expect(await (await fetch(`${indexer.service.opsUrl}/metrics`)).text()).toMatch(/ferry_indexer_events_total\{[^}]*outcome="retried"[^}]*\} [1-9]/);
    db.exec('DROP TRIGGER fault');
    db.close();
    await vi.waitFor(
      async () => {
        if ((await indexer.get('/transfers/boom')).status !== 200) throw new Error('boom not applied yet');
      },
      { timeout: 15_000, interval: 100 },
    );
    const stats = await indexer.json<{ rows: { transfers: number }[] }>('/stats/transfers?pathPrefix=/fault/');
    expect(stats.rows[0]?.transfers).toBe(3);
    await indexer.stop();
  });

  it('an indexer killed with SIGKILL in the middle of consuming restarts and ends with exact counts', async () => {
    const total = 20_000;
    const before = await lastSeq();
    await publishMany(bus, Array.from({ length: total }, (_, i) => f.completed({ transferId: `k-${i}`, bytes: 1, path: `/k/${i % 100}` })));
    const stateDir = newStateDir('ferry-indexer-kill-');
    const env = indexerEnv(nats.url, stateDir, await getFreePort(), { FERRY_INDEXER_DURABLE: 'kill-test', FERRY_INDEXER_ACK_WAIT: '2s', FERRY_INDEXER_BATCH: '500' });
    const root = resolve(import.meta.dirname, '../../..');
    const child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', join(root, 'services/storage-indexer/src/main.ts')], { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
    children.push(child);
    await vi.waitFor(() => {
      if ((counts(stateDir)?.applied ?? 0) === 0) throw new Error('nothing applied yet');
    }, { timeout: 30_000, interval: 5 });
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
    const atKill = counts(stateDir)!;
    expect(atKill.applied).toBeGreaterThan(0);
    expect(atKill.applied).toBeLessThan(total + before);
    const restarted = await startIndexer(nats.url, { stateDir, env: { FERRY_INDEXER_DURABLE: 'kill-test' } });
    await caughtUp(stateDir, {}, 60_000);
    const after = counts(stateDir)!;
    const stats = (await restarted.json<{ rows: { transfers: number; bytes: number }[] }>('/stats/transfers?pathPrefix=/k/')).rows[0];
    expect(stats).toMatchObject({ transfers: total, bytes: total });
    expect(after.applied).toBe(after.appliedIds);
    expect(after.transfers).toBe(after.rolledUp);
    await restarted.stop();
  });
});
