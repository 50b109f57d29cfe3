import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './system.js';

/** Writes `bytes` of random data in 1 MiB chunks (incompressible, like real payloads). */
async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === bytes) return;
  const file = await open(path, 'w');
  try {
    const chunk = randomBytes(2 ** 20);
    for (let written = 0; written < bytes; written += chunk.length) await file.write(chunk, 0, Math.min(chunk.length, bytes - written));
  } finally {
    await file.close();
  }
}

export interface Fixtures {
  readonly bigLocal: string;
  readonly smallLocalDir: string;
}

/** Local files the client uploads (kept in the page cache: /dev/shm when it exists). */
export async function makeLocalFixtures(dir: string, bigBytes: number, smallCount: number): Promise<Fixtures> {
  await mkdir(join(dir, 'small'), { recursive: true });
  const bigLocal = join(dir, 'big.bin');
  await writeRandomFile(bigLocal, bigBytes);
  const small = randomBytes(64 * 1024);
  await Promise.all(Array.from({ length: smallCount }, (_, i) => writeFile(join(dir, 'small', `f${String(i).padStart(5, '0')}.bin`), small)));
  return { bigLocal, smallLocalDir: join(dir, 'small') };
}

/** What every server serves from the user's root: big.bin, small/, list/ with N entries, an empty up/. */
export async function seedServerRoot(root: string, fixtures: Fixtures, listEntries: number, owner?: string): Promise<void> {
  await mkdir(root, { recursive: true });
  await run('cp', ['--reflink=auto', fixtures.bigLocal, join(root, 'big.bin')]);
  await rm(join(root, 'small'), { recursive: true, force: true });
  await run('cp', ['-r', fixtures.smallLocalDir, join(root, 'small')]);
  const list = join(root, 'list');
  await rm(list, { recursive: true, force: true });
  await mkdir(list);
  await Promise.all(Array.from({ length: listEntries }, (_, i) => writeFile(join(list, `entry-${String(i).padStart(5, '0')}.txt`), '')));
  if (owner) await run('chown', ['-R', `${owner}:${owner}`, root]);
  await resetUploads(root, undefined, owner);
}

/** Between runs: an empty up/ folder to upload into, and no downloads left from the last run. */
export async function resetUploads(root: string, downloads: string | undefined, owner?: string): Promise<void> {
  await rm(join(root, 'up'), { recursive: true, force: true });
  await mkdir(join(root, 'up', 'small'), { recursive: true });
  if (owner) await run('chown', ['-R', `${owner}:${owner}`, join(root, 'up')]);
  if (downloads) await rm(downloads, { recursive: true, force: true });
}
