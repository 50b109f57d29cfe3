import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { startStack, type RunningStack } from './run-stack.js';

const run = promisify(execFile);
let running: RunningStack;

beforeAll(async () => {
  // A partial left by a dead gateway is adopted once untouched for this long (ADR 0006); short, so the test is quick.
  running = await startStack(['--gateways', '2'], { GATEWAY_UPLOAD_STALE_AFTER: '2s' });
});

afterAll(async () => {
  await running?.stop();
});

const url = (remote: string) => `ftp://demo:${encodeURIComponent(running.stack.demoUser.password)}@127.0.0.1:${running.stack.ftp.port}${remote}`;

/** One FTP upload as a user's client does it: a fresh connection, and one reconnect if the first attempt is cut. */
async function upload(local: string, remote: string): Promise<void> {
  await run('curl', ['-sS', '--fail', '--ftp-create-dirs', '-T', local, url(remote)]).catch(() => run('curl', ['-sS', '--fail', '--ftp-create-dirs', '-T', local, url(remote)]));
}

/** What SIZE answers through HAProxy (curl -I), undefined while the file is not there. */
async function remoteSize(remote: string): Promise<number | undefined> {
  const { stdout } = await run('curl', ['-sS', '--fail', '-I', url(remote)]).catch(() => ({ stdout: '' }));
  const match = /Content-Length: (\d+)/i.exec(stdout);
  return match === null ? undefined : Number(match[1]);
}

/** The uploads in progress in `folder` of the shared storage (in its hidden partials subfolder), with the gateway writing each (ADR 0006 names). */
async function partials(folder: string): Promise<Array<{ gateway: string; size: number }>> {
  const inProgress = join(folder, '.ferry-upload-partials');
  const names = (await readdir(inProgress).catch(() => [] as string[])).filter((name) => name.startsWith('.ferry-upload-'));
  return Promise.all(names.map(async (name) => ({ gateway: name.split('.')[2] ?? '', size: (await stat(join(inProgress, name))).size })));
}

describe('a gateway killed behind HAProxy', () => {
  it('clients go on through the other gateway, every completed upload is there, the cut one resumes, and the indexer counts each once', async () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(256 * 1024 + i) }));
    for (const file of files) await writeFile(join(running.dataDir, file.name), file.data);
    for (const file of files.slice(0, 5)) await upload(join(running.dataDir, file.name), `/failover/${file.name}`);

    // A slow upload (about 10 s) is surely in flight when its gateway dies; the partial's name says which gateway writes it.
    const big = { name: 'big.bin', data: randomBytes(1024 * 1024) };
    const bigLocal = join(running.dataDir, big.name);
    await writeFile(bigLocal, big.data);
    const folder = join(running.dataDir, 'storage', 'demo', 'failover');
    const cut = run('curl', ['-sS', '--fail', '--limit-rate', '100k', '-T', bigLocal, url(`/failover/${big.name}`)]);
    await pollUntil('the slow upload to be written', 30_000, async () => (await partials(folder)).some((partial) => partial.size > 100 * 1024));
    const [writer] = await partials(folder);
    const victim = running.stack.services[writer!.gateway]!;
    process.kill(victim.pid!, 'SIGKILL');
    await expect(cut).rejects.toThrow();

    for (const file of files.slice(5)) await upload(join(running.dataDir, file.name), `/failover/${file.name}`);
    for (const file of files) {
      const stored = await readFile(join(folder, file.name));
      expect(stored.equals(file.data), file.name).toBe(true);
    }

    // Resume as a user would: SIZE finds the partial once its writer is known gone, then curl -C - sends the rest (APPE).
    let resumedFrom: number | undefined;
    await pollUntil('SIZE to find the partial of the cut upload', 30_000, async () => (resumedFrom = await remoteSize(`/failover/${big.name}`)) !== undefined);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThan(big.data.length);
    await run('curl', ['-sS', '--fail', '-C', '-', '-T', bigLocal, url(`/failover/${big.name}`)]);
    expect((await readFile(join(folder, big.name))).equals(big.data)).toBe(true);

    const secrets = JSON.parse(await readFile(join(running.dataDir, 'secrets.json'), 'utf8')) as { queryToken: string };
    const api = running.stack.services['storage-indexer']!.apiUrl!;
    const completedUploads = async () => {
      const response = await fetch(`${api}/transfers?user=demo&direction=upload&status=completed&pathPrefix=/failover/&limit=100`, { headers: { authorization: `Bearer ${secrets.queryToken}` } });
      return ((await response.json()) as { items: Array<{ path: string; offset: number; bytes: number }> }).items;
    };
    await pollUntil('the indexer to show the eleven uploads', 30_000, async () => (await completedUploads()).length >= 11);
    const completed = await completedUploads();
    expect(completed.map((t) => t.path).sort()).toEqual([...files.map((f) => `/failover/${f.name}`), `/failover/${big.name}`].sort());
    // The cut upload never completed; the resumed one did, from where the partial ended.
    expect(completed.find((t) => t.path === `/failover/${big.name}`)).toMatchObject({ offset: resumedFrom, bytes: big.data.length - resumedFrom! });
  });
});
