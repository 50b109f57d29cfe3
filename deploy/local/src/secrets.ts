import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StackSecrets {
  /** Admin APIs and the ferry CLI. */
  readonly adminToken: string;
  /** The storage-indexer's read-only query API (analysts). */
  readonly queryToken: string;
  /** HAProxy's stats page (user "ops"). */
  readonly haproxyStatsPassword: string;
}

/**
 * Random tokens made on the first start and kept (mode 0600) in the data dir, so
 * a restarted stack keeps working with the tokens already handed out. No token
 * is ever a known default.
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<StackSecrets> {
  const path = join(dataDir, 'secrets.json');
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as Partial<StackSecrets>;
    if (typeof stored.adminToken === 'string' && typeof stored.queryToken === 'string' && typeof stored.haproxyStatsPassword === 'string') {
      return { adminToken: stored.adminToken, queryToken: stored.queryToken, haproxyStatsPassword: stored.haproxyStatsPassword };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets = { adminToken: randomBytes(32).toString('hex'), queryToken: randomBytes(32).toString('hex'), haproxyStatsPassword: randomBytes(16).toString('hex') };
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
