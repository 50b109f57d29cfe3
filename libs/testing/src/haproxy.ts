import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BINARIES, resolveBinary } from './binaries.js';
import { runContainerOnce } from './container-process.js';
import { InvalidHaproxyConfigError, TestingError } from './errors.js';
import { runLocalOnce } from './local-process.js';
import { awaitReady, STOP_GRACE_MS } from './managed-server.js';
import { registerHandle, unregisterHandle, type Stoppable } from './registry.js';
import { detectRuntime } from './runtime.js';
import { launch, type ServerProcess } from './server-process.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import { listensOn } from './listeners.js';
import { probeTcp } from './wait.js';

const READY_TIMEOUT_MS = 15_000;
/** Without a readyPort, haproxy counts as started once it has stayed up this long. */
const SETTLE_MS = 200;
/** What an old haproxy prints when the new one tells it to stop listening (`-sf`). */
const SOFT_STOPPED = /proxy .* stopped|stopping (proxy|frontend|backend)/i;

export interface HaproxyHandle {
  /** The current haproxy process; undefined when it runs in a container. */
  readonly pid: number | undefined;
  readonly configPath: string;
  /** Temp dir holding the config; removed by stop(). */
  readonly dir: string;
  /** Hitless reload (new process with `-sf oldpid`), optionally with a new config, validated first. */
  reload(configText?: string): Promise<void>;
  /** Stops every haproxy process of this handle and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartHaproxyOptions {
  /** The full haproxy.cfg text. */
  readonly config: string;
  /** A TCP port from the config to wait for. */
  readonly readyPort?: number;
}

async function checkFile(configPath: string, dir: string): Promise<{ valid: boolean; output: string }> {
  const args = ['-c', '-f', configPath];
  const { code, output } =
    (await detectRuntime()) === 'container'
      ? await runContainerOnce(BINARIES.haproxy, { binary: 'haproxy', args, dirs: [dir] })
      : await runLocalOnce(await resolveBinary('haproxy'), args);
  return { valid: code === 0, output };
}

/** Validates a configuration with `haproxy -c -f`; `output` is haproxy's own report. */
export async function checkHaproxyConfig(configText: string): Promise<{ valid: boolean; output: string }> {
  const dir = await makeTempDir('haproxy-check');
  try {
    const configPath = join(dir, 'haproxy.cfg');
    await writeFile(configPath, configText);
    return await checkFile(configPath, dir);
  } finally {
    await removeTempDir(dir);
  }
}

function readiness(readyPort: number | undefined, extra: () => boolean): (proc: ServerProcess) => Promise<boolean> {
  const since = Date.now();
  return async (proc) => {
    if (!extra()) return false;
    if (readyPort === undefined) return Date.now() - since >= SETTLE_MS;
    if (!(await probeTcp('127.0.0.1', readyPort))) return false;
    // A local haproxy must hold the port itself: the probe may have reached another process that took it.
    return proc.runtime !== 'local' || proc.pid === undefined || (await listensOn(proc.pid, readyPort));
  };
}

async function launchHaproxy(dir: string, args: readonly string[], ready: (proc: ServerProcess) => Promise<boolean>): Promise<ServerProcess> {
  const proc = await launch({ binary: 'haproxy', args, dirs: [dir] });
  try {
    await awaitReady(proc, () => ready(proc), READY_TIMEOUT_MS);
    return proc;
  } catch (error) {
    await proc.kill().catch(() => undefined);
    throw error;
  }
}

class Haproxy implements HaproxyHandle, Stoppable {
  /** Old processes still finishing their connections after a reload. */
  private readonly draining: ServerProcess[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly configPath: string,
    private readonly readyPort: number | undefined,
    private current: ServerProcess,
  ) {
    registerHandle(this);
  }

  get pid(): number | undefined {
    return this.current.pid;
  }

  async reload(configText?: string): Promise<void> {
    if (this.stopping !== undefined) throw new TestingError('TESTING_STOPPED', 'cannot reload haproxy: it was stopped');
    if (configText !== undefined) await this.replaceConfig(configText);
    const old = this.current;
    if (old.runtime === 'container') {
      // The image runs haproxy in master-worker mode: SIGUSR2 makes the master reload hitlessly.
      await old.signal('SIGUSR2');
      const ready = readiness(this.readyPort, () => true);
      await awaitReady(old, () => ready(old), READY_TIMEOUT_MS);
      return;
    }
    const since = Date.now();
    const oldLetGo = (): boolean =>
      old.exitInfo() !== undefined || SOFT_STOPPED.test(old.output()) || Date.now() - since > 2000;
    const args = ['-db', '-f', this.configPath, '-sf', String(old.pid)];
    this.current = await launchHaproxy(this.dir, args, readiness(this.readyPort, oldLetGo));
    this.draining.push(old);
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    try {
      await Promise.all([this.current, ...this.draining].map((proc) => proc.terminate(STOP_GRACE_MS)));
      await removeTempDir(this.dir);
    } finally {
      unregisterHandle(this);
    }
  }

  private async replaceConfig(configText: string): Promise<void> {
    const nextPath = join(this.dir, 'haproxy.next.cfg');
    await writeFile(nextPath, configText);
    const check = await checkFile(nextPath, this.dir);
    if (!check.valid) throw new InvalidHaproxyConfigError(check.output);
    await rename(nextPath, this.configPath);
  }
}

/** Validates the config, then runs `haproxy -db -f <config>` and waits for readyPort, if given. */
export async function startHaproxy(opts: StartHaproxyOptions): Promise<HaproxyHandle> {
  const dir = await makeTempDir('haproxy');
  try {
    const configPath = join(dir, 'haproxy.cfg');
    await writeFile(configPath, opts.config);
    const check = await checkFile(configPath, dir);
    if (!check.valid) throw new InvalidHaproxyConfigError(check.output);
    const proc = await launchHaproxy(dir, ['-db', '-f', configPath], readiness(opts.readyPort, () => true));
    return new Haproxy(dir, configPath, opts.readyPort, proc);
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
}
