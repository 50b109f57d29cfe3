import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

export class RestoreError extends Error {
  readonly code = 'STACK_RESTORE_FAILED';
  override readonly name = 'RestoreError';
}

export interface RestoreTarget {
  readonly from: string;
  readonly natsUrl: string;
  readonly storageRoot: string;
  readonly streamReplicas: number;
  /** Run deploy/backup from its TypeScript sources (--from-source) rather than its build. */
  readonly fromSource: boolean;
}

/** Refuses a folder that is not a backup before anything starts. */
export async function checkBackupFolder(from: string): Promise<void> {
  await access(join(from, 'manifest.json')).catch(() => {
    throw new RestoreError(`--restore-from ${from}: no manifest.json there; expected a folder written by \`npm run backup -- create\``);
  });
}

/**
 * Restores a backup with deploy/backup's own command (`npm run backup -- restore`,
 * as runbooks/RECOVERY.md does it), after NATS starts and before any service does:
 * the services then build their state from the restored streams at start, and the
 * tool's refusals (streams or storage not empty) stop the runner with its message.
 */
export async function restoreBackupInto(target: RestoreTarget, workspace: string, print: (line: string) => void): Promise<void> {
  const entry = target.fromSource ? ['--conditions=@ferry/source', '--import', 'tsx', join(workspace, 'deploy', 'backup', 'src', 'main.ts')] : [join(workspace, 'deploy', 'backup', 'dist', 'main.js')];
  const args = [...entry, 'restore', '--from', target.from, '--nats', target.natsUrl, '--storage', target.storageRoot, '--replicas', String(target.streamReplicas)];
  const child = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => text.split('\n').filter(Boolean).forEach((line) => print(`  restore: ${line}`)));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new RestoreError(`restoring ${target.from} failed (exit ${code}): ${errors.trim()}`);
}
