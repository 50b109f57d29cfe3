import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, rm, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parsePartialUploadName, partialTargetKey, planAdoption, type PartialOnDisk, type WriterView } from '../domain/partial-upload.js';

/**
 * The uploads this gateway process is writing (ADR 0006). Each one touches its
 * partial every third of `staleAfterMs`, so other gateways can tell a live
 * writer, even one whose client pauses, from a dead one.
 */
export class UploadLedger {
  private readonly live = new Set<string>();

  constructor(
    readonly gateway: string,
    readonly staleAfterMs: number,
  ) {}

  /** Starts tracking the upload `token` writing `tempPath`; the returned function ends it. */
  track(token: string, tempPath: string): () => void {
    this.live.add(token);
    // A failed touch (the file was just committed or removed) only makes the partial look stale sooner; writes report real errors.
    const touch = setInterval(() => void utimes(tempPath, new Date(), new Date()).catch(() => undefined), Math.max(100, Math.floor(this.staleAfterMs / 3)));
    touch.unref();
    return () => {
      clearInterval(touch);
      this.live.delete(token);
    };
  }

  newToken(): string {
    return randomBytes(8).toString('hex');
  }

  /** Compared with file modification times, so the wall clock, not an injected one. */
  view(): WriterView {
    return { self: this.gateway, liveTokens: this.live, nowMs: Date.now(), staleAfterMs: this.staleAfterMs };
  }
}

/**
 * Makes `target` the partial a gone writer left for it, if one is worth
 * resuming, and removes the other partials of gone writers. Raw fs errors
 * propagate (the caller maps them); a partial that vanishes meanwhile was
 * committed, adopted or swept by someone else, which is fine.
 */
export async function adoptAbandonedPartial(target: string, view: WriterView): Promise<void> {
  const folder = dirname(target);
  const key = partialTargetKey(basename(target));
  const names = await readdir(folder);
  const partials = await Promise.all(
    names.map(async (fileName): Promise<PartialOnDisk | undefined> => {
      const name = parsePartialUploadName(fileName);
      if (name?.targetKey !== key) return undefined;
      const info = await lstat(join(folder, fileName)).catch(ignoreMissing);
      return info?.isFile() ? { fileName, name, modifiedAtMs: info.mtimeMs } : undefined;
    }),
  );
  const found = partials.filter((partial): partial is PartialOnDisk => partial !== undefined);
  if (found.length === 0) return;
  const current = await lstat(target).catch(ignoreMissing);
  if (current?.isDirectory()) return;
  const plan = planAdoption(found, current?.mtimeMs, view);
  await Promise.all(plan.discard.map((partial) => rm(join(folder, partial.fileName), { force: true })));
  if (plan.adopt !== undefined) await rename(join(folder, plan.adopt.fileName), target).catch(ignoreMissing);
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  throw error;
}
