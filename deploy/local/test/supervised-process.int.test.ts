import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { SupervisedProcess, type SupervisorEvents } from '../src/supervised-process.js';

let dir: string;
const supervised: SupervisedProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-supervised-'));
});

afterAll(async () => {
  await Promise.all(supervised.map((process) => process.stop(1_000)));
  await rm(dir, { recursive: true, force: true });
});

/** A child that runs until SIGTERM, then exits 0: what a gateway does once drained. */
function gatewayLike(name: string, reports: string[]): SupervisedProcess {
  const events: SupervisorEvents = {
    crashed: (who, code, signal, willRestart) => void reports.push(`exited ${who} ${code ?? signal} ${willRestart ? 'restart' : 'left down'}`),
    restarted: (who, pid) => void reports.push(`restarted ${who} ${pid}`),
    restartFailed: (who, error) => void reports.push(`restart failed ${who} ${error.message}`),
  };
  // Ready once its SIGTERM handler is installed: each start writes the file, each readiness check consumes it.
  const readyFile = join(dir, `${name}.ready`);
  const child = new SupervisedProcess(
    {
      name,
      command: process.execPath,
      args: ['-e', `process.on("SIGTERM", () => process.exit(0)); require("node:fs").writeFileSync(${JSON.stringify(readyFile)}, ""); setInterval(() => {}, 1000);`],
      env: { PATH: process.env['PATH'] ?? '' },
      cwd: dir,
      logFile: join(dir, `${name}.log`),
      ready: () => unlink(readyFile).then(() => true, () => false),
      readyTimeoutMs: 10_000,
    },
    events,
  );
  supervised.push(child);
  return child;
}

describe('the stack runner\'s supervisor', () => {
  it('restarts a child that someone else SIGTERMed and that exited cleanly (a rolling restart), with a new pid', async () => {
    const reports: string[] = [];
    const child = gatewayLike('gw-term', reports);
    await child.start();
    const first = child.pid!;
    process.kill(first, 'SIGTERM');
    await pollUntil('the child to be restarted', 15_000, () => Promise.resolve(reports.some((line) => line.startsWith('restarted'))));
    expect(child.pid).not.toBe(first);
    expect(reports).toEqual(['exited gw-term 0 restart', `restarted gw-term ${child.pid}`]);
  });

  it('does not restart a child it stopped itself', async () => {
    const reports: string[] = [];
    const child = gatewayLike('gw-stop', reports);
    await child.start();
    const pid = child.pid!;
    await child.stop();
    // The restart delay is 500 ms: wait past it, then nothing may have come back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(reports).toEqual([]);
    expect(child.pid).toBe(pid);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('a child that exits while starting fails the start with the last lines it wrote, so the reason shows without opening its log', async () => {
    const failing = new SupervisedProcess(
      {
        name: 'haproxy-like',
        command: process.execPath,
        args: ['-e', 'console.error("starting"); console.error("[ALERT] Cannot raise FD limit to 20236, limit is 20000."); process.exit(1);'],
        env: { PATH: process.env['PATH'] ?? '' },
        cwd: dir,
        logFile: join(dir, 'haproxy-like.log'),
        ready: () => Promise.resolve(false),
        readyTimeoutMs: 10_000,
      },
      { crashed: () => undefined, restarted: () => undefined, restartFailed: () => undefined },
    );
    supervised.push(failing);
    failing.markStopping();
    await expect(failing.start()).rejects.toThrow(/haproxy-like exited with 1 while starting: see .*haproxy-like\.log; its last output:\nstarting\n\[ALERT\] Cannot raise FD limit/);
  });
});
