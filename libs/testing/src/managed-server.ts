import type { BinaryName } from './binaries.js';
import { ProcessExitedError, StartTimeoutError, TestingError } from './errors.js';
import { looksLikePortConflict } from './ports.js';
import { registerHandle, unregisterHandle, type Stoppable } from './registry.js';
import { launch, type ServerProcess } from './server-process.js';
import { removeTempDir } from './temp-dir.js';
import { sleep } from './wait.js';

/** How long a server gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 5000;

/** What every server handle can do to simulate outages and clean up. */
export interface ServerLifecycle {
  /** The server's PID; undefined when it runs in a container. */
  readonly pid: number | undefined;
  /** SIGTERM (SIGKILL after 5 s); keeps the port and the data. */
  pause(): Promise<void>;
  /** Starts again on the same port with the same data and waits until it is ready. */
  resume(): Promise<void>;
  /** SIGKILL, as in a crash; keeps the port and the data. resume() works after it. */
  kill(): Promise<void>;
  /** Stops for good and removes the temp dirs. Idempotent. */
  stop(): Promise<void>;
}
const POLL_MS = 50;

/** A command line with its ports chosen, and how to tell that the server it starts is ready. */
export interface Recipe {
  readonly args: readonly string[];
  ready(): Promise<boolean>;
}

export interface ServerDefinition<R extends Recipe> {
  readonly binary: BinaryName;
  /** Temp dirs the server uses; removed by stop(), or when the start fails. */
  readonly dirs: readonly string[];
  /** Chooses fresh ports on every call, so a lost port race can be retried. */
  readonly recipe: () => Promise<R>;
  /** How many port choices to try before giving up (1 = no retry). */
  readonly attempts: number;
  readonly readyTimeoutMs: number;
}

/** Polls until `ready()`, failing fast with the server's own output when it exits or times out. */
export async function awaitReady(proc: ServerProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await proc.isRunning())) {
      await proc.settle(500);
      throw new ProcessExitedError(proc.description, proc.exitInfo() ?? { code: null, signal: null }, proc.output());
    }
    // Checked again after `ready()`: another process may have won the port race and answered.
    if ((await ready()) && (await proc.isRunning())) return;
    if (Date.now() >= deadline) throw new StartTimeoutError(proc.description, timeoutMs, proc.output());
    await sleep(POLL_MS);
  }
}

async function launchReady(binary: BinaryName, dirs: readonly string[], recipe: Recipe, timeoutMs: number) {
  const proc = await launch({ binary, args: recipe.args, dirs });
  try {
    await awaitReady(proc, () => recipe.ready(), timeoutMs);
    return proc;
  } catch (error) {
    await proc.kill().catch(() => undefined);
    throw error;
  }
}

function isPortConflict(error: unknown): boolean {
  return error instanceof ProcessExitedError && looksLikePortConflict(error.output);
}

async function removeDirs(dirs: readonly string[]): Promise<void> {
  await Promise.all(dirs.map((dir) => removeTempDir(dir)));
}

/** One server with a fixed command line that can be paused, killed, resumed on the same ports and stopped. */
export class ManagedServer<R extends Recipe> implements Stoppable {
  private state: 'running' | 'paused' | 'stopped' = 'running';
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly definition: ServerDefinition<R>,
    readonly recipe: R,
    private proc: ServerProcess,
  ) {
    registerHandle(this);
  }

  static async start<R extends Recipe>(definition: ServerDefinition<R>): Promise<ManagedServer<R>> {
    try {
      for (let attempt = 1; ; attempt += 1) {
        const recipe = await definition.recipe();
        try {
          const proc = await launchReady(definition.binary, definition.dirs, recipe, definition.readyTimeoutMs);
          return new ManagedServer(definition, recipe, proc);
        } catch (error) {
          if (attempt >= definition.attempts || !isPortConflict(error)) throw error;
        }
      }
    } catch (error) {
      await removeDirs(definition.dirs);
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  async pause(): Promise<void> {
    this.assertNotStopped('pause');
    await this.proc.terminate(STOP_GRACE_MS);
    this.state = 'paused';
  }

  async kill(): Promise<void> {
    this.assertNotStopped('kill');
    await this.proc.kill();
    this.state = 'paused';
  }

  /** Starts the same command line again (same ports, same dirs). The port may be briefly busy: retried. */
  async resume(): Promise<void> {
    this.assertNotStopped('resume');
    if (this.state === 'running' && (await this.proc.isRunning())) return;
    const { binary, dirs, readyTimeoutMs } = this.definition;
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.proc = await launchReady(binary, dirs, this.recipe, readyTimeoutMs);
        this.state = 'running';
        return;
      } catch (error) {
        if (attempt >= 5 || !isPortConflict(error)) throw error;
        await sleep(200 * attempt);
      }
    }
  }

  /** Stops for good and removes the temp dirs. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    this.state = 'stopped';
    try {
      await this.proc.terminate(STOP_GRACE_MS);
      await removeDirs(this.definition.dirs);
    } finally {
      unregisterHandle(this);
    }
  }

  private assertNotStopped(operation: string): void {
    if (this.state === 'stopped') {
      throw new TestingError('TESTING_STOPPED', `cannot ${operation} ${this.proc.description}: it was stopped`);
    }
  }
}
