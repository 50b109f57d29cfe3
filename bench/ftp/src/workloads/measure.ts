import { clientCpuSeconds, treesCpuSeconds } from '../proc.js';
import type { FtpTarget } from '../peers/peer.js';

export interface Measurement {
  readonly value: number;
  readonly serverCpuS: number;
  readonly clientCpuS: number;
  /** Server CPU seconds by process label (Ferry's services; a peer is one label). */
  readonly cpuByProcess?: Readonly<Record<string, number>>;
  /** Printed beside the value in the log (e.g. RSS beside PSS). */
  readonly detail?: string;
  /** Units of work done (GiB moved, files, logins): server CPU is reported per unit when the workload says so. */
  readonly work?: number;
}

export interface Workload {
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** At most this many runs, whatever --runs says (holding 10,000 sessions is slow and its memory hardly varies). */
  readonly maxRuns?: number;
  /** Server CPU is also reported per unit of `Measurement.work`: "s/GiB" (scale 1), "ms/file" (scale 1000). */
  readonly cpuPer?: { readonly label: string; readonly scale: 1 | 1000 };
  run(target: FtpTarget): Promise<Measurement>;
}

/** Runs `work`, charging the server's process tree and this client for the CPU used meanwhile. */
export async function measured(target: FtpTarget, work: () => Promise<number>): Promise<Measurement & { elapsedS: number }> {
  const [server0, client0, self0] = [await cpuByLabel(target), await clientCpuSeconds(), process.cpuUsage()];
  const started = performance.now();
  const value = await work();
  const elapsedS = (performance.now() - started) / 1000;
  const self = process.cpuUsage(self0);
  const server1 = await cpuByLabel(target);
  const cpuByProcess = Object.fromEntries(Object.entries(server1).map(([label, seconds]) => [label, seconds - (server0[label] ?? 0)]));
  const serverCpuS = Object.values(cpuByProcess).reduce((sum, s) => sum + s, 0);
  // /proc/self/stat already includes this process's own CPU; cpuUsage is used only when it is larger (threads).
  const clientCpuS = Math.max((await clientCpuSeconds()) - client0, (self.user + self.system) / 1e6);
  return { value, serverCpuS, clientCpuS, elapsedS, cpuByProcess };
}

async function cpuByLabel(target: FtpTarget): Promise<Record<string, number>> {
  const entries = await Promise.all(target.processes.map(async ({ label, pid }) => [label, await treesCpuSeconds([pid])] as const));
  return Object.fromEntries(entries);
}

export function ftpUrl(target: FtpTarget, path: string): string {
  return `ftp://${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}@${target.host}:${target.port}${path}`;
}

export function curlTls(target: FtpTarget): string[] {
  return target.tls ? ['--ssl-reqd', '--insecure'] : [];
}
