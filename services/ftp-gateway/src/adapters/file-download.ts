import { createReadStream, read, readSync, type ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FsPace } from '../domain/fs-pace.js';
import { BufferPool } from './buffer-pool.js';

const READ_CHUNK = 256 * 1024;

/** 64 × 256 KiB = 16 MiB at most kept between downloads. */
const chunks = new BufferPool(READ_CHUNK, 64);

/** What a read of the opened file needs; errors are the caller's to translate. */
export interface OpenedFile {
  readonly fd: number | FileHandle;
  /** Where the download starts (REST) and the size of the file when it was opened. */
  readonly offset: number;
  readonly size: number;
  /** The file's path, for the ASCII-mode stream. */
  readonly path: string;
  readonly pace: FsPace;
  readonly close: () => Promise<void>;
  readonly translate: (error: unknown) => Error;
}

/**
 * One download of an opened file: exactly the bytes from its offset to the size it had
 * when it was opened, so an upload that replaces the path meanwhile (a rename) can
 * neither cut it short nor lengthen it.
 */
export class FileDownload {
  private read = 0;
  private closed = false;
  private asciiStream: ReadStream | undefined;

  constructor(private readonly file: OpenedFile) {}

  get size(): number {
    return this.file.size;
  }

  /** File bytes read so far; a download cut short may count one chunk the client never got. */
  get bytesRead(): number {
    return this.read;
  }

  /**
   * Writes the bytes to `target` and ends it. Two pooled buffers take turns (the next
   * chunk is read while the last is written), and a buffer is reused only after the
   * target's write callback: a socket (plain or TLS) is done with a chunk by then.
   * Not for a target that keeps references to what it was given (a PassThrough).
   */
  async sendTo(target: Writable): Promise<void> {
    const pair: Buffer[] = [];
    const bufferAt = (turn: number): Buffer => (pair[turn] ??= chunks.take(this.file.size - this.file.offset));
    try {
      let position = this.file.offset;
      let turn = 0;
      let pending = position < this.file.size ? this.readAt(bufferAt(turn), position) : undefined;
      while (pending !== undefined) {
        const buffer = bufferAt(turn);
        const bytes = await pending;
        pending = undefined;
        // The file shrank under us (truncated in place): send what there was.
        if (bytes === 0) break;
        position += bytes;
        this.read += bytes;
        const written = writeChunk(target, buffer.subarray(0, bytes));
        turn = 1 - turn;
        if (position < this.file.size) pending = this.readAt(bufferAt(turn), position);
        const reading = pending;
        await written.catch(async (error: unknown) => {
          // The read in flight must end before its buffer goes back to the pool and the file is closed.
          await reading?.catch(() => undefined);
          throw error;
        });
      }
      target.end();
      await finished(target, { readable: false });
    } finally {
      for (const buffer of pair) chunks.give(buffer);
      await this.close();
    }
  }

  /** The bytes as a stream, for ASCII mode, where a transform stands between file and socket. The stream owns the file. */
  stream(): ReadStream {
    const { fd, path, offset, size } = this.file;
    const remaining = size - offset;
    // An empty remainder: no end (end must be ≥ start) and the smallest read, which finds EOF at once.
    const window = remaining <= 0 ? { highWaterMark: 1 } : { end: size - 1, highWaterMark: Math.min(remaining, READ_CHUNK) };
    const stream = createReadStream(path, { fd, start: offset, ...window });
    stream.on('data', (chunk: Buffer | string) => {
      this.read += chunk.length;
    });
    this.asciiStream = stream;
    return stream;
  }

  /** Closes the file (or the stream that owns it); safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.asciiStream !== undefined) this.asciiStream.destroy();
    else await this.file.close();
  }

  private readAt(buffer: Buffer, position: number): Promise<number> {
    const { fd, size, pace, translate } = this.file;
    const length = Math.min(buffer.length, size - position);
    const reading =
      typeof fd === 'number'
        ? pace.run(
            () => readSync(fd, buffer, 0, length, position),
            () => new Promise<number>((resolve, reject) => read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)))),
          )
        : fd.read(buffer, 0, length, position).then((result) => result.bytesRead);
    return reading.catch((error: unknown) => Promise.reject(translate(error)));
  }
}

function writeChunk(target: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    target.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}
