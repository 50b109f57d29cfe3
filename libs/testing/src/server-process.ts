import { BINARIES, resolveBinary, type BinaryName } from './binaries.js';
import { launchContainer } from './container-process.js';
import { launchLocal } from './local-process.js';
import { detectRuntime, type Runtime } from './runtime.js';

/** What to run. Paths in `args` must lie inside `dirs`, which containers mount at the same path. */
export interface LaunchSpec {
  readonly binary: BinaryName;
  readonly args: readonly string[];
  readonly dirs: readonly string[];
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
}

/** One running server, as a child process or as a container: the only shape the servers see. */
export interface ServerProcess {
  readonly runtime: Runtime;
  readonly pid: number | undefined;
  /** e.g. `nats-server (pid 1234)`, for error messages. */
  readonly description: string;
  /** How it ended, once it is gone; undefined while it runs. */
  exitInfo(): ExitInfo | undefined;
  isRunning(): Promise<boolean>;
  /** Waits (at most `ms`) for the output to be fully read after an exit. */
  settle(ms: number): Promise<void>;
  /** The last ~200 lines the server wrote. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  terminate(graceMs: number): Promise<void>;
  /** SIGKILL; resolves when it is gone. */
  kill(): Promise<void>;
  signal(signal: NodeJS.Signals): Promise<void>;
}

export async function launch(spec: LaunchSpec): Promise<ServerProcess> {
  const runtime = await detectRuntime();
  if (runtime === 'container') return launchContainer(BINARIES[spec.binary], spec);
  return launchLocal(spec.binary, await resolveBinary(spec.binary), spec.args);
}
