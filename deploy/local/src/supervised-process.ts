import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly logFile: string;
  /** Resolves true once the process serves; polled after each start. */
  readonly ready: () => Promise<boolean>;
  readonly readyTimeoutMs: number;
}

export interface SupervisorEvents {
  crashed(name: string, code: number | null, signal: string | null, willRestart: boolean): void;
  restarted(name: string, pid: number | undefined): void;
  restartFailed(name: string, error: Error): void;
}

const MAX_CRASHES = 5;
/** How much of a child's latest output a start failure quotes, so the reason shows where the error is read (CI). */
const OUTPUT_TAIL_BYTES = 2048;
const CRASH_WINDOW_MS = 60_000;

/**
 * One child process: logs to its own file, restarted with backoff whenever it
 * exits without the supervisor stopping it — a crash, or a clean exit after
 * someone else's SIGTERM, which is how a gateway is rolled (at most 5 times a
 * minute, then reported and left down) — and stopped with SIGTERM and, after
 * a grace period, SIGKILL.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private stopping = false;
  private crashes: number[] = [];
  private outputTail = '';

  constructor(
    readonly spec: ProcessSpec,
    private readonly events: SupervisorEvents,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    // Own process group: a Ctrl-C in the terminal reaches only the runner, which then stops children in order.
    const child = spawn(this.spec.command, [...this.spec.args], { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.outputTail = '';
    const keepTail = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    await this.waitReady(child);
  }

  /** From now on an exit is expected: no crash report, no restart. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Last resort when the runner itself exits: no waiting possible. */
  killNow(): void {
    if (this.child?.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.spec.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        // Output written just before the exit may still be in the pipe.
        if (child.stdout !== null && !child.stdout.readableEnded) await Promise.race([once(child, 'close'), sleep(1_000)]);
        const tail = this.outputTail.trimEnd().split('\n').slice(-8).join('\n');
        throw new Error(`${this.spec.name} exited with ${child.exitCode ?? child.signalCode} while starting: see ${this.spec.logFile}${tail ? `; its last output:\n${tail}` : ''}`);
      }
      if (await this.spec.ready()) return;
      await sleep(100);
    }
    throw new Error(`${this.spec.name} was not ready after ${this.spec.readyTimeoutMs} ms: see ${this.spec.logFile}`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || child !== this.child) return;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((at) => now - at < CRASH_WINDOW_MS), now];
    const willRestart = this.crashes.length <= MAX_CRASHES;
    this.events.crashed(this.spec.name, code, signal, willRestart);
    if (!willRestart) return;
    const delay = 500 * 2 ** (this.crashes.length - 1);
    void sleep(delay).then(async () => {
      if (this.stopping) return;
      try {
        await this.start();
        this.events.restarted(this.spec.name, this.child?.pid);
      } catch (error) {
        this.events.restartFailed(this.spec.name, error as Error);
      }
    });
  }
}
