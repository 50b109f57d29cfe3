import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time by function and by
 * package, so a bottleneck shows without a flame-graph viewer.
 * Usage: npm run bench:profile -- <file.cpuprofile> [top]
 */
interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npm run bench:profile -- <file.cpuprofile> [top]\n');
  process.exit(64);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const top = Number(topArg ?? 30);
const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const where = (url: string) => {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return path;
  return relative(process.cwd(), path).replace('/dist/', '/');
};
const folderOf = (url: string) => where(url).split('/').slice(0, 2).join('/');
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const frame = byNode.get(id)!.callFrame;
  const name = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  byPackage.set(folderOf(frame.url), (byPackage.get(folderOf(frame.url)) ?? 0) + us);
  total += us;
}
const busy = total - (byFunction.get('(idle)  (native):0') ?? 0);
const show = (title: string, rows: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${(us / 1000).toFixed(1).padStart(9)} ms ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  }
};
// Inclusive time of the project's own functions (services/, libs/): where our code spends, callees included.
const inclusive = new Map<number, number>();
const inclusiveOf = (id: number): number => {
  const known = inclusive.get(id);
  if (known !== undefined) return known;
  const node = byNode.get(id)!;
  const sum = (selfUs.get(id) ?? 0) + (node.children ?? []).reduce((acc, child) => acc + inclusiveOf(child), 0);
  inclusive.set(id, sum);
  return sum;
};
const ours = new Map<string, number>();
for (const node of profile.nodes) {
  const { url, functionName, lineNumber } = node.callFrame;
  if (!/\/(services|libs)\//.test(url) || url.includes('node_modules')) continue;
  const name = `${functionName || '(anonymous)'}  ${where(url)}:${lineNumber + 1}`;
  ours.set(name, (ours.get(name) ?? 0) + inclusiveOf(node.id));
}
byPackage.delete('(native)');
byPackage.set('(native, without idle)', busy - [...byPackage.values()].reduce((a, b) => a + b, 0));
process.stdout.write(`profile ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s\n`);
show('self time by package/folder', byPackage);
show('self time by function', byFunction);
show("inclusive time of the project's functions (callees included; recursion counts twice)", ours);
