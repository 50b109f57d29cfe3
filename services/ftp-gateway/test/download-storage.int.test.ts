import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import type { FileDownload } from '../src/adapters/file-download.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadLedger } from '../src/adapters/partial-uploads.js';
import { HomeStorage } from '../src/adapters/storage.js';
import { FsPace } from '../src/domain/fs-pace.js';

// Downloads read from a real filesystem: the bytes a RETR sends, from any offset, and what a concurrent replacement does to them,
// with metadata calls made synchronously (a fast filesystem) and asynchronously (after a slow call: a network mount).
let root: string;
let storage: HomeStorage;
let slowStorage: HomeStorage;
const home = (...parts: string[]) => join(root, 'alice', ...parts);
const small = randomBytes(64 * 1024);
const big = randomBytes(1024 * 1024 + 333);
/** More than the kernel buffers of a loopback connection hold: writes stay pending while the next chunk is read. */
const huge = randomBytes(24 * 1024 * 1024 + 7);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a socket does with a written chunk: it is done with it by the write callback (here: a copy). */
async function sendAll(download: FileDownload): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await download.sendTo(new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(Buffer.from(chunk)), done()) }));
  return Buffer.concat(chunks);
}

/** How many descriptors of this process have `path` open (Linux). */
async function descriptorsOf(path: string): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target === path).length;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-download-'));
  await mkdir(home(), { recursive: true });
  storage = await HomeStorage.open(root, 'alice', new UploadLedger('gw-1', 10_000));
  let now = 0;
  const slowPace = new FsPace(1, Number.POSITIVE_INFINITY, () => now, 50);
  // One stalled call: from then on every metadata call of this pace is asynchronous.
  await slowPace.run(
    () => (now += 100),
    () => Promise.resolve(0),
  );
  slowStorage = await HomeStorage.open(root, 'alice', new UploadLedger('gw-1', 10_000), slowPace);
  expect(slowPace.synchronous).toBe(false);
  await writeFile(home('small.bin'), small);
  await writeFile(home('big.bin'), big);
  await writeFile(home('huge.bin'), huge);
  await writeFile(home('empty.bin'), '');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each([
  ['fast', () => storage],
  ['slow', () => slowStorage],
])('a download from a %s filesystem', (_pace, storageOf) => {
  it.each([
    ['a small file in one piece', 'small.bin', small, 0],
    ['a file bigger than one read chunk', 'big.bin', big, 0],
    ['a file from a REST offset', 'big.bin', big, 300_001],
    ['a file from an offset at its very end', 'small.bin', small, small.length],
    ['an empty file', 'empty.bin', Buffer.alloc(0), 0],
  ])('sends %s exactly, and says its size', async (_label, name, content, offset) => {
    const download = await storageOf().openRead(`/${name}`, offset);
    const received = await sendAll(download);
    expect(download.size).toBe(content.length);
    expect(received.equals(content.subarray(offset))).toBe(true);
    expect(download.bytesRead).toBe(content.length - offset);
  });

  it.each([
    ['a file bigger than one read chunk', 'big.bin', big, 0],
    ['a file from a REST offset', 'big.bin', big, 300_001],
    ['an empty file', 'empty.bin', Buffer.alloc(0), 0],
  ])('streams %s exactly for ASCII mode', async (_label, name, content, offset) => {
    const download = await storageOf().openRead(`/${name}`, offset);
    expect((await readAll(download.stream())).equals(content.subarray(offset))).toBe(true);
    expect(download.bytesRead).toBe(content.length - offset);
  });

  it('sends a file whole over a TCP connection whose reader is slower than the disk (its buffers are reused only once written)', async () => {
    const received: Buffer[] = [];
    const server = createServer((socket: Socket) => {
      // A reader that pauses after every chunk keeps writes pending while the next chunk is read.
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = new Promise<void>((resolve) => server.on('connection', (socket: Socket) => socket.on('end', resolve)));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    const download = await storageOf().openRead('/huge.bin', 0);
    await download.sendTo(client);
    await closed;
    client.destroy();
    server.close();
    expect(Buffer.concat(received).equals(huge)).toBe(true);
  });

  it('fails when the connection is gone, and closes the file', async () => {
    const download = await storageOf().openRead('/big.bin', 0);
    expect(await descriptorsOf(home('big.bin'))).toBe(1);
    const gone = new Writable({ write: (_chunk, _encoding, done) => done() });
    gone.destroy();
    await expect(download.sendTo(gone)).rejects.toThrow();
    expect(await descriptorsOf(home('big.bin'))).toBe(0);
  });

  it('refuses an offset beyond the end of the file, naming both', async () => {
    await expect(storageOf().openRead('/small.bin', small.length + 1)).rejects.toMatchObject({ code: 'OFFSET_INVALID', message: `offset ${small.length + 1} beyond ${small.length}` });
  });

  it('says a missing file, or one in a missing folder, is not found', async () => {
    await expect(storageOf().openRead('/missing.bin', 0)).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    await expect(storageOf().openRead('/nowhere/missing.bin', 0)).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
  });

  it('refuses a folder', async () => {
    await mkdir(home('folder'), { recursive: true });
    await expect(storageOf().openRead('/folder', 0)).rejects.toMatchObject({ code: 'NOT_A_FILE' });
  });

  it('sends the file it opened, whole, when an upload replaces it before the first byte is read', async () => {
    const before = randomBytes(100_000);
    const after = randomBytes(700_000);
    await writeFile(home('report.csv'), before);
    const download = await storageOf().openRead('/report.csv', 0);
    // What a finished upload does: its temp file is renamed over the target.
    await writeFile(home('report.csv.next'), after);
    await rename(home('report.csv.next'), home('report.csv'));
    const received = await sendAll(download);
    expect(download.size).toBe(before.length);
    expect(received.equals(before)).toBe(true);
    const again = await storageOf().openRead('/report.csv', 0);
    expect((await sendAll(again)).equals(after)).toBe(true);
  });
});
