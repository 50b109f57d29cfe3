import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Bus } from '@ferry/bus';
import { ensureStreams } from '@ferry/bus';
import { streamNames, streamSpecs, FerryError } from '@ferry/contracts';
import { exportStream, importStream } from './stream-export.js';

const run = promisify(execFile);

/** What Ferry cannot rebuild: the users, the activity history, the alert history. Health is short-lived by design. */
export const DEFAULT_STREAMS = [streamNames.users, streamNames.activity, streamNames.alerts] as const;

export interface Manifest {
  readonly format: 'ferry-backup/1';
  readonly createdAt: string;
  readonly streams: Record<string, { readonly messages: number; readonly file: string }>;
  /** The storage root as a tar.gz, when one was backed up. */
  readonly storage?: { readonly file: string };
}

export class BackupError extends FerryError {
  override readonly name = 'BackupError';
  constructor(message: string, cause?: unknown) {
    super('BACKUP_FAILED', message, { retryable: false, cause });
  }
}

export async function createBackup(bus: Bus, options: { out: string; storageRoot?: string; streams?: readonly string[] }): Promise<Manifest> {
  await mkdir(join(options.out, 'streams'), { recursive: true });
  if ((await readdir(options.out)).some((name) => name !== 'streams')) throw new BackupError(`${options.out} is not empty: back up into a new folder`);
  const streams: Record<string, { messages: number; file: string }> = {};
  for (const name of options.streams ?? DEFAULT_STREAMS) {
    const file = join('streams', `${name}.ndjson`);
    streams[name] = { messages: await exportStream(bus, name, join(options.out, file)), file };
  }
  let storage: Manifest['storage'];
  if (options.storageRoot !== undefined) {
    await stat(options.storageRoot).catch((error: unknown) => {
      throw new BackupError(`storage root ${options.storageRoot} cannot be read`, error);
    });
    await run('tar', ['-czf', join(options.out, 'storage.tar.gz'), '-C', options.storageRoot, '.']);
    storage = { file: 'storage.tar.gz' };
  }
  const manifest: Manifest = { format: 'ferry-backup/1', createdAt: new Date().toISOString(), streams, ...(storage ? { storage } : {}) };
  await writeFile(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Restores into an EMPTY deployment: refuses streams that already hold messages
 * and a storage root that is not empty, so a restore never mixes with live data.
 */
export async function restoreBackup(bus: Bus, options: { from: string; storageRoot?: string; replicas: number }): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(join(options.from, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== 'ferry-backup/1') throw new BackupError(`${options.from} is not a Ferry backup (format ${String(manifest.format)})`);
  await ensureStreams(bus, streamSpecs({ replicas: options.replicas }));
  for (const name of Object.keys(manifest.streams)) {
    const held = (await bus.jsm.streams.info(name)).state.messages;
    if (held > 0) throw new BackupError(`stream ${name} already holds ${held} messages: restore into an empty deployment`);
  }
  if (manifest.storage && options.storageRoot !== undefined) {
    await mkdir(options.storageRoot, { recursive: true });
    if ((await readdir(options.storageRoot)).length > 0) throw new BackupError(`storage root ${options.storageRoot} is not empty: restore into an empty folder`);
  }
  for (const [name, entry] of Object.entries(manifest.streams)) {
    const published = await importStream(bus, join(options.from, entry.file));
    const stored = (await bus.jsm.streams.info(name)).state.messages;
    if (published !== entry.messages || stored !== entry.messages) {
      throw new BackupError(`stream ${name}: backup has ${entry.messages} messages, ${published} were published and ${stored} are stored`);
    }
  }
  if (manifest.storage && options.storageRoot !== undefined) {
    await run('tar', ['-xzf', join(options.from, manifest.storage.file), '-C', options.storageRoot]);
  }
  return manifest;
}
