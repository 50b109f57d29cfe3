import { streamNames } from '@ferry/contracts';
import type { Bus } from '@ferry/bus';
import { parseActivity } from './parse.js';
import type { ProjectionStore } from './projection-store.js';

/**
 * Applies the stream messages after the store's position up to `toSeq` (inclusive),
 * read one by one by sequence. For short gaps: the hand-over after a rebuild, and a
 * store that is behind its durable consumer's ack floor at start.
 */
export async function catchUp(bus: Bus, store: ProjectionStore, toSeq: number): Promise<number> {
  let applied = 0;
  for (let seq = store.position().streamSeq + 1; seq <= toSeq; seq++) {
    const message = await bus.jsm.streams.getMessage(streamNames.activity, { seq }).catch(() => null);
    const parsed = message === null ? undefined : parseActivity(message.data);
    if (parsed?.ok === true) {
      store.apply(parsed.event, seq);
      applied++;
    } else store.skip(seq);
  }
  return applied;
}

/** The highest stream sequence the durable consumer has acknowledged (0 when it does not exist yet). */
export async function ackFloor(bus: Bus, durable: string): Promise<number> {
  try {
    return (await bus.jsm.consumers.info(streamNames.activity, durable)).ack_floor.stream_seq;
  } catch {
    return 0;
  }
}
