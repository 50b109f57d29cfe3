import type { Bus } from '@ferry/bus';
import type { Logger } from '@ferry/telemetry';
import { catchUp } from './catch-up.js';
import { ProjectionStore } from './projection-store.js';
import type { StoreFiles, StoreHolder } from './store-files.js';

/**
 * Watches CURRENT: when a rebuild points it at a new file, opens that store, catches
 * it up to the live store's position (first freely, then once more with the consumer
 * paused), swaps it in and removes the old file. Queries keep reading the old store
 * until the swap, then the new one: no downtime.
 */
export function watchForRebuild(bus: Bus, files: StoreFiles, holder: StoreHolder, logger: Logger, intervalMs: number): { stop(): void } {
  let busy = false;
  let failed: string | undefined;
  const check = async () => {
    const file = files.currentFile();
    if (busy || file === holder.current.file || file === failed) return;
    busy = true;
    try {
      const next = new ProjectionStore(file);
      await catchUp(bus, next, holder.current.position().streamSeq);
      await holder.exclusive(async () => {
        await catchUp(bus, next, holder.current.position().streamSeq);
        const previous = holder.swap(next);
        previous.close();
        files.remove(previous.file);
      });
      logger.info({ store: file, position: next.position() }, 'rebuilt projection swapped in');
    } catch (error) {
      failed = file;
      logger.error({ err: error, store: file }, 'could not swap in the rebuilt projection; still serving the previous one');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  return { stop: () => clearInterval(timer) };
}
