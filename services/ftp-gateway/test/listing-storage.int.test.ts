import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadLedger } from '../src/adapters/partial-uploads.js';
import { HomeStorage } from '../src/adapters/storage.js';

// Listings on a real filesystem: entries are read in slices (synchronously while the filesystem is fast).
let root: string;
let storage: HomeStorage;
const home = (...parts: string[]) => join(root, 'alice', ...parts);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-listing-'));
  storage = await HomeStorage.open(root, 'alice', new UploadLedger('gw-1', 10_000));
  await mkdir(home('big'), { recursive: true });
  await Promise.all(Array.from({ length: 1_000 }, (_, i) => writeFile(home('big', `f${i}.txt`), 'x'.repeat(i))));
  await mkdir(home('big', 'sub'));
  await writeFile(join(root, 'outside.txt'), 'secret');
  await symlink(home('big', 'f7.txt'), home('big', 'inside-link'));
  await symlink(join(root, 'outside.txt'), home('big', 'outside-link'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a folder listing', () => {
  it('lists every entry of a folder bigger than one slice with its size and kind, resolves links inside the home and leaves out those leading outside', async () => {
    const entries = await storage.list('/big');
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(entries).toHaveLength(1_002);
    expect(byName.get('f999.txt')).toMatchObject({ isDirectory: false, size: 999 });
    expect(byName.get('f0.txt')).toMatchObject({ isDirectory: false, size: 0 });
    expect(byName.get('sub')).toMatchObject({ isDirectory: true, size: 0 });
    expect(byName.get('inside-link')).toMatchObject({ isDirectory: false, size: 7 });
    expect(byName.has('outside-link')).toBe(false);
  });
});
