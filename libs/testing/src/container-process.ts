import type * as Tc from 'testcontainers';
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import type { BinarySpec } from './binaries.js';
import { TestingError } from './errors.js';
import { OutputBuffer } from './output-buffer.js';
import type { ExitInfo, LaunchSpec, ServerProcess } from './server-process.js';

/*
 * The container runtime, kept deliberately small: the same server and the same
 * command line run in the image instead of a local binary. Containers share the
 * host's network namespace (`--network host`), so ports, cluster routes and haproxy
 * backends on 127.0.0.1 mean the same thing as locally, and every temp dir is
 * bind-mounted at its own path. This needs an engine on this host (Linux, or Docker
 * Desktop with host networking); testcontainers' reaper removes containers left by
 * a crashed test process.
 */

type Testcontainers = typeof Tc;

function userFlag(): string | undefined {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined || gid === undefined ? undefined : `${uid}:${gid}`;
}

class ContainerProcess implements ServerProcess {
  readonly runtime = 'container';
  readonly pid = undefined;
  readonly description: string;
  private exit: ExitInfo | undefined;

  constructor(
    private readonly tc: Testcontainers,
    private readonly started: StartedTestContainer,
    private readonly buffer: OutputBuffer,
    name: string,
  ) {
    this.description = `${name} (container ${started.getId().slice(0, 12)})`;
  }

  private async docker(): Promise<ContainerRuntimeClient> {
    return this.tc.getContainerRuntimeClient();
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  async isRunning(): Promise<boolean> {
    if (this.exit !== undefined) return false;
    const client = await this.docker();
    const info = await client.container.inspect(client.container.getById(this.started.getId()));
    if (info.State.Running) return true;
    this.exit = { code: info.State.ExitCode, signal: null };
    return false;
  }

  async settle(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  output(): string {
    return this.buffer.text();
  }

  async terminate(graceMs: number): Promise<void> {
    if (this.exit?.signal === 'removed') return;
    await this.started.stop({ timeout: graceMs, remove: true });
    this.exit = { code: this.exit?.code ?? null, signal: 'removed' };
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
    await this.terminate(0);
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    if (this.exit !== undefined) return;
    const client = await this.docker();
    await client.container.getById(this.started.getId()).kill({ signal });
  }
}

/** Runs `spec` in the image named by `binary`, in the host's network namespace. */
export async function launchContainer(binary: BinarySpec, spec: LaunchSpec): Promise<ServerProcess> {
  const tc = await import('testcontainers');
  const buffer = new OutputBuffer();
  let container = new tc.GenericContainer(binary.image)
    .withNetworkMode('host')
    .withBindMounts(spec.dirs.map((dir) => ({ source: dir, target: dir, mode: 'rw' as const })))
    .withCommand([binary.name, ...spec.args])
    .withLogConsumer((stream) => stream.on('data', (chunk: Buffer | string) => buffer.push(chunk)))
    .withStartupTimeout(120_000);
  const user = userFlag();
  if (user !== undefined) container = container.withUser(user);
  try {
    return new ContainerProcess(tc, await container.start(), buffer, binary.name);
  } catch (error) {
    throw new TestingError('TESTING_CONTAINER_RUNTIME', `could not start ${binary.image}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Runs `spec` to completion in a throwaway container; returns its exit code and output. */
export async function runContainerOnce(binary: BinarySpec, spec: LaunchSpec): Promise<{ code: number; output: string }> {
  const tc = await import('testcontainers');
  const buffer = new OutputBuffer();
  const container = new tc.GenericContainer(binary.image)
    .withBindMounts(spec.dirs.map((dir) => ({ source: dir, target: dir, mode: 'ro' as const })))
    .withCommand([binary.name, ...spec.args])
    .withLogConsumer((stream) => stream.on('data', (chunk: Buffer | string) => buffer.push(chunk)))
    .withWaitStrategy(tc.Wait.forOneShotStartup());
  try {
    const started = await container.start();
    await started.stop({ remove: true });
    return { code: 0, output: buffer.text() };
  } catch (error) {
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last log lines arrive
    const output = buffer.text();
    if (output.trim() !== '') return { code: 1, output };
    throw new TestingError('TESTING_CONTAINER_RUNTIME', `could not run ${binary.image}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
