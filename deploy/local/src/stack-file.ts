import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '@ferry/testing';

/** What scripts and tests read to use a running stack: `<data-dir>/stack.json`. */
export interface StackFile {
  readonly runnerPid: number;
  readonly startedAt: string;
  /**
   * `url`: one URL, or an external cluster's URLs separated by commas (--nats-url);
   * `monitorUrl` and `pid` only for the nats-server the runner started.
   */
  readonly nats: { readonly url: string; readonly monitorUrl?: string; readonly pid?: number; readonly external: boolean; readonly streamReplicas: number };
  /** `pid` as started; the runner restarts a crashed redis-server (a new pid, same URL). */
  readonly redis: { readonly url: string; readonly pid: number | undefined };
  /** Where FTP clients connect (HAProxy). */
  readonly ftp: { readonly host: string; readonly port: number; readonly url: string };
  /** `pid`: HAProxy's master process; `kill -USR2 <pid>` reloads `config` hitlessly. */
  readonly haproxy: { readonly statsUrl: string; readonly statsUser: string; readonly adminSocket: string; readonly config: string; readonly pid: number | undefined };
  /** Services by name, gateways by id; apiUrl where the service has an HTTP API. */
  readonly services: Record<string, { readonly opsUrl: string; readonly apiUrl?: string; readonly pid: number | undefined; readonly log: string }>;
  readonly gateways: ReadonlyArray<{ readonly id: string; readonly address: string; readonly ftpPort: number; readonly passive: readonly [number, number]; readonly agentPort: number }>;
  /** Where the admin and query tokens are (mode 0600). */
  readonly secrets: string;
  /** The webhook the alert-relay posts to locally (the runner prints what it receives). */
  readonly alertSink: string;
  /** The demo account and its password for this run (the file is private: mode 0600). */
  readonly demoUser: { readonly username: string; readonly password: string };
  readonly logs: string;
}

export const stackFilePath = (dataDir: string) => join(dataDir, 'stack.json');

export async function writeStackFile(dataDir: string, stack: StackFile): Promise<void> {
  // Written aside and renamed, so a reader never sees a half-written file.
  const partial = `${stackFilePath(dataDir)}.partial`;
  await writeFile(partial, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, stackFilePath(dataDir));
}

export async function removeStackFile(dataDir: string): Promise<void> {
  await rm(stackFilePath(dataDir), { force: true });
}

/** The pid of a stack runner that still runs from this data dir, if any. */
export async function liveRunner(dataDir: string): Promise<number | undefined> {
  try {
    const stack = JSON.parse(await readFile(stackFilePath(dataDir), 'utf8')) as Partial<StackFile>;
    return typeof stack.runnerPid === 'number' && isAlive(stack.runnerPid) ? stack.runnerPid : undefined;
  } catch {
    return undefined;
  }
}
