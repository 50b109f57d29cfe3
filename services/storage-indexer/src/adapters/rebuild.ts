import { streamNames } from '@ferry/contracts';
import type { Bus } from '@ferry/bus';
import { parseActivity } from './parse.js';
import { formatProgress } from '../domain/progress.js';
import { ProjectionStore, type BatchItem } from './projection-store.js';
import type { StoreFiles } from './store-files.js';

export interface RebuildOptions {
  readonly files: StoreFiles;
  /** Where the progress line goes (stderr); called at most every `progressEveryMs`. */
  readonly progress: (line: string, final: boolean) => void;
  readonly progressEveryMs?: number;
  readonly clock?: () => number;
  /** Messages per transaction while replaying. */
  readonly batch?: number;
}

export interface RebuildResult {
  readonly file: string;
  readonly events: number;
  readonly lastSeq: number;
}

/**
 * Replays FERRY_ACTIVITY from the start into a fresh store file with an ordered
 * consumer, up to the stream's last sequence when the rebuild began, then points
 * CURRENT at the new file. A running indexer sees CURRENT change, catches the new
 * store up to its own position and swaps it in while the API keeps answering.
 */
export async function rebuild(bus: Bus, options: RebuildOptions): Promise<RebuildResult> {
  const clock = options.clock ?? (() => Date.now());
  const info = await bus.jsm.streams.info(streamNames.activity);
  const file = options.files.nextFile();
  const store = new ProjectionStore(file);
  const started = clock();
  let done = 0;
  try {
    if (info.state.messages > 0) {
      let reported = started;
      done = await replayInto(bus, store, info.state.last_seq, options.batch ?? 1_000, (count) => {
        if (clock() - reported < (options.progressEveryMs ?? 250)) return;
        reported = clock();
        options.progress(formatProgress({ done: count, total: info.state.messages, elapsedMs: reported - started }), false);
      });
    }
    options.progress(formatProgress({ done, total: Math.max(info.state.messages, done), elapsedMs: clock() - started }), true);
  } finally {
    store.close();
  }
  options.files.point(file);
  return { file, events: done, lastSeq: info.state.last_seq };
}

/** Reads the stream from its first message to `lastSeq` with an ordered consumer, `batch` messages per transaction. */
async function replayInto(bus: Bus, store: ProjectionStore, lastSeq: number, batch: number, onProgress: (done: number) => void): Promise<number> {
  const consumer = await bus.js.consumers.get(streamNames.activity);
  const messages = await consumer.consume({ max_messages: 1_000 });
  let pending: BatchItem[] = [];
  let done = 0;
  for await (const message of messages) {
    const parsed = parseActivity(message.data);
    pending.push(parsed.ok ? { event: parsed.event, seq: message.seq } : { seq: message.seq });
    done++;
    const last = message.seq >= lastSeq;
    if (pending.length >= batch || last) {
      store.applyBatch(pending);
      pending = [];
    }
    onProgress(done);
    if (last) break;
  }
  await messages.close();
  return done;
}
