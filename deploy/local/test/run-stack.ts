import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '@ferry/testing';
import type { StackFile } from '../src/stack-file.js';

export const workspace = new URL('../../../', import.meta.url).pathname;

export interface RunningStack {
  readonly dataDir: string;
  readonly runner: ChildProcess;
  readonly stack: StackFile;
  output(): string;
  /** Ctrl-C, wait for the runner, remove the data dir. Returns the exit code. */
  stop(): Promise<number | null>;
}

/** `npm start` as a test runs it: from sources, on free ports, in a temp data dir. */
export async function startStack(extraArgs: readonly string[] = [], extraEnv: Record<string, string> = {}): Promise<RunningStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-stack-test-'));
  let output = '';
  const runner = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'deploy/local/src/main.ts', '--data-dir', dataDir, '--ephemeral-ports', '--from-source', ...extraArgs], {
    cwd: workspace,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  runner.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let stack: StackFile | undefined;
  await pollUntil('the stack to write stack.json', 120_000, async () => {
    if (runner.exitCode !== null) return true;
    stack = await readFile(join(dataDir, 'stack.json'), 'utf8').then((text) => JSON.parse(text) as StackFile, () => undefined);
    return stack !== undefined;
  });
  if (stack === undefined) throw new Error(`stack runner exited early:\n${output}`);
  return {
    dataDir,
    runner,
    stack,
    output: () => output,
    stop: async () => {
      let code: number | null = runner.exitCode;
      if (code === null) {
        const exited = once(runner, 'exit');
        runner.kill('SIGINT');
        [code] = (await exited) as [number | null];
      }
      await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
