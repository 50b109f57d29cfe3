import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { getFreePorts, pollUntil, waitForHttp } from '@ferry/testing';
import { childPidsNamed } from '../proc.js';
import { aptInstall, run } from '../system.js';
import { stopProcess, type Credentials, type FtpTarget } from './peer.js';

/** The part of the local stack's `stack.json` the harness reads (deploy/local writes it). */
interface StackFile {
  readonly runnerPid: number;
  readonly nats: { readonly url: string };
  readonly ftp: { readonly port: number };
  readonly services: Record<string, { readonly apiUrl?: string; readonly pid: number | undefined }>;
  readonly gateways: ReadonlyArray<{ readonly id: string }>;
}

export interface FerryOptions {
  readonly workspace: string;
  readonly workDir: string;
  readonly tls: { readonly cert: string; readonly key: string };
  /** Logins the harness creates (all share one home, so fixtures are seeded once). */
  readonly users: number;
  /** How many sessions one gateway admits (the idle-session workload needs 10,000+). */
  readonly maxSessions: number;
}

/** One running platform, serving three targets: the gateway direct, with FTPS, and through HAProxy. */
export interface FerryPlatform {
  readonly direct: FtpTarget;
  readonly directTls: FtpTarget;
  readonly viaHaproxy: FtpTarget;
  stop(): Promise<void>;
}

const HOME = 'bench';

/**
 * Ferry as operators run it: the built services under the local stack runner
 * (NATS, Redis, auth, session, indexer, alert-relay, HAProxy → gw-1), plus one
 * extra gateway on the same platform that clients reach directly, without HAProxy.
 * Every event is published; tracing is off (no OTEL endpoint).
 */
export async function startFerry(options: FerryOptions): Promise<FerryPlatform> {
  // What the stack runner needs (scripts/setup.sh installs the same on `npm start`).
  await aptInstall(['nats-server', 'redis-server', 'haproxy']);
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', GATEWAY_MAX_SESSIONS: String(options.maxSessions) };
  await run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { cwd: options.workspace, env, maxBuffer: 64 * 1024 * 1024 });
  const dataDir = join(options.workDir, 'ferry-stack');
  await rm(dataDir, { recursive: true, force: true });
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of children.reverse()) await stopProcess(child, 'SIGINT', 60_000);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // BENCH_CPU_PROF=<dir> also profiles the stack's gateway (the one behind HAProxy).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', process.env.BENCH_CPU_PROF] : [];
    const runner = spawn(process.execPath, [join(options.workspace, 'deploy/local/dist/main.js'), '--data-dir', dataDir, '--ephemeral-ports', '--gateways', '1', ...profile], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(runner);
    let output = '';
    runner.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    runner.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const stack = await readStack(dataDir, runner, () => output);
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { adminToken: string };
    const users = await createUsers(stack.services.auth?.apiUrl ?? '', secrets.adminToken, options.users);
    const gateway = await startDirectGateway(options, stack, dataDir);
    children.push(gateway.child);
    const [nats] = await childPidsNamed(stack.runnerPid, ['nats-server']);
    const [redis] = await childPidsNamed(stack.runnerPid, ['redis-server']);
    const [haproxy] = await childPidsNamed(stack.runnerPid, ['haproxy']);
    const platform = [
      { label: 'auth', pid: stack.services.auth?.pid },
      { label: 'session', pid: stack.services.session?.pid },
      { label: 'nats', pid: nats },
      { label: 'redis', pid: redis },
    ].map(known);
    const gw1 = known({ label: 'gateway', pid: stack.services[stack.gateways[0]!.id]?.pid });
    const direct = known({ label: 'gateway', pid: gateway.child.pid });
    const root = join(dataDir, 'storage', HOME);
    const base = { host: '127.0.0.1', user: users[0]!.user, password: users[0]!.password, users, root, stop: () => Promise.resolve() };
    return {
      direct: { ...base, name: 'ferry', port: gateway.port, processes: [direct, ...platform], memoryPid: direct.pid, tls: false },
      directTls: { ...base, name: 'ferry+tls', port: gateway.port, processes: [direct, ...platform], memoryPid: direct.pid, tls: true },
      viaHaproxy: { ...base, name: 'ferry+haproxy', port: stack.ftp.port, processes: [gw1, known({ label: 'haproxy', pid: haproxy }), ...platform], memoryPid: gw1.pid, tls: false },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function known(process: { label: string; pid: number | undefined }): { label: string; pid: number } {
  if (process.pid === undefined) throw new Error(`the stack's ${process.label} process was not found`);
  return { label: process.label, pid: process.pid };
}

async function readStack(dataDir: string, runner: ChildProcess, output: () => string): Promise<StackFile> {
  let stack: StackFile | undefined;
  await pollUntil('the Ferry stack to start (stack.json)', 180_000, async () => {
    if (runner.exitCode !== null) throw new Error(`the stack runner exited with ${runner.exitCode}:\n${output()}`);
    stack = await readFile(join(dataDir, 'stack.json'), 'utf8').then((text) => JSON.parse(text) as StackFile, () => undefined);
    return stack !== undefined;
  });
  return stack!;
}

/** Users with random passwords through the admin API, as an administrator creates them; 8 at a time (each pays a password hash). */
async function createUsers(authApi: string, adminToken: string, count: number): Promise<Credentials[]> {
  const users = Array.from({ length: count }, (_, i) => ({ user: `bench${String(i).padStart(5, '0')}`, password: randomBytes(15).toString('base64url') }));
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  for (let i = 0; i < users.length; i += 8) {
    await Promise.all(
      users.slice(i, i + 8).map(async ({ user, password }) => {
        const response = await fetch(`${authApi}/v1/users`, { method: 'POST', headers, body: JSON.stringify({ username: user, password, home: HOME, maxSessions: 10_000 }) });
        if (!response.ok) throw new Error(`creating Ferry user ${user}: HTTP ${response.status} ${await response.text()}`);
      }),
    );
  }
  return users;
}

/** A gateway of the same platform that clients reach without HAProxy (no PROXY header, advertises its own address). */
async function startDirectGateway(options: FerryOptions, stack: StackFile, dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const [port, opsPort, low] = await getFreePorts(3);
  const passiveLow = 20_000 + (low! % 12_000);
  const log = openSync(join(dataDir, 'logs', 'gw-bench.log'), 'a');
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of this gateway when it stops (`npm run bench:profile -- <file>` summarises it).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, join(options.workspace, 'services/ftp-gateway/dist/main.js')], {
    cwd: options.workspace,
    env: {
      PATH: process.env.PATH ?? '',
      NATS_URL: stack.nats.url,
      FERRY_INSTANCE_ID: 'gw-bench',
      GATEWAY_ID: 'gw-bench',
      FERRY_OPS_PORT: String(opsPort),
      FERRY_STORAGE_ROOT: join(dataDir, 'storage'),
      GATEWAY_FTP_PORT: String(port),
      GATEWAY_PASSIVE_PORTS: `${passiveLow}-${passiveLow + 199}`,
      GATEWAY_MAX_SESSIONS: String(options.maxSessions),
      GATEWAY_TLS_CERT: options.tls.cert,
      GATEWAY_TLS_KEY: options.tls.key,
    },
    // Its JSON log goes to a file, as a supervisor would keep it (the stack's gateways log the same way).
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await waitForHttp(`http://127.0.0.1:${opsPort}/readyz`, 30_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`the direct gateway did not become ready: ${(error as Error).message}\n${errors}`);
  });
  return { child, port: port! };
}
