import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadLedger } from '../src/adapters/partial-uploads.js';
import { HomeStorage } from '../src/adapters/storage.js';
import { parsePartialUploadName, partialUploadFileName, PARTIALS_FOLDER } from '../src/domain/partial-upload.js';

// The storage adapter on a real filesystem, as gateway gw-2 (ADR 0006): where partials lie decides what adoption, the sweep and RMD read.
let root: string;
let storage: HomeStorage;
const home = (...parts: string[]) => join(root, 'alice', ...parts);
const aMinuteAgo = () => new Date(Date.now() - 60_000);

/** A partial that gateway `gateway` left at `path` (inside the home), last touched at `touchedAt`. */
async function leavePartial(path: string, target: string, gateway: string, content: string, touchedAt: Date): Promise<string> {
  const file = join(home(path), partialUploadFileName(target, { gateway, token: 'abcdef0123456789', kind: 'resume' }));
  await writeFile(file, content);
  await utimes(file, touchedAt, touchedAt);
  return file;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-partials-'));
  storage = await HomeStorage.open(root, 'alice', new UploadLedger('gw-2', 10_000));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('where partial uploads lie', () => {
  it('adoption reads only the partials subfolder: a partial-looking file among the folder\'s entries is left alone, one in the subfolder is adopted', async () => {
    await mkdir(home('crowd'));
    await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(home('crowd', `f${i}.txt`), 'x')));
    const beside = await leavePartial('crowd', 'lost.bin', 'gw-1', 'beside the target', aMinuteAgo());

    await expect(storage.stat('/crowd/lost.bin')).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    const download = await storage.openRead('/crowd/f7.txt', 0);
    expect(download.size).toBe(1);
    await download.close();
    expect(await readFile(beside, 'utf8')).toBe('beside the target');
    // Reading creates nothing: the folder stays as its owner left it.
    expect(await readdir(home('crowd'))).not.toContain(PARTIALS_FOLDER);

    await mkdir(home('crowd', PARTIALS_FOLDER));
    await leavePartial(join('crowd', PARTIALS_FOLDER), 'lost.bin', 'gw-1', 'in the subfolder', aMinuteAgo());
    expect((await storage.stat('/crowd/lost.bin')).size).toBe('in the subfolder'.length);
    expect(await readFile(home('crowd', 'lost.bin'), 'utf8')).toBe('in the subfolder');
    expect(await readdir(home('crowd', PARTIALS_FOLDER))).toEqual([]);
  });

  it('an upload writes its partial into the folder\'s hidden partials subfolder and moves it into place when committed', async () => {
    await mkdir(home('up'));
    const upload = await storage.beginUpload('/up/new.bin', { offset: 0, append: false });
    upload.stream.end('all of it');
    await once(upload.stream, 'close');

    const [partial, ...others] = await readdir(home('up', PARTIALS_FOLDER));
    expect(others).toEqual([]);
    expect(parsePartialUploadName(partial ?? '')).toMatchObject({ gateway: 'gw-2', kind: 'resume' });
    expect(await readdir(home('up'))).toEqual([PARTIALS_FOLDER]);
    expect(await storage.list('/up')).toEqual([]);

    await upload.commit();
    expect(await readFile(home('up', 'new.bin'), 'utf8')).toBe('all of it');
    expect(await readdir(home('up', PARTIALS_FOLDER))).toEqual([]);
  });

  it('a partial moves with its folder when the folder is renamed, and is adopted there', async () => {
    await mkdir(home('before', PARTIALS_FOLDER), { recursive: true });
    await leavePartial(join('before', PARTIALS_FOLDER), 'moved.bin', 'gw-1', 'moved along', aMinuteAgo());
    await storage.rename('/before', '/after');
    expect((await storage.stat('/after/moved.bin')).size).toBe('moved along'.length);
  });
});

describe('RMD of a folder that uploads have used', () => {
  it('removes a folder holding only what uploads left: the partials subfolder and temp files of earlier versions', async () => {
    await mkdir(home('done', PARTIALS_FOLDER), { recursive: true });
    await leavePartial(join('done', PARTIALS_FOLDER), 'gone.bin', 'gw-1', 'nobody came back', aMinuteAgo());
    await writeFile(home('done', '.ferry-upload-0f8fad5b-d9cb-469f-a165-70867728950e'), 'an older version\'s temp file');
    await storage.rmdir('/done');
    expect(await readdir(home())).not.toContain('done');
  });

  it('refuses while another gateway\'s upload into it is live, and removes it once that writer is gone', async () => {
    await mkdir(home('busy', PARTIALS_FOLDER), { recursive: true });
    const live = await leavePartial(join('busy', PARTIALS_FOLDER), 'big.bin', 'gw-1', 'still arriving', new Date());
    await expect(storage.rmdir('/busy')).rejects.toMatchObject({ code: 'DIRECTORY_NOT_EMPTY' });
    expect(await readFile(live, 'utf8')).toBe('still arriving');

    await utimes(live, aMinuteAgo(), aMinuteAgo());
    await storage.rmdir('/busy');
    expect(await readdir(home())).not.toContain('busy');
  });

  it('a folder with a file in it is not empty, and RMD leaves its partials as they are', async () => {
    await mkdir(home('kept', PARTIALS_FOLDER), { recursive: true });
    await writeFile(home('kept', 'file.txt'), 'x');
    const partial = await leavePartial(join('kept', PARTIALS_FOLDER), 'part.bin', 'gw-1', 'resumable', aMinuteAgo());
    await expect(storage.rmdir('/kept')).rejects.toMatchObject({ code: 'DIRECTORY_NOT_EMPTY' });
    expect(await readFile(partial, 'utf8')).toBe('resumable');
  });
});
