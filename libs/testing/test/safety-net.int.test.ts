import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stillAliveAfter } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/orphan-child.ts', import.meta.url));

interface Outcome {
  pids: number[];
  storeDir: string;
  code: number | null;
  signal: string | null;
}

/** Runs the fixture; `mode` says how it dies with its servers still running. */
function runOrphanChild(mode: 'exit' | 'throw' | 'signal'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FERRY_TEST_RUNTIME: 'local' },
    });
    let stdout = '';
    let stderr = '';
    let report: { pids: number[]; storeDir: string } | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (report === undefined && stdout.includes('\n')) {
        report = JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as { pids: number[]; storeDir: string };
        if (mode === 'signal') proc.kill('SIGTERM');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (report === undefined) reject(new Error(`the child reported nothing (code ${code}): ${stderr}`));
      else resolve({ ...report, code, signal });
    });
  });
}

describe('the exit safety net', () => {
  it('kills the servers and removes the temp dirs of a test process that exits without stopping them', async () => {
    const outcome = await runOrphanChild('exit');
    expect(outcome.code).toBe(3);
    expect(await stillAliveAfter(outcome.pids, 10_000)).toEqual([]);
    expect(existsSync(outcome.storeDir)).toBe(false);
  });

  it('kills the servers of a test process that crashes with an uncaught exception', async () => {
    const outcome = await runOrphanChild('throw');
    expect(outcome.code).toBe(1);
    expect(await stillAliveAfter(outcome.pids, 10_000)).toEqual([]);
    expect(existsSync(outcome.storeDir)).toBe(false);
  });

  it('kills the servers of a test process interrupted by SIGTERM, which still dies by that signal', async () => {
    const outcome = await runOrphanChild('signal');
    expect(outcome.signal).toBe('SIGTERM');
    expect(await stillAliveAfter(outcome.pids, 10_000)).toEqual([]);
    expect(existsSync(outcome.storeDir)).toBe(false);
  });
});
