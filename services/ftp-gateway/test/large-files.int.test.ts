import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startPlatform, type Platform } from './platform.js';
import { startGateway, type Gateway } from './gateway-harness.js';

const run = promisify(execFile);
const SIZE = 3 * 2 ** 30;
const MIB = 2 ** 20;

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let scratch: string;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  gateway = await startGateway(nats.url);
  scratch = await mkdtemp(join(tmpdir(), 'ferry-large-'));
  // A sparse source: the client reads 3 GiB of zeros without a disk to fill.
  await run('truncate', ['-s', String(SIZE), join(scratch, 'big.bin')]);
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `work` while sampling this process's RSS (the gateway runs in it); returns the peak growth in MiB. */
async function peakRssGrowth(work: () => Promise<unknown>): Promise<number> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return (peak - baseline) / MIB;
}

describe('several-GB files', () => {
  const url = (path: string) => `ftp://alice:alice-secret@127.0.0.1:${gateway.ftpPort}${path}`;

  it('a 3 GiB upload and download stream through the gateway in bounded memory, with every byte', { timeout: 300_000 }, async () => {
    const uploadGrowth = await peakRssGrowth(() => run('curl', ['-sS', '--fail', '-T', join(scratch, 'big.bin'), url('/big.bin')]));
    expect((await stat(join(gateway.storageRoot, 'alice', 'big.bin'))).size).toBe(SIZE);

    let downloaded = 0;
    const downloadGrowth = await peakRssGrowth(async () => {
      const { stdout } = await run('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{size_download}', url('/big.bin')]);
      downloaded = Number(stdout);
    });
    expect(downloaded).toBe(SIZE);
    // Constant memory: far below the file size whatever the machine's speed (buffers
    // are bounded by backpressure on both sides; a leak would grow by GiBs).
    expect(uploadGrowth).toBeLessThan(256);
    expect(downloadGrowth).toBeLessThan(256);
  });
});
