import { createHash } from 'node:crypto';
import { UPLOAD_TEMP_PREFIX } from './paths.js';

/**
 * Uploads in progress, named so that any gateway sharing the storage root can
 * tell whose they are and which file they become (ADR 0006), in the partials
 * subfolder of their target's folder:
 *
 *   <folder>/.ferry-upload-partials/.ferry-upload-<target key>.<gateway id>.<token>.<kind>
 *
 * The target key is a hash of the target's name (names may be 255 bytes, so
 * the name itself does not fit); the kind says what an interrupted upload
 * leaves: `resume` (a new file, or a REST/APPE continuation) is kept for the
 * client to resume, `replace` (overwriting an existing file from byte 0) is
 * dropped, so the old file stays whole.
 */
export type PartialKind = 'resume' | 'replace';

export interface PartialUploadName {
  readonly targetKey: string;
  readonly gateway: string;
  readonly token: string;
  readonly kind: PartialKind;
}

/**
 * Every partial of a folder lives in this hidden subfolder of it, so finding a
 * folder's partials reads only them, never the folder's other entries (issue 7).
 * It starts with the temp prefix: listings skip it and clients cannot name it.
 */
export const PARTIALS_FOLDER = `${UPLOAD_TEMP_PREFIX}partials`;

const KEY_HEX = 24;
const NAME_PATTERN = new RegExp(`^${escape(UPLOAD_TEMP_PREFIX)}([0-9a-f]{${KEY_HEX}})\\.([a-z0-9][a-z0-9_-]{0,62})\\.([0-9a-f]{8,64})\\.(resume|replace)$`);

/** The key of a target's name inside its folder: the same on every gateway. */
export function partialTargetKey(targetName: string): string {
  return createHash('sha256').update(targetName, 'utf8').digest('hex').slice(0, KEY_HEX);
}

export function partialUploadFileName(targetName: string, writer: Omit<PartialUploadName, 'targetKey'>): string {
  return `${UPLOAD_TEMP_PREFIX}${partialTargetKey(targetName)}.${writer.gateway}.${writer.token}.${writer.kind}`;
}

/** undefined for any other name, including temp files of older versions (random names: swept, never adopted). */
export function parsePartialUploadName(fileName: string): PartialUploadName | undefined {
  const match = NAME_PATTERN.exec(fileName);
  if (match === null) return undefined;
  const [, targetKey = '', gateway = '', token = '', kind] = match;
  return { targetKey, gateway, token, kind: kind === 'resume' ? 'resume' : 'replace' };
}

/** What a gateway knows when it judges whether the writer of a partial is gone. */
export interface WriterView {
  /** This gateway's id. */
  readonly self: string;
  /** Tokens of the uploads this gateway process is writing right now. */
  readonly liveTokens: ReadonlySet<string>;
  readonly nowMs: number;
  /** A live writer touches its partial at least every third of this; untouched for this long, it is gone. */
  readonly staleAfterMs: number;
}

/**
 * The writer is gone when the partial is this gateway's but no upload of this
 * process writes it (an earlier life of the same gateway id), or when it is
 * another gateway's and nobody touched it for `staleAfterMs`.
 */
export function isWriterGone(partial: PartialUploadName, modifiedAtMs: number, view: WriterView): boolean {
  if (partial.gateway === view.self) return !view.liveTokens.has(partial.token);
  return view.nowMs - modifiedAtMs >= view.staleAfterMs;
}

export interface PartialOnDisk {
  readonly fileName: string;
  readonly name: PartialUploadName;
  readonly modifiedAtMs: number;
}

export interface AdoptionPlan {
  /** Becomes the target, as an aborted upload's partial does. */
  readonly adopt: PartialOnDisk | undefined;
  /** Left by gone writers and not worth keeping. */
  readonly discard: readonly PartialOnDisk[];
}

/**
 * Of the partials of one target whose writers are gone, the newest resumable
 * one is adopted unless the target was written after it (a completed upload
 * superseded it); every other gone partial is discarded. Live ones are left alone.
 */
export function planAdoption(partials: readonly PartialOnDisk[], targetModifiedAtMs: number | undefined, view: WriterView): AdoptionPlan {
  const gone = partials.filter((partial) => isWriterGone(partial.name, partial.modifiedAtMs, view));
  const candidates = gone
    .filter((partial) => partial.name.kind === 'resume' && (targetModifiedAtMs === undefined || partial.modifiedAtMs > targetModifiedAtMs))
    .sort((a, b) => b.modifiedAtMs - a.modifiedAtMs);
  const adopt = candidates[0];
  return { adopt, discard: gone.filter((partial) => partial !== adopt) };
}

/**
 * When this gateway process last swept each folder's stale partials: a folder is
 * due at most once per `intervalMs`. At most `capacity` folders are remembered;
 * the one swept longest ago is forgotten first, which only makes it due again.
 */
export class SweepSchedule {
  private readonly lastSweptAtMs = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly capacity: number,
  ) {}

  /** True when `folder` is due at `nowMs`; the sweep is then taken as done at `nowMs`. */
  claim(folder: string, nowMs: number): boolean {
    const last = this.lastSweptAtMs.get(folder);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    // Re-inserted so the map's order stays the order of the sweeps, oldest first.
    this.lastSweptAtMs.delete(folder);
    this.lastSweptAtMs.set(folder, nowMs);
    if (this.lastSweptAtMs.size > this.capacity) {
      const oldest = this.lastSweptAtMs.keys().next();
      if (oldest.done !== true) this.lastSweptAtMs.delete(oldest.value);
    }
    return true;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
