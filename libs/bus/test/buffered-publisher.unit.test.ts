import { describe, expect, it } from 'vitest';
import { ContractViolationError, createEvent, FileDeleted, type FerryEvent } from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';
import { BufferedPublisher, PublishFailedError, type PublishReceipt } from '../src/index.js';

function events(count: number): FerryEvent[] {
  return Array.from({ length: count }, (_, i) => createEvent(FileDeleted, { ...exampleDataFor(FileDeleted), path: `/f${i}` }, { source: 'ftp-gateway/gw-1' }));
}

/** A publish function that fails while `down` is true, like NATS being away. */
function flakyStore() {
  const stored: string[] = [];
  const state = { down: false };
  const publish = (event: FerryEvent): Promise<PublishReceipt> => {
    if (state.down) return Promise.reject(new PublishFailedError('nats away', { retryable: true }));
    stored.push(event.id);
    return Promise.resolve({ stream: 'S', seq: stored.length, duplicate: false });
  };
  return { stored, state, publish };
}

describe('BufferedPublisher', () => {
  it('refuses events beyond its capacity and reports becoming full once', async () => {
    const store = flakyStore();
    store.state.down = true;
    const changes: boolean[] = [];
    const buffer = new BufferedPublisher(undefined, { capacity: 3, publish: store.publish, onFullChange: (full) => changes.push(full) });
    const offered = events(5).map((event) => buffer.offer(event));
    expect(offered).toEqual([true, true, true, false, false]);
    expect(buffer.stats()).toMatchObject({ depth: 3, refused: 2 });
    expect(changes).toEqual([true]);
    store.state.down = false;
    await buffer.flush(5_000);
    expect(changes).toEqual([true, false]);
    await buffer.stop(1_000);
  });

  it('keeps order across failures and stores every event once it can', async () => {
    const store = flakyStore();
    const buffer = new BufferedPublisher(undefined, { capacity: 100, maxInFlight: 4, publish: store.publish });
    const batch = events(20);
    batch.slice(0, 10).forEach((event) => buffer.offer(event));
    store.state.down = true;
    batch.slice(10).forEach((event) => buffer.offer(event));
    setTimeout(() => (store.state.down = false), 300);
    await buffer.flush(10_000);
    expect(store.stored).toEqual(batch.map((event) => event.id));
    expect(buffer.stats().retries).toBeGreaterThan(0);
    await buffer.stop(1_000);
  });

  it('drops an event that can never be published instead of blocking the rest', async () => {
    const stored: string[] = [];
    const [poison, ...rest] = events(3);
    const buffer = new BufferedPublisher(undefined, {
      capacity: 10,
      publish: (event) => {
        if (event.id === poison!.id) return Promise.reject(new ContractViolationError('bad', 'data.path'));
        // Like JetStream's Nats-Msg-Id dedup: a re-publish of a stored id is not stored again.
        if (stored.includes(event.id)) return Promise.resolve({ stream: 'S', seq: stored.indexOf(event.id) + 1, duplicate: true });
        stored.push(event.id);
        return Promise.resolve({ stream: 'S', seq: stored.length, duplicate: false });
      },
    });
    [poison!, ...rest].forEach((event) => buffer.offer(event));
    await buffer.flush(5_000);
    expect(stored).toEqual(rest.map((event) => event.id));
    expect(buffer.stats().dropped).toBe(1);
    await buffer.stop(1_000);
  });

  it('stop flushes what is queued and then refuses new events', async () => {
    const store = flakyStore();
    const buffer = new BufferedPublisher(undefined, { capacity: 10, publish: store.publish });
    events(5).forEach((event) => buffer.offer(event));
    expect(await buffer.stop(5_000)).toEqual({ unsent: 0 });
    expect(store.stored).toHaveLength(5);
    expect(buffer.offer(events(1)[0]!)).toBe(false);
  });

  it('stop gives up after its timeout and reports what stayed unsent', async () => {
    const store = flakyStore();
    store.state.down = true;
    const buffer = new BufferedPublisher(undefined, { capacity: 10, publish: store.publish });
    events(4).forEach((event) => buffer.offer(event));
    expect(await buffer.stop(200)).toEqual({ unsent: 4 });
  });
});
