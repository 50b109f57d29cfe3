import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { startStack, type RunningStack } from './run-stack.js';

const run = promisify(execFile);
let running: RunningStack;

beforeAll(async () => {
  running = await startStack(['--gateways', '2']);
});

afterAll(async () => {
  await running?.stop();
});

/** One FTP upload as a user's client does it: a fresh connection, and one reconnect if the first attempt is cut. */
async function upload(local: string, remote: string): Promise<void> {
  const url = `ftp://demo:${encodeURIComponent(running.stack.demoUser.password)}@127.0.0.1:${running.stack.ftp.port}${remote}`;
  await run('curl', ['-sS', '--fail', '--ftp-create-dirs', '-T', local, url]).catch(() => run('curl', ['-sS', '--fail', '--ftp-create-dirs', '-T', local, url]));
}

describe('a gateway killed behind HAProxy', () => {
  it('clients go on through the other gateway, every completed upload is there, and the indexer counts each once', async () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(256 * 1024 + i) }));
    for (const file of files) await writeFile(join(running.dataDir, file.name), file.data);
    for (const file of files.slice(0, 5)) await upload(join(running.dataDir, file.name), `/failover/${file.name}`);

    const victim = running.stack.services['gw-1']!;
    process.kill(victim.pid!, 'SIGKILL');
    for (const file of files.slice(5)) await upload(join(running.dataDir, file.name), `/failover/${file.name}`);

    for (const file of files) {
      const stored = await readFile(join(running.dataDir, 'storage', 'demo', 'failover', file.name));
      expect(stored.equals(file.data), file.name).toBe(true);
    }

    const secrets = JSON.parse(await readFile(join(running.dataDir, 'secrets.json'), 'utf8')) as { queryToken: string };
    const api = running.stack.services['storage-indexer']!.apiUrl!;
    const completedUploads = async () => {
      const response = await fetch(`${api}/transfers?user=demo&direction=upload&status=completed&pathPrefix=/failover/&limit=100`, { headers: { authorization: `Bearer ${secrets.queryToken}` } });
      const body = (await response.json()) as { items: Array<{ path: string }> };
      return body.items.map((t) => t.path).sort();
    };
    await pollUntil('the indexer to show the ten uploads', 30_000, async () => (await completedUploads()).length >= 10);
    expect(await completedUploads()).toEqual(files.map((f) => `/failover/${f.name}`).sort());
  });
});
