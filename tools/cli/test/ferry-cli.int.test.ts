import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, startNats, waitForHttp, type NatsServerHandle } from '@ferry/testing';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'tools/cli/bin/ferry.mjs');
const TOKEN = 'cli-test-admin-token-0123456789abcdef01234567';
const PASSWORD = 'correct horse battery staple';

let nats: NatsServerHandle;
let auth: ChildProcess;
let apiUrl: string;
let workDir: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ferry ...` as a real process; by default pointed at the test's auth service through the environment. */
function ferry(args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', FERRY_API_URL: apiUrl, FERRY_ADMIN_TOKEN: TOKEN, ...options.env };
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? workDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  nats = await startNats();
  workDir = await mkdtemp(join(tmpdir(), 'ferry-cli-test-'));
  const [apiPort, opsPort] = [await getFreePort(), await getFreePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  auth = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'services/auth/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, NATS_URL: nats.url, FERRY_API_PORT: String(apiPort), FERRY_OPS_PORT: String(opsPort), FERRY_ADMIN_TOKEN: TOKEN, AUTH_SCRYPT_LOG_N: '4', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  await waitForHttp(`http://127.0.0.1:${opsPort}/readyz`, 30_000, (status) => status === 200);
});

afterAll(async () => {
  if (auth?.exitCode === null) {
    const exited = new Promise((resolve) => auth.once('exit', resolve));
    auth.kill('SIGTERM');
    await exited;
  }
  await nats?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('ferry users against a real auth service', () => {
  it('creates a user with a password from stdin and the profile options', async () => {
    const run = await ferry(['users', 'create', 'alice', '--home', 'teams/alice', '--max-sessions', '3', '--allow-cidr', '10.0.0.0/8', '--allow-cidr', '192.168.1.0/24,2001:db8::/32', '--perm', 'read,write', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created user alice \(version \d+\)\n$/) });
    const shown = JSON.parse((await ferry(['users', 'show', 'alice', '--json'])).stdout);
    expect(shown.user.profile).toEqual({ home: 'teams/alice', maxSessions: 3, allowedCidrs: ['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32'], permissions: { read: true, write: true, delete: false, mkdir: false, rename: false } });
    expect(shown.events[0].by).toMatch(/^api:cli:/);
  });

  it('creates a user with a generated password printed once, and says when the name exists', async () => {
    const run = await ferry(['users', 'create', 'demo', '--generate-password']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/password for demo \(shown once, store it now\): [A-Za-z0-9_-]{24}\n$/);
    const again = await ferry(['users', 'create', 'demo', '--generate-password']);
    expect(again).toMatchObject({ code: 1, stderr: 'ferry: user demo already exists\n' });
  });

  it('lists users as a table and as JSON', async () => {
    const table = await ferry(['users', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^USER\s+STATUS\s+HOME\s+SESSIONS\s+PERMISSIONS\s+ADDRESSES\s+VERSION$/);
    expect(table.stdout).toMatch(/^alice\s+active\s+teams\/alice\s+3\s+read,write\s+10\.0\.0\.0\/8,/m);
    expect(table.stdout).toMatch(/^demo\s+active\s+demo\s+10\s+read,write,delete,mkdir,rename\s+any\s/m);
    const json = JSON.parse((await ferry(['users', 'list', '--json'])).stdout);
    expect((json.users as Array<{ username: string }>).map((user) => user.username)).toEqual(['alice', 'demo']);
  });

  it('sets a password from stdin or a generated one', async () => {
    expect(await ferry(['users', 'passwd', 'alice', '--password-stdin'], { stdin: `${PASSWORD} 2` })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^password of alice changed/) });
    const generated = await ferry(['users', 'passwd', 'alice', '--generate-password']);
    expect(generated.stdout).toMatch(/password for alice \(shown once, store it now\): \S{24}/);
  });

  it('changes the profile, and says when nothing changes', async () => {
    expect(await ferry(['users', 'set', 'alice', '--max-sessions', '5', '--any-address', '--perm', 'none'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^profile of alice changed/) });
    expect(await ferry(['users', 'set', 'alice', '--max-sessions', '5'])).toMatchObject({ code: 0, stdout: 'nothing changed: alice already has that profile\n' });
    const shown = await ferry(['users', 'show', 'alice']);
    expect(shown.stdout).toMatch(/^max sessions 5$/m);
    expect(shown.stdout).toMatch(/^addresses    any$/m);
    expect(shown.stdout).toMatch(/^permissions  none$/m);
  });

  it('disables with a reason, enables, and shows the audit trail newest first without hashes', async () => {
    expect(await ferry(['users', 'disable', 'alice', '--reason', 'on leave'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^alice disabled/) });
    expect(await ferry(['users', 'disable', 'alice'])).toMatchObject({ code: 0, stdout: 'alice was already disabled\n' });
    expect((await ferry(['users', 'show', 'alice'])).stdout).toMatch(/^status       disabled \(on leave\)$/m);
    expect(await ferry(['users', 'enable', 'alice'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^alice enabled/) });
    const shown = await ferry(['users', 'show', 'alice', '--events', '3']);
    expect(shown.stdout).toMatch(/last 3 event\(s\), newest first:\n\s+#\d+\s+\S+\s+enabled\s+by api:cli:\S+\n\s+#\d+\s+\S+\s+disabled\s+by api:cli:\S+\s+\{"reason":"on leave"\}\n\s+#\d+\s+\S+\s+profile_changed/);
    expect(shown.stdout).not.toMatch(/scrypt|passwordHash/);
  });

  it('deletes a user; the deleted user shows as deleted and cannot be changed', async () => {
    await ferry(['users', 'create', 'temp', '--generate-password']);
    expect(await ferry(['users', 'delete', 'temp'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^temp deleted/) });
    expect((await ferry(['users', 'show', 'temp'])).stdout).toMatch(/^status       deleted$/m);
    expect(await ferry(['users', 'enable', 'temp'])).toMatchObject({ code: 1, stderr: 'ferry: user temp does not exist\n' });
    expect((await ferry(['users', 'list'])).stdout).not.toMatch(/^temp/m);
  });

  it('reports a concurrent change when --if-version is stale', async () => {
    const run = await ferry(['users', 'disable', 'demo', '--if-version', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('was changed by someone else since version 1');
  });
});

describe('ferry users on a terminal', () => {
  /** Runs ferry under `script` (util-linux), so its stdin is a real pseudo-terminal; types each answer once its prompt shows. */
  function onTerminal(args: string[], answers: string[]): Promise<Run> {
    const command = [process.execPath, bin, ...args].map((part) => `'${part}'`).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: workDir, env: { PATH: process.env.PATH ?? '', FERRY_API_URL: apiUrl, FERRY_ADMIN_TOKEN: TOKEN }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let prompts = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const seen = (stdout.match(/(New password for \S+|Repeat it): /g) ?? []).length;
      while (prompts < seen) child.stdin.write(`${answers[prompts++] ?? ''}\r`);
    });
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr: '' })));
  }

  it('prompts twice without echo when stdin is a terminal', async () => {
    const run = await onTerminal(['users', 'create', 'ttyuser'], ['typed on a terminal', 'typed on a terminal']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('New password for ttyuser: ');
    expect(run.stdout).toContain('created user ttyuser');
    expect(run.stdout).not.toContain('typed on a terminal');
  });

  it('changes nothing when the two entries differ', async () => {
    const run = await onTerminal(['users', 'passwd', 'ttyuser'], ['first entry here', 'second entry here']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the two passwords differ; nothing was changed');
    expect(run.stdout).not.toMatch(/first entry|second entry/);
  });
});

