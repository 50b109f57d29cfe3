import { execFile } from 'node:child_process';
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

/** Each parallel session is one curl that uploads its share of files over one control connection. */
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
            return curl([...curlTls(target), '--ftp-create-dirs', '-T', `${f.smallLocalDir}/{${names.join(',')}}`, ftpUrl(target, '/up/small/')]);
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
          slices(f).map(({ from, to }, i) =>
            curl([...curlTls(target), '--create-dirs', '-o', `${downloadDir}/c${i}-#1.bin`, ftpUrl(target, `/small/f[${pad(from)}-${pad(to)}].bin`)]),
          ),
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
