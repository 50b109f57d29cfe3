import { readdir, readFile } from 'node:fs/promises';

const CLOCK_TICKS = 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in ticks: own CPU plus that of reaped children. */
  readonly ticks: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
  } catch {
    return undefined;
  }
}

/** The process and all its live descendants. */
export async function processTree(root: number): Promise<ProcStat[]> {
  const all = (await Promise.all((await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))))).filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const tree: ProcStat[] = [];
  const queue = all.filter((s) => s.pid === root);
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return tree;
}

/** CPU seconds used so far by servers and everything they forked (vsftpd forks per session). */
export async function treesCpuSeconds(roots: readonly number[]): Promise<number> {
  const trees = await Promise.all(roots.map((root) => processTree(root)));
  return trees.flat().reduce((sum, s) => sum + s.ticks, 0) / CLOCK_TICKS;
}

/** The pids of `parent`'s direct children whose command name is one of `names`. */
export async function childPidsNamed(parent: number, names: readonly string[]): Promise<number[]> {
  const tree = await processTree(parent);
  const found: number[] = [];
  for (const { pid, ppid } of tree) {
    if (ppid !== parent) continue;
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (names.includes(comm)) found.push(pid);
  }
  return found;
}

async function sumOfRollup(root: number, field: 'Pss' | 'Rss'): Promise<number> {
  let total = 0;
  for (const { pid } of await processTree(root)) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    total += Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  }
  return total;
}

/** Proportional set size of a process tree in KiB: shared pages split between sharers, so forks are not counted twice. */
export function treePssKiB(root: number): Promise<number> {
  return sumOfRollup(root, 'Pss');
}

/** Resident set size of a process tree in KiB (shared pages counted once per process). */
export function treeRssKiB(root: number): Promise<number> {
  return sumOfRollup(root, 'Rss');
}

/** CPU seconds of this harness: itself plus the client processes (curl) it has reaped. */
export async function clientCpuSeconds(): Promise<number> {
  const self = await readStat(process.pid);
  return (self?.ticks ?? 0) / CLOCK_TICKS;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
