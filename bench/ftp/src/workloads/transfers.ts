import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FtpTarget } from '../peers/peer.js';
import { curlTls, ftpUrl, measured, type Workload } from './measure.js';

const run = promisify(execFile);
// A stalled transfer fails its workload after 10 minutes instead of holding the whole run.
const curl = (args: string[]) => run('curl', ['--silent', '--show-error', '--fail', '--max-time', '600', ...args], { maxBuffer: 64 * 1024 * 1024 });

export interface FixtureNames {
  readonly bigRemote: string;
  readonly bigLocal: string;
  readonly bigBytes: number;
  readonly smallLocalDir: string;
  readonly smallCount: number;
  readonly parallel: number;
}

export function bigRetr(f: FixtureNames): Workload {
  return {
    name: `${f.bigBytes / 2 ** 20} MiB RETR`,
    unit: 'MB/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU s/GiB', scale: 1 },
    run: async (target: FtpTarget) => {
      const m = await measured(target, async () => {
        await curl([...curlTls(target), '-o', '/dev/null', ftpUrl(target, `/${f.bigRemote}`)]);
        return f.bigBytes;
      });
      return { ...m, value: f.bigBytes / 1e6 / m.elapsedS, work: f.bigBytes / 2 ** 30 };
    },
  };
}

export function bigStor(f: FixtureNames): Workload {
  return {
    name: `${f.bigBytes / 2 ** 20} MiB STOR`,
    unit: 'MB/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU s/GiB', scale: 1 },
    run: async (target: FtpTarget) => {
      const m = await measured(target, async () => {
        await curl([...curlTls(target), '-T', f.bigLocal, ftpUrl(target, '/up/big-upload.bin')]);
        return f.bigBytes;
      });
      return { ...m, value: f.bigBytes / 1e6 / m.elapsedS, work: f.bigBytes / 2 ** 30 };
    },
  };
}

function slices(f: FixtureNames): Array<{ from: number; to: number }> {
  const per = Math.ceil(f.smallCount / f.parallel);
  return Array.from({ length: f.parallel }, (_, i) => ({ from: i * per, to: Math.min(f.smallCount, (i + 1) * per) - 1 }));
}

const pad = (n: number) => String(n).padStart(5, '0');

/**
 * The small-file workloads use lftp, not curl: curl 7.88 (Debian 12) idles a whole second
 * before connecting about one data connection in twelve, whatever the server (its trace shows
 * nothing between "Connecting to" and "Trying"), so 2,000 files measured curl's timer rather
 * than the server. lftp opens its data connections at once. Each parallel session is one
 * lftp process with one control connection for its share of the files.
 */
function lftp(target: FtpTarget, commands: string[]): Promise<unknown> {
  const settings = [
    'set cmd:fail-exit yes',
    // A failure fails the workload instead of being retried after a pause.
    'set net:max-retries 1',
    'set net:timeout 60',
    'set xfer:clobber yes',
    'set ftp:passive-mode yes',
    ...(target.tls ? ['set ftp:ssl-force yes', 'set ftp:ssl-protect-data yes', 'set ssl:verify-certificate no'] : ['set ftp:ssl-allow no']),
  ];
  const open = `open --env-password -u ${target.user} -p ${target.port} ${target.host}`;
  return run('lftp', ['-c', [...settings, open, ...commands].join('; ')], { env: { ...process.env, LFTP_PASSWORD: target.password }, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
}

export function smallStor(f: FixtureNames): Workload {
  return {
    name: `${f.smallCount} × 64 KiB STOR, ${f.parallel} sessions`,
    unit: 'files/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU ms/file', scale: 1000 },
    run: async (target: FtpTarget) => {
      const m = await measured(target, async () => {
        await Promise.all(
          slices(f).map(({ from, to }) => {
            const names = Array.from({ length: to - from + 1 }, (_, i) => `f${pad(from + i)}.bin`);
            return lftp(target, ['mkdir -p -f /up/small', `lcd ${f.smallLocalDir}`, `put -O /up/small ${names.join(' ')}`]);
          }),
        );
        return f.smallCount;
      });
      return { ...m, value: f.smallCount / m.elapsedS, work: f.smallCount };
    },
  };
}

export function smallRetr(f: FixtureNames, downloadDir: string): Workload {
  return {
    name: `${f.smallCount} × 64 KiB RETR, ${f.parallel} sessions`,
    unit: 'files/s',
    higherIsBetter: true,
    cpuPer: { label: 'server CPU ms/file', scale: 1000 },
    run: async (target: FtpTarget) => {
      const m = await measured(target, async () => {
        await Promise.all(
          slices(f).map(async ({ from, to }, i) => {
            const names = Array.from({ length: to - from + 1 }, (_, k) => `/small/f${pad(from + k)}.bin`);
            const into = join(downloadDir, `c${i}`);
            await mkdir(into, { recursive: true });
            return lftp(target, [`get -O ${into} ${names.join(' ')}`]);
          }),
        );
        return f.smallCount;
      });
      return { ...m, value: f.smallCount / m.elapsedS, work: f.smallCount };
    },
  };
}

export function listing(command: 'LIST' | 'MLSD', entries: number): Workload {
  return {
    name: `${command} of ${entries} entries`,
    unit: 'ms',
    higherIsBetter: false,
    run: async (target: FtpTarget) => {
      const m = await measured(target, async () => {
        const { stdout } = await curl([...curlTls(target), ...(command === 'MLSD' ? ['-X', 'MLSD'] : []), ftpUrl(target, '/list/')]);
        const lines = stdout.split('\n').filter((l) => l.trim() !== '').length;
        if (lines < entries) throw new Error(`${command} returned ${lines} lines, expected at least ${entries}`);
        return lines;
      });
      return { ...m, value: m.elapsedS * 1000 };
    },
  };
}
