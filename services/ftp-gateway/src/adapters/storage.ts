import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat, truncate, unlink } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { DirEntry } from '../domain/listing.js';
import { baseName, UPLOAD_TEMP_PREFIX } from '../domain/paths.js';
import { GatewayError } from '../domain/errors.js';
import { partialUploadFileName } from '../domain/partial-upload.js';
import { adoptAbandonedPartial, type UploadLedger } from './partial-uploads.js';

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
  ) {}

  /** Opens (creating it when missing) the home `relativeHome` under `root`. */
  static async open(root: string, relativeHome: string, uploads: UploadLedger): Promise<HomeStorage> {
    const realRoot = await realpath(root);
    const wanted = join(realRoot, relativeHome);
    await mkdir(wanted, { recursive: true });
    const home = await realpath(wanted);
    if (!isInside(realRoot, home)) throw new GatewayError('PATH_NOT_FOUND', `home ${relativeHome} leaves the storage root`);
    return new HomeStorage(home, uploads);
  }

  /** What SIZE, MDTM and MLST report: a partial left by a gone writer is adopted first, so a client can resume it. */
  async stat(path: string): Promise<DirEntry> {
    await this.adoptAbandonedAt(path);
    return this.describe(path);
  }

  private async describe(path: string): Promise<DirEntry> {
    const real = await this.existing(path);
    const info = await wrap(stat(real));
    return { name: baseName(path) || '/', isDirectory: info.isDirectory(), size: info.isDirectory() ? 0 : info.size, mtime: info.mtime };
  }

  /** A folder's entries (a file lists as itself); links leading outside the home are left out. */
  async list(path: string): Promise<DirEntry[]> {
    const real = await this.existing(path);
    const info = await wrap(stat(real));
    if (!info.isDirectory()) return [await this.describe(path)];
    const names = await wrap(readdir(real));
    const entries = await Promise.all(names.filter((name) => !name.startsWith(UPLOAD_TEMP_PREFIX)).map((name) => this.entryIn(real, name)));
    return entries.filter((entry): entry is DirEntry => entry !== undefined);
  }

  async isDirectory(path: string): Promise<boolean> {
    return (await this.describe(path)).isDirectory;
  }

  async openRead(path: string, offset: number): Promise<{ stream: ReadStream; size: number }> {
    await this.adoptAbandonedAt(path);
    const real = await this.existing(path);
    const info = await wrap(stat(real));
    if (!info.isFile()) throw new GatewayError('NOT_A_FILE', `${path} is not a file`);
    if (offset > info.size) throw new GatewayError('OFFSET_INVALID', `offset ${offset} beyond ${info.size}`);
    return { stream: createReadStream(real, { start: offset, highWaterMark: 256 * 1024 }), size: info.size };
  }

  /**
   * Starts an upload into a temp file beside the target, named after it and
   * this gateway (ADR 0006); `offset` (REST) or `append` continue the existing
   * file, after adopting a partial that a gone writer left for it.
   */
  async beginUpload(path: string, options: { offset: number; append: boolean }): Promise<Upload> {
    const target = await this.writable(path);
    await wrap(adoptAbandonedPartial(target, this.uploads.view()));
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isDirectory()) throw new GatewayError('NOT_A_FILE', `${path} is a directory`);
    await this.sweepStaleUploads(dirname(target));
    const size = existing?.size ?? 0;
    const offset = options.append ? size : options.offset;
    if (offset > size) throw new GatewayError('OFFSET_INVALID', `offset ${offset} beyond ${size}`);
    const keepable = existing === undefined || offset > 0;
    const token = this.uploads.newToken();
    const temp = join(dirname(target), partialUploadFileName(basename(target), { gateway: this.uploads.gateway, token, kind: keepable ? 'resume' : 'replace' }));
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
    const stream = createWriteStream(temp, { flags: offset > 0 ? 'r+' : 'wx', start: offset });
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
    await this.removeUploadLeftovers(real);
    await wrap(rmdir(real));
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

  /** Adopts the partial a gone writer left for `path`, if any (ADR 0006). */
  private async adoptAbandonedAt(path: string): Promise<void> {
    if (baseName(path) === '') return;
    // A missing folder or a link leading out holds no partial to adopt; the operation itself then reports the path.
    const target = await this.writable(path).catch(() => undefined);
    if (target !== undefined) await wrap(adoptAbandonedPartial(target, this.uploads.view()));
  }

  /** The real path of something that exists inside the home. */
  private async existing(path: string): Promise<string> {
    const real = await wrap(realpath(join(this.home, path)));
    if (!isInside(this.home, real)) throw new GatewayError('PATH_NOT_FOUND', `${path} leads outside the home`);
    return real;
  }

  /** The real path to create, replace or remove: its folder must be inside the home; an existing link is the link itself. */
  private async writable(path: string): Promise<string> {
    const name = baseName(path);
    if (name === '') return this.home;
    const folder = await this.existing(dirname(path));
    const target = join(folder, name);
    const link = await lstat(target).catch(() => undefined);
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

  /** Temp files of uploads whose gateway died: untouched for an hour, nobody is writing them any more. */
  private async sweepStaleUploads(folder: string): Promise<void> {
    const names = await readdir(folder).catch(() => [] as string[]);
    const cutoff = Date.now() - STALE_UPLOAD_MS;
    await Promise.all(
      names
        .filter((name) => name.startsWith(UPLOAD_TEMP_PREFIX))
        .map(async (name) => {
          const info = await lstat(join(folder, name)).catch(() => undefined);
          if (info !== undefined && info.mtimeMs < cutoff) await rm(join(folder, name), { force: true });
        }),
    );
  }

  private async removeUploadLeftovers(folder: string): Promise<void> {
    const names = await readdir(folder).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => name.startsWith(UPLOAD_TEMP_PREFIX)).map((name) => rm(join(folder, name), { force: true })));
  }
}

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
