import { debianBinary } from '../system.js';
import { launchPeer, stopProcess, type FtpTarget } from './peer.js';
import type { PeerOptions } from './vsftpd.js';

/** pure-ftpd with local accounts (unix auth), chroot, passive range, on loopback. */
export async function startPureFtpd(options: PeerOptions): Promise<FtpTarget> {
  const binary = await debianBinary('pure-ftpd', 'pure-ftpd', options.cacheDir, ['libcap2', 'libssl3', 'libpam0g', 'libsodium23']);
  const args = [
    '-S', `127.0.0.1,${options.port}`,
    '-p', `${options.passive[0]}:${options.passive[1]}`,
    '-P', '127.0.0.1',
    '-E', // no anonymous
    '-A', // chroot everyone
    '-H', // no reverse DNS
    '-l', 'unix',
    '-c', '10000',
    '-C', '20000',
    '-u', '1',
    ...(options.tls ? ['-Y', '1', '-2', `${options.tls.cert},${options.tls.key}`] : ['-Y', '0']),
  ];
  const child = await launchPeer(binary, args, options.port, 'pure-ftpd');
  return { name: options.tls ? 'pure-ftpd+tls' : 'pure-ftpd', host: '127.0.0.1', port: options.port, user: options.users[0]!.user, password: options.users[0]!.password, users: options.users, root: options.home, processes: [{ label: 'pure-ftpd', pid: child.pid! }], memoryPid: child.pid!, tls: Boolean(options.tls), stop: () => stopProcess(child) };
}
