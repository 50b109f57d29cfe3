import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, rmdir, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../domain/errors.js';
import { UPLOAD_TEMP_PREFIX } from '../domain/paths.js';
import {
  isWriterGone,
  parsePartialUploadName,
  partialTargetKey,
  partialUploadFileName,
  planAdoption,
  PARTIALS_FOLDER,
  SweepSchedule,
  type PartialOnDisk,
  type PartialUploadName,
  type WriterView,
} from '../domain/partial-upload.js';

/** A folder's stale partials are looked for at most this often by one gateway process. */
const SWEEP_INTERVAL_MS = 60_000;
/** Folders whose last sweep a gateway process remembers (a forgotten one is merely swept again). */
const SWEEP_MEMORY = 10_000;

/**
 * The uploads this gateway process is writing (ADR 0006). Each one touches its
 * partial every third of `staleAfterMs`, so other gateways can tell a live
 * writer, even one whose client pauses, from a dead one.
 */
export class UploadLedger {
  private readonly live = new Set<string>();
  private readonly sweeps = new SweepSchedule(SWEEP_INTERVAL_MS, SWEEP_MEMORY);

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

  /** Whether this process should sweep `folder`'s stale partials now: once a minute per folder at most. */
  sweepDue(folder: string): boolean {
    return this.sweeps.claim(folder, Date.now());
  }
}

/** Where the partial of an upload into `target` by `writer` is written. */
export function partialPathFor(target: string, writer: Omit<PartialUploadName, 'targetKey'>): string {
  return join(dirname(target), PARTIALS_FOLDER, partialUploadFileName(basename(target), writer));
}

/**
 * The names in `folder`'s partials subfolder, or undefined when it has none: a
 * folder nobody uploaded into costs one failed open, whatever it holds.
 */
export async function listPartials(folder: string): Promise<string[] | undefined> {
  return readdir(join(folder, PARTIALS_FOLDER)).catch(ignoreMissing);
}

/** listPartials with synchronous calls, for a fast filesystem (domain/fs-pace.ts); a missing subfolder costs one lstat and no exception. */
export function listPartialsSync(folder: string): string[] | undefined {
  const partials = join(folder, PARTIALS_FOLDER);
  if (lstatSync(partials, { throwIfNoEntry: false }) === undefined) return undefined;
  try {
    return readdirSync(partials);
  } catch (error) {
    return ignoreMissing(error);
  }
}

/** Creates `folder`'s partials subfolder; another upload creating it at the same time is fine. */
export async function createPartialsFolder(folder: string): Promise<void> {
  await mkdir(join(folder, PARTIALS_FOLDER)).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EEXIST') throw error;
  });
}

/**
 * Makes `target` the partial a gone writer left for it, if one is worth
 * resuming, and removes the other partials of gone writers. `listed` is what
 * listPartials found in the target's folder. Raw fs errors propagate (the
 * caller maps them); a partial that vanishes meanwhile was committed, adopted
 * or swept by someone else, which is fine.
 */
export async function adoptAbandonedPartial(target: string, view: WriterView, listed: readonly string[]): Promise<void> {
  const folder = join(dirname(target), PARTIALS_FOLDER);
  const key = partialTargetKey(basename(target));
  const partials = await Promise.all(
    listed.map(async (fileName): Promise<PartialOnDisk | undefined> => {
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

/** Removes the partials in `folder`'s subfolder (of `listed`) untouched since `cutoffMs`: nobody came back to resume them. */
export async function sweepStalePartials(folder: string, listed: readonly string[], cutoffMs: number): Promise<void> {
  const partials = join(folder, PARTIALS_FOLDER);
  await Promise.all(
    listed.map(async (fileName) => {
      const info = await lstat(join(partials, fileName)).catch(ignoreMissing);
      if (info !== undefined && info.mtimeMs < cutoffMs) await rm(join(partials, fileName), { force: true });
    }),
  );
}

/**
 * Clears what uploads left in `folder` so that RMD can remove it, but only when
 * nothing else is in it: the partials subfolder (unless a live writer still has
 * a partial there: DIRECTORY_NOT_EMPTY) and temp files that earlier versions
 * wrote beside their targets. Reads the folder, which RMD does only once a plain
 * rmdir found it not empty.
 */
export async function clearUploadLeftovers(folder: string, view: WriterView): Promise<void> {
  const names = await readdir(folder);
  if (names.some((name) => !name.startsWith(UPLOAD_TEMP_PREFIX))) return;
  if (names.includes(PARTIALS_FOLDER)) await removePartialsFolder(folder, view);
  await Promise.all(names.filter((name) => name !== PARTIALS_FOLDER).map((name) => rm(join(folder, name), { force: true })));
}

async function removePartialsFolder(folder: string, view: WriterView): Promise<void> {
  const partials = join(folder, PARTIALS_FOLDER);
  const names = (await readdir(partials).catch(ignoreMissing)) ?? [];
  const live = await Promise.all(
    names.map(async (fileName) => {
      const name = parsePartialUploadName(fileName);
      const info = name === undefined ? undefined : await lstat(join(partials, fileName)).catch(ignoreMissing);
      return name !== undefined && info !== undefined && !isWriterGone(name, info.mtimeMs, view);
    }),
  );
  // Removing it would fail that upload at its commit; the client may retry once the upload has ended.
  if (live.includes(true)) throw new GatewayError('DIRECTORY_NOT_EMPTY', 'an upload into the folder is in progress');
  await Promise.all(names.map((fileName) => rm(join(partials, fileName), { force: true })));
  await rmdir(partials).catch(ignoreMissing);
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  throw error;
}
