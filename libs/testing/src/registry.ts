import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { TestingError } from './errors.js';

/** Anything a test started that must be stopped: a server, a cluster, an haproxy. */
export interface Stoppable {
  stop(): Promise<void>;
}

const handles = new Set<Stoppable>();
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hookInstalled = false;

export function registerHandle(handle: Stoppable): void {
  handles.add(handle);
}

export function unregisterHandle(handle: Stoppable): void {
  handles.delete(handle);
}

export function trackChild(child: ChildProcess): void {
  installExitHook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function trackTempDir(dir: string): void {
  installExitHook();
  tempDirs.add(dir);
}

export function untrackTempDir(dir: string): void {
  tempDirs.delete(dir);
}

/** Stops every handle this process started and has not stopped yet. */
export async function stopAllStarted(): Promise<void> {
  const results = await Promise.allSettled([...handles].map((handle) => handle.stop()));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    throw new TestingError('TESTING_STOP_FAILED', `${failures.length} handle(s) failed to stop`, {
      cause: new AggregateError(failures),
    });
  }
}

/** Safety net: a test process that exits (or is interrupted) leaves no server and no temp dir behind. */
function killEverythingSync(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: the process is exiting
    }
  }
  tempDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killEverythingSync();
  // Keep the default behaviour (die by this signal) unless someone else handles it.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', killEverythingSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}
