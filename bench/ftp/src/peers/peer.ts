import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { probeTcp, pollUntil } from '@ferry/testing';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** An FTP server under test: where it listens, who logs in, and which processes to account. */
export interface FtpTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** The account the transfer workloads use (it owns `root`). */
  readonly user: string;
  readonly password: string;
  /** Distinct accounts for the many-users login workload and the idle sessions (the first is `user`). */
  readonly users: readonly Credentials[];
  /** The folder the user sees as "/" (fixtures are written here). */
  readonly root: string;
  /** The processes whose trees are charged for server CPU: everything on the path of a login or a transfer. */
  readonly processes: ReadonlyArray<{ readonly label: string; readonly pid: number }>;
  /** The process (tree) whose memory the idle-session workload reports. */
  readonly memoryPid: number;
  readonly tls: boolean;
  stop(): Promise<void>;
}

/** Starts a server in the foreground and waits for its control port. */
export async function launchPeer(command: string, args: readonly string[], port: number, what: string): Promise<ChildProcess> {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await pollUntil(`${what} on port ${port}`, 10_000, async () => {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${output}`);
    return probeTcp('127.0.0.1', port, 300);
  });
  return child;
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}
