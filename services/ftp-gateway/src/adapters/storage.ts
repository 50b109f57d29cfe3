import { closeSync, createWriteStream, fstatSync, lstatSync, openSync, realpathSync, type Stats, type WriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, realpath, rename, rmdir, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FsPace } from '../domain/fs-pace.js';
import type { DirEntry } from '../domain/listing.js';
import { baseName, UPLOAD_TEMP_PREFIX } from '../domain/paths.js';
import { GatewayError } from '../domain/errors.js';
import { FileDownload } from './file-download.js';
import {
  adoptAbandonedPartial,
  clearUploadLeftovers,
  createPartialsFolder,
  listPartials,
  listPartialsSync,
  partialPathFor,
  sweepStalePartials,
  type UploadLedger,
} from './partial-uploads.js';

export interface Upload {
  readonly stream: WriteStream;
  /** Where the upload started in the file (REST or APPE). */
  readonly offset: number;
  /** Moves the finished upload into place: readers see the whole file at once. */
  commit(): Promise<void>;
  /** Drops the upload; with `keepPartial` (a resume or a new file) what arrived is moved into place so the client can resume it. */
  abandon(keepPartial: boolean): Promise<void>;
}

/**
 * One user's home on the shared POSIX root. Every path it takes is a
 * normalised virtual path ("/a/b", from domain/paths.ts); every disk path it
 * touches is checked with realpath to be inside the home, so a symlink can
 * neither lead out nor reveal what lies outside.
 */
export class HomeStorage {
  private constructor(
    private readonly home: string,
    private readonly uploads: UploadLedger,
    private readonly pace: FsPace,
  ) {}

  /** Opens (creating it when missing) the home `relativeHome` under `root`. */
  static async open(root: string, relativeHome: string, uploads: UploadLedger, pace = new FsPace()): Promise<HomeStorage> {
    const realRoot = await realpath(root);
    const wanted = join(realRoot, relativeHome);
    await mkdir(wanted, { recursive: true });
    const home = await realpath(wanted);
    if (!isInside(realRoot, home)) throw new GatewayError('PATH_NOT_FOUND', `home ${relativeHome} leaves the storage root`);
    return new HomeStorage(home, uploads, pace);
  }

  /** What SIZE, MDTM and MLST report: a partial left by a gone writer is adopted first, so a client can resume it. */
  async stat(path: string): Promise<DirEntry> {
    return this.describe(path, await this.adoptAbandonedAt(path));
  }

  private async describe(path: string, folder?: string): Promise<DirEntry> {
    const { info } = await this.inspect(path, folder);
    return { name: baseName(path) || '/', isDirectory: info.isDirectory(), size: info.isDirectory() ? 0 : info.size, mtime: info.mtime };
  }

  /** A folder's entries (a file lists as itself); links leading outside the home are left out. */
  async list(path: string): Promise<DirEntry[]> {
    const real = await this.existing(path);
    const info = await wrap(stat(real));
    if (!info.isDirectory()) return [await this.describe(path)];
    const names = (await wrap(readdir(real))).filter((name) => !name.startsWith(UPLOAD_TEMP_PREFIX));
    return this.entriesIn(real, names);
  }

