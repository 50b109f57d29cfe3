import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { debianBinary } from '../system.js';
import { launchPeer, stopProcess, type Credentials, type FtpTarget } from './peer.js';

export interface PeerOptions {
  readonly cacheDir: string;
  readonly workDir: string;
  readonly port: number;
  readonly passive: readonly [number, number];
  /** System accounts sharing `home`; the first owns it. */
  readonly users: readonly Credentials[];
  readonly home: string;
  readonly tls?: { readonly cert: string; readonly key: string };
}

const PAM_SERVICE = 'ferry-bench-vsftpd';

/** vsftpd as its users run it: local accounts, chroot, passive range, on loopback; process per session. */
export async function startVsftpd(options: PeerOptions): Promise<FtpTarget> {
  const binary = await debianBinary('vsftpd', 'vsftpd', options.cacheDir, ['libwrap0', 'libpam0g', 'libcap2', 'libssl3']);
  await writeFile(`/etc/pam.d/${PAM_SERVICE}`, 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_unix.so\n');
  const empty = join(options.workDir, 'vsftpd-empty');
  await mkdir(empty, { recursive: true });
  const lines = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${options.port}`,
    'background=NO',
    'anonymous_enable=NO',
    'local_enable=YES',
    'write_enable=YES',
    'local_umask=022',
    'chroot_local_user=YES',
    'allow_writeable_chroot=YES',
    `pasv_min_port=${options.passive[0]}`,
    `pasv_max_port=${options.passive[1]}`,
    'pasv_address=127.0.0.1',
    'seccomp_sandbox=NO',
    `pam_service_name=${PAM_SERVICE}`,
    `secure_chroot_dir=${empty}`,
    'max_clients=20000',
    'max_per_ip=20000',
    'xferlog_enable=NO',
    'dirlist_enable=YES',
    'utf8_filesystem=YES',
    ...(options.tls
      ? ['ssl_enable=YES', `rsa_cert_file=${options.tls.cert}`, `rsa_private_key_file=${options.tls.key}`, 'force_local_logins_ssl=NO', 'force_local_data_ssl=NO', 'require_ssl_reuse=NO', 'ssl_ciphers=HIGH']
      : ['ssl_enable=NO']),
  ];
  const config = join(options.workDir, `vsftpd-${options.port}.conf`);
  await writeFile(config, `${lines.join('\n')}\n`);
  const child = await launchPeer(binary, [config], options.port, 'vsftpd');
  return { name: options.tls ? 'vsftpd+tls' : 'vsftpd', host: '127.0.0.1', port: options.port, user: options.users[0]!.user, password: options.users[0]!.password, users: options.users, root: options.home, processes: [{ label: 'vsftpd', pid: child.pid! }], memoryPid: child.pid!, tls: Boolean(options.tls), stop: () => stopProcess(child) };
}
