import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { probeTcp, pollUntil } from '@ferry/testing';

/** An FTP server under test: where it listens, who logs in, and which process to account. */
export interface FtpTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The folder the user sees as "/" (fixtures are written here). */
  readonly root: string;
  /** The process whose tree is charged for server CPU and memory. */
  readonly pid: number;
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

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}