  /**
   * The entries of a big folder, in slices with a turn of the event loop between them.
   * On a local filesystem an lstat takes microseconds and its async form costs ten times
   * that in thread-pool round trips (a 10,000-entry LIST took 0.2 s of gateway CPU,
   * issue 7), so entries are read synchronously — until the filesystem turns out slow
   * (a network mount): then the rest goes async, never holding other sessions long.
   */
  private async entriesIn(folder: string, names: readonly string[]): Promise<DirEntry[]> {
    const entries: DirEntry[] = [];
    let sync = true;
    for (let first = 0; first < names.length; first += LIST_SLICE) {
      if (first > 0) await nextTurn();
      const slice = names.slice(first, first + LIST_SLICE);
      const started = performance.now();
      let next = 0;
      for (; sync && next < slice.length; next++) {
        const name = slice[next]!;
        const entry = this.plainEntrySync(folder, name);
        if (entry === 'link') {
          const resolved = await this.entryIn(folder, name);
          if (resolved !== undefined) entries.push(resolved);
        } else if (entry !== undefined) entries.push(entry);
        if (performance.now() - started > SLOW_SLICE_MS) sync = false;
      }
      const rest = await Promise.all(slice.slice(next).map((name) => this.entryIn(folder, name)));
      for (const entry of rest) if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  /** A listed entry read with one synchronous lstat; 'link' when a symbolic link needs resolving. */
  private plainEntrySync(folder: string, name: string): DirEntry | 'link' | undefined {
    try {
      const info = lstatSync(join(folder, name), { throwIfNoEntry: false });
      if (info === undefined) return undefined;
      if (info.isSymbolicLink()) return 'link';
      return { name, isDirectory: info.isDirectory(), size: info.isDirectory() ? 0 : info.size, mtime: info.mtime };
    } catch {
      return undefined;
    }
  }

  async isDirectory(path: string): Promise<boolean> {
    return (await this.describe(path)).isDirectory;
  }

  async openRead(path: string, offset: number): Promise<FileDownload> {
    const { real, info } = await this.inspect(path, await this.adoptAbandonedAt(path));
    if (!info.isFile()) throw new GatewayError('NOT_A_FILE', `${path} is not a file`);
    const { fd, size } = await this.openForRead(real);
    if (offset > size) {
      await closeFile(fd);
      throw new GatewayError('OFFSET_INVALID', `offset ${offset} beyond ${size}`);
    }
    return new FileDownload({ fd, offset, size, path: real, pace: this.pace, close: () => closeFile(fd), translate: toGatewayError });
  }

  /**
   * The file opened for reading and its size: from the opened file itself, so an upload
   * that replaces the path meanwhile (a rename) can neither cut the download short nor lengthen it.
   */
  private openForRead(real: string): Promise<{ fd: number | FileHandle; size: number }> {
    return this.pace.run<{ fd: number | FileHandle; size: number }>(
      () => {
        const fd = wrapSync(() => openSync(real, 'r'));
        try {
          return { fd, size: fstatSync(fd).size };
        } catch (error) {
          closeSync(fd);
          throw toGatewayError(error);
        }
      },
      async () => {
        const file = await wrap(open(real, 'r'));
        try {
          return { fd: file, size: (await file.stat()).size };
        } catch (error) {
          await file.close();
          throw toGatewayError(error);
        }
      },
    );
  }

  /**
   * Starts an upload into a temp file in the partials subfolder of the target's
   * folder, named after the target and this gateway (ADR 0006); `offset` (REST)
   * or `append` continue the existing file, after adopting a partial that a gone
   * writer left for it.
   */
  async beginUpload(path: string, options: { offset: number; append: boolean }): Promise<Upload> {
    const target = await this.writable(path);
    const folder = dirname(target);
    const partials = await this.partialsIn(folder);
    if (partials !== undefined && partials.length > 0) await wrap(adoptAbandonedPartial(target, this.uploads.view(), partials));
    const existing = await this.lstatIfAny(target);
    if (existing?.isDirectory()) throw new GatewayError('NOT_A_FILE', `${path} is a directory`);
    if (partials === undefined) await wrap(createPartialsFolder(folder));
    else if (this.uploads.sweepDue(folder)) await wrap(sweepStalePartials(folder, partials, Date.now() - STALE_UPLOAD_MS));
    const size = existing?.size ?? 0;
    const offset = options.append ? size : options.offset;
    if (offset > size) throw new GatewayError('OFFSET_INVALID', `offset ${offset} beyond ${size}`);
    const keepable = existing === undefined || offset > 0;
    const token = this.uploads.newToken();
    const temp = partialPathFor(target, { gateway: this.uploads.gateway, token, kind: keepable ? 'resume' : 'replace' });
    // Live from before the file exists: no other request of this gateway may take it for an earlier life's leftover.
    const release = this.uploads.track(token, temp);
    try {
      if (offset > 0) {
        await wrap(copyFile(target, temp));
        await wrap(truncate(temp, offset));
      }
    } catch (error) {
      release();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // 1 MiB of buffer: the socket delivers 64 KiB pieces, and with the default 16 KiB every piece
    // paused the client until the disk write drained; buffered pieces are written together (writev).
    const stream = createWriteStream(temp, { flags: offset > 0 ? 'r+' : 'wx', start: offset, highWaterMark: 1024 * 1024 });
    // Released only after the rename: until then the partial is this upload's, not a leftover to adopt.
    const settle = async (move: boolean) => {
      try {
        if (move) await wrap(rename(temp, target));
        else await unlink(temp).catch(() => undefined);
      } finally {
        release();
      }
    };
    return {
      stream,
      offset,
      commit: () => settle(true),
      abandon: (keepPartial) => settle(keepPartial && keepable),
    };
  }

  async mkdir(path: string): Promise<void> {
    const target = await this.writable(path);
    await wrap(mkdir(target));
  }

  async rmdir(path: string): Promise<void> {
    const real = await this.existing(path);
    if (real === this.home) throw new GatewayError('PERMISSION_DENIED', 'the home itself cannot be removed');
    try {
      await rmdir(real);
    } catch (error) {
      // POSIX lets rmdir say EEXIST for a folder that is not empty; Linux says ENOTEMPTY.
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw toGatewayError(error);
      // Only what uploads left may stand in the way; anything else keeps the folder, and its partials, as they are.
      await wrap(clearUploadLeftovers(real, this.uploads.view()));
      await wrap(rmdir(real));
    }
  }

  /** Deletes a file; returns its size. */
  async delete(path: string): Promise<number> {
    const target = await this.writable(path);
    const info = await wrap(lstat(target));
    if (info.isDirectory()) throw new GatewayError('NOT_A_FILE', `${path} is a directory`);
    await wrap(unlink(target));
    return info.size;
  }

  async rename(from: string, to: string): Promise<{ isDirectory: boolean }> {
    const source = await this.writable(from);
    const info = await wrap(lstat(source));
    const target = await this.writable(to);
    if (source === this.home) throw new GatewayError('PERMISSION_DENIED', 'the home itself cannot be renamed');
    await wrap(rename(source, target));
    return { isDirectory: info.isDirectory() };
  }

  /**
   * Adopts the partial a gone writer left for `path`, if any (ADR 0006), and
   * returns the real folder it looked in. Reads only the folder's partials
   * subfolder: in a folder nobody uploaded into, one failed open, however many
   * entries it has (issue 7).
   */
  private async adoptAbandonedAt(path: string): Promise<string | undefined> {
    const name = baseName(path);
    if (name === '') return undefined;
    // A missing folder holds no partial to adopt; the operation itself then reports the path.
    const folder = await this.existing(dirname(path)).catch(() => undefined);
    if (folder === undefined) return undefined;
    const partials = await this.partialsIn(folder);
    // An adopted partial replaces the entry itself, as the upload's own commit would: a link in its place included.
    if (partials !== undefined && partials.length > 0) await wrap(adoptAbandonedPartial(join(folder, name), this.uploads.view(), partials));
    return folder;
  }

  /**
   * Where `path` really is and what is there, given its real `folder` when known.
   * The folder is inside the home, so only a link can lead out: a plain entry
   * costs one lstat, a link a realpath and a stat (a RETR used to resolve the
   * whole path twice, issue 7).
   */
  private async inspect(path: string, folder?: string): Promise<{ real: string; info: Stats }> {
    const name = baseName(path);
    if (name === '') return { real: this.home, info: await wrap(stat(this.home)) };
    const entry = join(folder ?? (await this.existing(dirname(path))), name);
    const info = await this.pace.run(
      () => wrapSync(() => lstatSync(entry)),
      () => wrap(lstat(entry)),
    );
    if (!info.isSymbolicLink()) return { real: entry, info };
    const real = await this.existing(path);
    return { real, info: await wrap(stat(real)) };
  }

  /** The names in `folder`'s partials subfolder; undefined when it has none. */
  private partialsIn(folder: string): Promise<string[] | undefined> {
    return this.pace.run(
      () => wrapSync(() => listPartialsSync(folder)),
      () => wrap(listPartials(folder)),
    );
  }

  /** What is at `target` without following a link; undefined when nothing is (or it cannot be read). */
  private lstatIfAny(target: string): Promise<Stats | undefined> {
    return this.pace.run(
      () => {
        try {
          return lstatSync(target, { throwIfNoEntry: false });
        } catch {
          return undefined;
        }
      },
      () => lstat(target).catch(() => undefined),
    );
  }

  /** The real path of something that exists inside the home. */
  private async existing(path: string): Promise<string> {
    const full = join(this.home, path);
    const real = await this.pace.run(
      () => wrapSync(() => realpathSync.native(full)),
      () => wrap(realpath(full)),
    );
    if (!isInside(this.home, real)) throw new GatewayError('PATH_NOT_FOUND', `${path} leads outside the home`);
    return real;
  }

  /** The real path to create, replace or remove: its folder must be inside the home; an existing link is the link itself. */
  private async writable(path: string): Promise<string> {
    const name = baseName(path);
    if (name === '') return this.home;
    const folder = await this.existing(dirname(path));
    const target = join(folder, name);
    const link = await this.lstatIfAny(target);
    if (link?.isSymbolicLink()) {
      const resolved = await realpath(target).catch(() => undefined);
      if (resolved === undefined || !isInside(this.home, resolved)) throw new GatewayError('PATH_NOT_FOUND', `${path} leads outside the home`);
    }
    return target;
  }

  /**
   * One listed entry. The folder is inside the home, so only a symbolic link can lead
   * out of it: a plain entry costs one lstat, a link a realpath and a stat (a listing
   * of 10,000 files used to cost 20,000 calls, issue 7).
   */
  private async entryIn(folder: string, name: string): Promise<DirEntry | undefined> {
    const full = join(folder, name);
    try {
      let info = await lstat(full);
      if (info.isSymbolicLink()) {
        const real = await realpath(full);
        if (!isInside(this.home, real)) return undefined;
        info = await stat(real);
      }
      return { name, isDirectory: info.isDirectory(), size: info.isDirectory() ? 0 : info.size, mtime: info.mtime };
    } catch {
      return undefined;
    }
  }
}

/** Entries read per turn of the event loop while listing. */
const LIST_SLICE = 256;
/** Big files are read in chunks of this size; it is also the most a download holds in memory at once. */
/** A slice of synchronous lstats taking longer than this means a slow (network) filesystem. */
const SLOW_SLICE_MS = 4;

/** A partial untouched for this long is swept by the next upload into its folder: nobody came back to resume it. */
const STALE_UPLOAD_MS = 3_600_000;

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Node's fs errors become the gateway's closed family; the original is kept as the cause, for logs. */
async function wrap<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw toGatewayError(error);
  }
}

function wrapSync<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw toGatewayError(error);
  }
}

async function closeFile(fd: number | FileHandle): Promise<void> {
  if (typeof fd === 'number') closeSync(fd);
  else await fd.close();
}

export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new GatewayError('PATH_NOT_FOUND', 'no such file or directory', { cause: error });
    case 'ENOTDIR':
      return new GatewayError('NOT_A_DIRECTORY', 'not a directory', { cause: error });
    case 'EISDIR':
      return new GatewayError('NOT_A_FILE', 'is a directory', { cause: error });
    case 'ENOTEMPTY':
      return new GatewayError('DIRECTORY_NOT_EMPTY', 'directory not empty', { cause: error });
    case 'EEXIST':
      return new GatewayError('ALREADY_EXISTS', 'already exists', { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new GatewayError('PERMISSION_DENIED', 'the filesystem refused', { cause: error });
    case 'ENAMETOOLONG':
      return new GatewayError('PATH_INVALID', 'name too long', { cause: error });
    default:
      return new GatewayError('STORAGE_FAILED', 'storage operation failed', { retryable: true, cause: error });
  }
}
