import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bus } from '@ferry/bus';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { publishAll, removeStateDirs, startIndexer, testBus, waitCaughtUp, type IndexerHandle } from './harness.js';
import * as f from './fixtures.js';

let nats: NatsServerHandle;
let bus: Bus;
let indexer: IndexerHandle;

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  indexer = await startIndexer(nats.url);
});

afterAll(async () => {
  await indexer?.stop();
  await bus?.close();
  await nats?.stop();
  removeStateDirs();
});

describe('NATS outage', () => {
  it('while NATS is away the API keeps answering from the store, and the consumer resumes where it was', async () => {
    await publishAll(bus, [f.completed({ transferId: 'before-outage', path: '/o/1' })]);
    await waitCaughtUp(bus, [indexer.stateDir]);
    await nats.pause();
    expect((await indexer.get('/transfers/before-outage')).status).toBe(200);
    await vi.waitFor(
      async () => {
        const ready = await fetch(`${indexer.service.opsUrl}/readyz`);
        if (ready.status !== 503) throw new Error('still ready without NATS');
      },
      { timeout: 15_000, interval: 100 },
    );
    await nats.resume();
    await vi.waitFor(() => {
      if (!bus.isConnected()) throw new Error('test bus not reconnected yet');
    }, { timeout: 15_000, interval: 100 });
    await publishAll(bus, [f.completed({ transferId: 'after-outage', path: '/o/2' })]);
    await vi.waitFor(
      async () => {
        if ((await indexer.get('/transfers/after-outage')).status !== 200) throw new Error('not applied after the outage');
      },
      { timeout: 30_000, interval: 100 },
    );
    const stats = await indexer.json<{ rows: { transfers: number }[] }>('/stats/transfers?pathPrefix=/o/');
    expect(stats.rows[0]?.transfers).toBe(2);
  });
});