describe('ferry users bad input', () => {
  it.each([
    ['a bad user name', ['users', 'create', 'bad name', '--generate-password'], 'invalid username (the user name): expected 1-64 characters'],
    ['a zero session limit', ['users', 'create', 'eve', '--max-sessions', '0', '--generate-password'], 'invalid maxSessions (--max-sessions):'],
    ['a bad CIDR', ['users', 'create', 'eve', '--allow-cidr', '10.0.0.0/33', '--generate-password'], 'invalid allowedCidrs.0 (--allow-cidr): expected a CIDR'],
    ['a home escaping with ..', ['users', 'create', 'eve', '--home', '../etc', '--generate-password'], 'invalid home (--home):'],
    ['an unknown user', ['users', 'show', 'nobody'], 'ferry: user nobody does not exist'],
    ['a reason over 512 characters', ['users', 'disable', 'alice', '--reason', 'x'.repeat(600)], 'invalid reason (--reason):'],
  ])('%s fails with exit 1 and names the problem', async (_label, args, message) => {
    const run = await ferry(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });

  it('refuses a too short password without echoing it', async () => {
    const run = await ferry(['users', 'create', 'eve', '--password-stdin'], { stdin: 'Sh0rtSecret\n' });
    expect(run).toMatchObject({ code: 1, stderr: 'ferry: invalid password (the password): password must be at least 12 characters long\n' });
  });

  it.each([
    [['users', 'create', 'eve'], 'no password: stdin is not a terminal, so pass --password-stdin'],
    [['users', 'create', 'eve', '--password-stdin', '--generate-password'], 'either --password-stdin or --generate-password'],
    [['users', 'create', 'eve', '--max-sessions', 'many', '--generate-password'], '--max-sessions: expected a whole number'],
    [['users', 'create', 'eve', '--perm', 'read,fly', '--generate-password'], '--perm: unknown permission "fly"'],
    [['users', 'create', 'eve', '--bogus'], "Unknown option '--bogus'"],
    [['users', 'create'], 'missing the user name'],
    [['users', 'show', 'alice', 'extra'], 'unexpected argument "extra"'],
    [['users', 'show', 'alice', '--events', '-3'], '--events'],
    [['users', 'set', 'alice'], 'nothing to change'],
    [['users', 'set', 'alice', '--allow-cidr', '10.0.0.0/8', '--any-address'], 'either --allow-cidr or --any-address'],
    [['users', 'frobnicate'], 'unknown command "users frobnicate"'],
    [['groups', 'list'], 'unknown command "groups"'],
  ])('%j is a usage error (exit 64) that says what to pass', async (args, message) => {
    const run = await ferry(args);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(message);
  });

  it('refuses an empty --password-stdin', async () => {
    expect(await ferry(['users', 'passwd', 'alice', '--password-stdin'], { stdin: '' })).toMatchObject({ code: 1, stderr: expect.stringContaining('stdin was empty') });
  });
});

describe('ferry help', () => {
  it.each(['create', 'passwd', 'set', 'disable', 'enable', 'delete', 'list', 'show'])('users %s --help prints its usage and exits 0', async (command) => {
    const run = await ferry(['users', command, '--help'], { env: { FERRY_API_URL: '' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: ferry users ${command}`);
    expect(run.stdout).toContain('Exit codes: 0 ok, 1 failure, 64 usage error.');
  });

  it('--help lists every command; no arguments prints it as a usage error', async () => {
    const help = await ferry(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['create', 'passwd', 'set', 'disable', 'enable', 'delete', 'list', 'show']) expect(help.stdout).toContain(`users ${command}`);
    expect((await ferry([])).code).toBe(64);
  });
});

describe('ferry finds the API and the token', () => {
  it('says the token is wrong on a 401', async () => {
    const run = await ferry(['users', 'list'], { env: { FERRY_ADMIN_TOKEN: 'not-the-token' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the admin token was refused by ${apiUrl}: the token from FERRY_ADMIN_TOKEN is wrong`);
  });

  it('reads the token from --token-file, and says when that file is missing', async () => {
    const file = join(workDir, 'token');
    await writeFile(file, `${TOKEN}\n`);
    expect((await ferry(['users', 'list', '--token-file', file], { env: { FERRY_ADMIN_TOKEN: 'wrong' } })).code).toBe(0);
    const missing = await ferry(['users', 'list', '--token-file', join(workDir, 'nope')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read it (ENOENT)') });
  });

  it('says which URL it could not reach and what to do', async () => {
    const port = await getFreePort();
    const run = await ferry(['users', 'list', '--api', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the auth admin API at http://127.0.0.1:${port} (from --api): connection refused. Is the stack running (npm start)?`);
  });

  it('without flags or environment, uses the local stack files in the current folder', async () => {
    const stackDir = await mkdtemp(join(tmpdir(), 'ferry-cli-stack-'));
    await mkdir(join(stackDir, '.ferry'));
    const secrets = join(stackDir, '.ferry', 'secrets.json');
    await writeFile(join(stackDir, '.ferry', 'stack.json'), JSON.stringify({ services: { auth: { apiUrl, opsUrl: 'http://127.0.0.1:1' } }, secrets }));
    await writeFile(secrets, JSON.stringify({ adminToken: TOKEN, queryToken: 'q' }));
    const run = await ferry(['users', 'list'], { cwd: stackDir, env: { FERRY_API_URL: '', FERRY_ADMIN_TOKEN: '' } });
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('alice') });
    const nowhere = await ferry(['users', 'list'], { cwd: workDir, env: { FERRY_API_URL: '', FERRY_ADMIN_TOKEN: '' } });
    expect(nowhere).toMatchObject({ code: 1, stderr: expect.stringContaining('no auth admin API to talk to: pass --api') });
    await rm(stackDir, { recursive: true, force: true });
  });

  it('refuses an --api that is not an http URL', async () => {
    expect(await ferry(['users', 'list', '--api', 'ftp://example'])).toMatchObject({ code: 1, stderr: expect.stringContaining('expected an http:// or https:// URL') });
  });
});
