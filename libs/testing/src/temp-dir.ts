import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackTempDir, untrackTempDir } from './registry.js';

/** Prefix of every temp dir this library creates: `ferry-test-<pid>-<kind>-XXXXXX`. */
export const TEMP_DIR_PREFIX = 'ferry-test-';

export async function makeTempDir(kind: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${TEMP_DIR_PREFIX}${process.pid}-${kind}-`));
  trackTempDir(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  untrackTempDir(dir);
}
