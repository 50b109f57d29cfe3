import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { getFreePorts } from '@ferry/testing';

const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const OUTPUT_LIMIT = 64 * 1024;

/** A real Ferry service (`services/<name>/src/main.ts`) run as a child process, started by path, never imported. */
export interface ServiceProcess {
  readonly name: string;
  /** The free ports chosen for FERRY_API_PORT, FERRY_OPS_PORT and every variable named in `portVariables`. */
  readonly ports: Readonly<Record<string, number>>;
  readonly apiUrl: string;
  readonly opsUrl: string;
  readonly pid: number | undefined;
  /** The last 64 KiB the process wrote to stdout and stderr (for failure messages). */
  output(): string;
  /** Starts the process (again, on the same ports) and resolves once its /readyz answers 200. */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s, or at once with `signal`), and waits for the exit. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const STARTUP_ATTEMPTS = 3;

async function choosePorts(portVariables: readonly string[]): Promise<Record<string, number>> {
  const names = ['FERRY_API_PORT', 'FERRY_OPS_PORT', ...portVariables];
  const ports = await getFreePorts(names.length);
  return Object.fromEntries(names.map((variable, i) => [variable, ports[i] ?? 0]));
}

/**
 * Starts `services/<name>/src/main.ts` with `env` plus free ports. A port taken by
 * another process between choosing and binding it (EADDRINUSE at the first start)
 * is retried on new ports; a restart keeps the ports.
 */
export async function serviceProcess(name: string, env: Record<string, string>, portVariables: readonly string[] = []): Promise<ServiceProcess> {
  let ports = await choosePorts(portVariables);
  const url = (variable: string) => `http://127.0.0.1:${ports[variable] ?? 0}`;
  let child: ChildProcess | undefined;
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async (): Promise<void> => {
    if (running()) return;
    const started = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', `services/${name}/src/main.ts`], {
      cwd: workspace,
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', FERRY_INSTANCE_ID: `${name}-test-${process.pid}`, ...env, ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [key, String(port)])) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout?.on('data', append);
    started.stderr?.on('data', append);
    await waitReady(started, `${url('FERRY_OPS_PORT')}/readyz`, () => `${name} did not become ready:\n${output}`);
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const current = child;
    if (current === undefined || !running()) return;
    const exited = once(current, 'exit');
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= STARTUP_ATTEMPTS || !output.includes('EADDRINUSE')) throw error;
      output = '';
      ports = await choosePorts(portVariables);
    }
  }
  return {
    name,
    get ports() { return ports; },
    get apiUrl() { return url('FERRY_API_PORT'); },
    get opsUrl() { return url('FERRY_OPS_PORT'); },
    get pid() { return child?.pid; },
    output: () => output,
    start,
    stop,
  };
}

/** Polls `url` until it answers 200; fails at once with the output if the process exits first. */
async function waitReady(child: ChildProcess, url: string, describe: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}; ${describe()}`);
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((response) => response.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`not ready within ${timeoutMs} ms; ${describe()}`);
}
