import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { getFreePort, pollUntil } from '@ferry/testing';
import { aptInstall, run } from './system.js';

export interface MachineLimits {
  readonly loopbackMBps: number;
  readonly pageCacheWriteMBps: number;
  readonly pageCacheReadMBps: number;
}

/** The machine's own ceilings, so each figure can be read as a fraction of them. */
export async function measureLimits(scratchDir: string): Promise<MachineLimits> {
  await aptInstall(['iperf3']);
  const port = await getFreePort();
  // Readiness from its own line, not a probe connection: the probe would be the one client a `-1` server serves.
  const server = spawn('iperf3', ['-s', '--forceflush', '-B', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let said = '';
  server.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
  try {
    await pollUntil('iperf3 server', 5_000, () => Promise.resolve(said.includes('Server listening')));
    const { stdout } = await run('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', '3', '-J']);
    const report = JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } } };
    const loopbackMBps = report.end.sum_received.bits_per_second / 8 / 1e6;
    const file = join(scratchDir, 'pagecache.bin');
    const dd = async (args: string[]) => ddRate((await run('dd', args)).stderr);
    const pageCacheWriteMBps = await dd(['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=1024']);
    const pageCacheReadMBps = await dd([`if=${file}`, 'of=/dev/null', 'bs=1M']);
    await rm(file, { force: true });
    return { loopbackMBps, pageCacheWriteMBps, pageCacheReadMBps };
  } finally {
    server.kill('SIGKILL');
  }
}

/** dd's closing line ("..., 1.2 GB/s") in MB/s. */
function ddRate(stderr: string): number {
  const match = /([\d.]+) ([kMG]?)B\/s/.exec(stderr);
  if (!match) throw new Error(`cannot read dd's rate from: ${stderr}`);
  const scale = { '': 1e-6, k: 1e-3, M: 1, G: 1e3 }[match[2] as '' | 'k' | 'M' | 'G'];
  return Number(match[1]) * scale;
}
