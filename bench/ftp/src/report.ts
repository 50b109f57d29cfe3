import { median } from './proc.js';
import type { MachineLimits } from './limits.js';
import type { Measurement, Workload } from './workloads/measure.js';

export interface Row {
  readonly workload: Workload;
  /** target name → measurements of every run */
  readonly results: Map<string, Measurement[]>;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function cell(workload: Workload, runs: readonly Measurement[]): string {
  if (runs.length === 0) return 'n/a';
  const value = median(runs.map((r) => r.value));
  const cpu = median(runs.map((r) => r.serverCpuS));
  const client = median(runs.map((r) => r.clientCpuS));
  const perUnit = workload.cpuPer ? median(runs.map((r) => (r.work ? (r.serverCpuS / r.work) * workload.cpuPer!.scale : Number.NaN))) : Number.NaN;
  const per = workload.cpuPer ? `; ${fmt(perUnit)} ${workload.cpuPer.label}` : '';
  return `${fmt(value)} (server ${fmt(cpu)} s${per}; client ${fmt(client)} s)`;
}

/** A markdown table: one row per workload, medians per server, and each server's ratio to the baseline. */
export function renderReport(rows: readonly Row[], targets: readonly string[], baseline: string, limits: MachineLimits | undefined, runs: number): string {
  const others = targets.filter((t) => t !== baseline);
  const header = `| workload | unit | ${targets.join(' | ')} | ${others.map((t) => `${t}/${baseline}`).join(' | ')} |`;
  const rule = `|${' --- |'.repeat(2 + targets.length + others.length)}`;
  const lines = rows.map(({ workload, results }) => {
    const base = median((results.get(baseline) ?? []).map((r) => r.value));
    const ratios = others.map((t) => {
      const runsOf = results.get(t) ?? [];
      if (runsOf.length === 0 || !base) return 'n/a';
      const value = median(runsOf.map((r) => r.value));
      return fmt(workload.higherIsBetter ? value / base : base / value);
    });
    return `| ${workload.name} | ${workload.unit} | ${targets.map((t) => cell(workload, results.get(t) ?? [])).join(' | ')} | ${ratios.join(' | ')} |`;
  });
  const limitLines = limits
    ? [``, `Machine limits: loopback TCP ${fmt(limits.loopbackMBps)} MB/s (iperf3), page cache write ${fmt(limits.pageCacheWriteMBps)} MB/s, read ${fmt(limits.pageCacheReadMBps)} MB/s (dd).`]
    : [];
  return [`Medians of ${runs} runs. Ratios are "better than ${baseline}" when above 1 (for times and memory the inverse is taken).`, '', header, rule, ...lines, ...limitLines, ''].join('\n');
}
