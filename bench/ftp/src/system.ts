import { execFile } from 'node:child_process';
import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Credentials } from './peers/peer.js';

export const run = promisify(execFile);

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * A peer server's binary. vsftpd and pure-ftpd conflict as Debian packages (both
 * provide ftp-server), so the harness unpacks each .deb into its own cache folder
 * instead of installing it, and installs only their (non-conflicting) libraries.
 */
export async function debianBinary(pkg: string, binary: string, cacheDir: string, libraries: readonly string[]): Promise<string> {
  const root = join(cacheDir, pkg);
  const path = join(root, 'usr', 'sbin', binary);
  if (await exists(path)) return path;
  await aptInstall(libraries);
  await mkdir(root, { recursive: true });
  await run('apt-get', ['download', pkg], { cwd: cacheDir });
  const deb = (await readdir(cacheDir)).find((name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
  if (deb === undefined) throw new Error(`apt-get download ${pkg} produced no .deb in ${cacheDir}`);
  await run('dpkg-deb', ['-x', join(cacheDir, deb), root]);
  return path;
}

/** Installs Debian packages that are missing (as root, like the project's setup script). */
export async function aptInstall(packages: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const installed = await run('dpkg-query', ['-W', '-f=${Status}', pkg]).then(
      (r) => r.stdout.includes('install ok installed'),
      () => false,
    );
    if (!installed) missing.push(pkg);
  }
  if (missing.length === 0) return;
  process.stdout.write(`installing ${missing.join(', ')}\n`);
  await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).catch(async () => {
    await run('apt-get', ['update', '-qq']);
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  });
}

/**
 * The local system accounts the peers serve (they authenticate real accounts), all sharing
 * `home`, which the first owns; a fresh random password each run.
 */
export async function ensureBenchUsers(users: readonly Credentials[], home: string): Promise<void> {
  await mkdir(home, { recursive: true });
  for (const [i, { user }] of users.entries()) {
    const known = await run('id', ['-u', user]).then(
      () => true,
      () => false,
    );
    if (!known) await run('useradd', ['--home-dir', home, ...(i === 0 ? ['--create-home'] : ['--no-create-home']), '--shell', '/bin/bash', user]);
  }
  await run('chown', ['-R', `${users[0]!.user}:${users[0]!.user}`, home]);
  await new Promise<void>((resolve, reject) => {
    const child = execFile('chpasswd', (error) => (error ? reject(new Error(`chpasswd failed: ${error.message}`)) : resolve()));
    child.stdin?.end(users.map(({ user, password }) => `${user}:${password}\n`).join(''));
  });
}
