import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { basename } from 'node:path';
import { BINARIES, type BinaryName } from './binaries.js';
import { MissingBinaryError } from './errors.js';
import { OutputBuffer } from './output-buffer.js';
import { trackChild } from './registry.js';
import type { ExitInfo, ServerProcess } from './server-process.js';
import { sleep } from './wait.js';

class LocalProcess implements ServerProcess {
  readonly runtime = 'local';
  readonly pid: number | undefined;
  readonly description: string;
  private readonly buffer = new OutputBuffer();
  private exit: ExitInfo | undefined;
  private readonly exited: Promise<void>;
  private readonly closed: Promise<void>;

  constructor(private readonly child: ChildProcess, name: string) {
    this.pid = child.pid;
    this.description = `${name} (pid ${String(child.pid)})`;
    child.stdout?.on('data', (chunk: Buffer) => this.buffer.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.buffer.push(chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  isRunning(): Promise<boolean> {
    return Promise.resolve(this.exit === undefined);
  }

  async settle(ms: number): Promise<void> {
    await Promise.race([this.closed, sleep(ms)]);
  }

  output(): string {
    return this.buffer.text();
  }

  async terminate(graceMs: number): Promise<void> {
    if (this.exit !== undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.exit !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  signal(signal: NodeJS.Signals): Promise<void> {
    if (this.exit === undefined) this.child.kill(signal);
    return Promise.resolve();
  }
}

/** Spawns `path args` attached to this process, its output captured, tracked for the exit safety net. */
export async function launchLocal(name: BinaryName, path: string, args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(path, [...args], { detached: false, stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', () => undefined); // reported through `once(child, 'spawn')` below
  const server = new LocalProcess(child, basename(path));
  trackChild(child);
  try {
    await once(child, 'spawn');
  } catch (error) {
    const spec = BINARIES[name];
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MissingBinaryError(spec.name, `at ${path}`, spec.installCommand, { cause: error });
    }
    throw error;
  }
  return server;
}

/** Runs `path args` to completion; returns its exit code and its output (stdout and stderr). */
export async function runLocalOnce(path: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  const buffer = new OutputBuffer();
  const child = spawn(path, [...args], { detached: false, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  child.stdout.on('data', (chunk: Buffer) => buffer.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => buffer.push(chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? 1, output: buffer.text() };
}
