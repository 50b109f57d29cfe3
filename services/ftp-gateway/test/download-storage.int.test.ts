import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
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

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
    const { stream, size } = await storageOf().openRead(`/${name}`, offset);
    const received = await readAll(stream);
    expect(size).toBe(content.length);
    expect(received.equals(content.subarray(offset))).toBe(true);
    expect(stream.bytesRead).toBe(content.length - offset);
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
    const { stream, size } = await storageOf().openRead('/report.csv', 0);
    // What a finished upload does: its temp file is renamed over the target.
    await writeFile(home('report.csv.next'), after);
    await rename(home('report.csv.next'), home('report.csv'));
    const received = await readAll(stream);
    expect(size).toBe(before.length);
    expect(received.equals(before)).toBe(true);
    const again = await storageOf().openRead('/report.csv', 0);
    expect((await readAll(again.stream)).equals(after)).toBe(true);
  });
});
