import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { curlDownload, curlUpload, type FtpAccount } from './ftp-client.js';
import { completedUploads } from './indexer-client.js';
import { startStack, workspace, type RunningStack } from './run-stack.js';

const run = promisify(execFile);

const users = ['alice', 'bob', 'carol'].map((username) => ({ username, password: randomBytes(12).toString('base64url') }));
const files = users.flatMap(({ username }, i) => [
  { username, path: '/reports/q4.bin', data: randomBytes(200 * 1024 + i) },
  { username, path: `/deep/nested/${username} notes.txt`, data: Buffer.from(`notes of ${username}\n`) },
]);

let work: string;
let stackA: RunningStack | undefined;
let stackB: RunningStack | undefined;

async function createUser(stack: RunningStack, username: string, password: string): Promise<void> {
  const { adminToken } = JSON.parse(await readFile(stack.stack.secrets, 'utf8')) as { adminToken: string };
  const response = await fetch(`${stack.stack.services.auth!.apiUrl!}/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, home: username }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

const account = (stack: RunningStack, user: { username: string; password: string }): FtpAccount => ({ port: stack.stack.ftp.port, ...user });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-restore-test-'));
});

afterAll(async () => {
  await stackA?.stop();
  await stackB?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('backup of a running stack, restored into a fresh one (runbooks/RECOVERY.md)', () => {
  it('brings back every user with its password and every file byte for byte', async () => {
    stackA = await startStack(['--gateways', '1']);
    for (const user of users) await createUser(stackA, user.username, user.password);
    for (const [i, file] of files.entries()) {
      await writeFile(join(work, `upload-${i}`), file.data);
      await curlUpload(account(stackA, users.find((u) => u.username === file.username)!), join(work, `upload-${i}`), file.path);
    }
    // Every upload's event is on FERRY_ACTIVITY once the indexer has it: then back up.
    await pollUntil('the indexer to show every upload', 30_000, async () => (await completedUploads(stackA!.stack, '/')).length >= files.length);

    const backup = join(work, 'backup');
    const created = await run('npm', ['run', 'backup', '--', 'create', '--out', backup, '--storage', join(stackA.dataDir, 'storage'), '--nats', stackA.stack.nats.url], { cwd: workspace });
    expect(created.stdout).toContain('FERRY_USERS:');
    expect(await stackA.stop()).toBe(0);
    stackA = undefined;

    stackB = await startStack(['--gateways', '1', '--restore-from', backup]);
    expect(stackB.output()).toMatch(/restore: restore complete/);
    for (const [i, file] of files.entries()) {
      const local = join(work, `download-${i}`);
      await curlDownload(account(stackB, users.find((u) => u.username === file.username)!), file.path, local);
      expect((await readFile(local)).equals(file.data), `${file.username}${file.path}`).toBe(true);
    }
    // The history came back too: the new indexer replayed the restored FERRY_ACTIVITY.
    const history = async () => (await completedUploads(stackB!.stack, '/')).map((t) => `${t.username}${t.path}`).sort();
    await pollUntil('the restored history in the new indexer', 30_000, async () => (await history()).length >= files.length);
    expect(await history()).toEqual(files.map((f) => `${f.username}${f.path}`).sort());
    // Two whole stacks start and one stops in this test, one after the other.
  }, 240_000);

  it('refuses --restore-from a folder that is not a backup, before starting anything', async () => {
    const runner = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'deploy/local/src/main.ts', '--data-dir', join(work, 'never'), '--restore-from', work], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    runner.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(runner, 'exit')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 64, stderr: `ferry start: --restore-from ${work}: no manifest.json there; expected a folder written by \`npm run backup -- create\`\n` });
  });
});
