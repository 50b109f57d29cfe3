import { clientCpuSeconds, treeCpuSeconds } from '../proc.js';
import type { FtpTarget } from '../peers/peer.js';

export interface Measurement {
  readonly value: number;
  readonly serverCpuS: number;
  readonly clientCpuS: number;
}

export interface Workload {
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** Server CPU is also reported per this many units of work (per GiB, per file...). */
  readonly cpuPer?: { readonly label: string; readonly units: (value: number, elapsedS: number) => number };
  run(target: FtpTarget): Promise<Measurement>;
}

/** Runs `work`, charging the server's process tree and this client for the CPU used meanwhile. */
export async function measured(target: FtpTarget, work: () => Promise<number>): Promise<Measurement & { elapsedS: number }> {
  const [server0, client0, self0] = [await treeCpuSeconds(target.pid), await clientCpuSeconds(), process.cpuUsage()];
  const started = performance.now();
  const value = await work();
  const elapsedS = (performance.now() - started) / 1000;
  const self = process.cpuUsage(self0);
  const serverCpuS = (await treeCpuSeconds(target.pid)) - server0;
  // /proc/self/stat already includes this process's own CPU; cpuUsage is used only when it is larger (threads).
  const clientCpuS = Math.max((await clientCpuSeconds()) - client0, (self.user + self.system) / 1e6);
  return { value, serverCpuS, clientCpuS, elapsedS };
}

export function ftpUrl(target: FtpTarget, path: string): string {
  return `ftp://${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}@${target.host}:${target.port}${path}`;
}

export function curlTls(target: FtpTarget): string[] {
  return target.tls ? ['--ssl-reqd', '--insecure'] : [];
}
