import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getFreePorts } from '@ferry/testing';
import { makeLocalFixtures, resetUploads, seedServerRoot } from './fixtures.js';
import { measureLimits } from './limits.js';
import type { FtpTarget } from './peers/peer.js';
import { startPureFtpd } from './peers/pure-ftpd.js';
import { startVsftpd, type PeerOptions } from './peers/vsftpd.js';
import { renderReport, type Row } from './report.js';
import { aptInstall, ensureBenchUser, run } from './system.js';
import type { Measurement, Workload } from './workloads/measure.js';
import { bigRetr, bigStor, listing, smallRetr, smallStor } from './workloads/transfers.js';
import { idleSessions, logins } from './workloads/sessions.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const workspace = new URL('../../../', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    servers: { type: 'string', default: 'vsftpd,pure-ftpd,vsftpd+tls,pure-ftpd+tls' },
    idle: { type: 'string' },
    ferry: { type: 'string' },
    'ferry-pid': { type: 'string' },
    'ferry-root': { type: 'string' },
    'ferry-name': { type: 'string', default: 'ferry' },
    'ferry-tls': { type: 'boolean', default: false },
    'no-limits': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

if (process.getuid?.() !== 0) {
  out('bench: run as root (the peers serve a local system account the harness creates)');
  process.exit(64);
}
const runs = Number(values.runs);
const quick = values.quick;
const scale = { bigBytes: (quick ? 64 : 1024) * 2 ** 20, smallCount: quick ? 200 : 2000, listEntries: quick ? 1000 : 10_000, loginSeconds: quick ? 2 : 5 };
const idleCounts = (values.idle ?? (quick ? '100' : '1000')).split(',').map(Number);

await aptInstall(['curl', 'openssl', 'libwrap0', 'libsodium23']);
const scratch = existsSync('/dev/shm') ? '/dev/shm/ferry-bench' : '/tmp/ferry-bench';
const cacheDir = join(workspace, 'bench', '.cache');
await mkdir(cacheDir, { recursive: true });
await mkdir(scratch, { recursive: true });
const user = 'ferrybench';
const password = randomBytes(18).toString('base64url');
const home = join(scratch, 'home');
await ensureBenchUser(user, home, password);
await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(scratch, 'key.pem'), '-out', join(scratch, 'cert.pem')]);
const tls = { cert: join(scratch, 'cert.pem'), key: join(scratch, 'key.pem') };
const fixtures = await makeLocalFixtures(join(scratch, 'local'), scale.bigBytes, scale.smallCount);
const names = { bigRemote: 'big.bin', bigLocal: fixtures.bigLocal, bigBytes: scale.bigBytes, smallLocalDir: fixtures.smallLocalDir, smallCount: scale.smallCount, parallel: 8 };

const workloads: Workload[] = [
  bigRetr(names),
  bigStor(names),
  smallStor(names),
  smallRetr(names, join(scratch, 'downloads')),
  logins(8, scale.loginSeconds),
  listing('LIST', scale.listEntries),
  listing('MLSD', scale.listEntries),
  ...idleCounts.map((n) => idleSessions(n)),
];

type Starter = () => Promise<FtpTarget>;
const peer = async (withTls: boolean): Promise<PeerOptions> => {
  const [port, low] = await getFreePorts(2);
  return { cacheDir, workDir: scratch, port: port!, passive: [20_000 + (low! % 20_000), 20_000 + (low! % 20_000) + 200], user, password, home, ...(withTls ? { tls } : {}) };
};
const peerNames = new Set(['vsftpd', 'pure-ftpd', 'vsftpd+tls', 'pure-ftpd+tls']);
const starters = new Map<string, Starter>([
  ['vsftpd', async () => startVsftpd(await peer(false))],
  ['pure-ftpd', async () => startPureFtpd(await peer(false))],
  ['vsftpd+tls', async () => startVsftpd(await peer(true))],
  ['pure-ftpd+tls', async () => startPureFtpd(await peer(true))],
]);
if (values.ferry) {
  const url = new URL(values.ferry);
  if (!values['ferry-pid'] || !values['ferry-root']) throw new Error('--ferry needs --ferry-pid (the gateway process) and --ferry-root (the user home on disk)');
  const target: FtpTarget = {
    name: values['ferry-name'],
    host: url.hostname,
    port: Number(url.port || 21),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    root: values['ferry-root'],
    pid: Number(values['ferry-pid']),
    tls: values['ferry-tls'],
    stop: () => Promise.resolve(),
  };
  starters.set(target.name, () => Promise.resolve(target));
}
const selected = [...values.servers.split(','), ...(values.ferry ? [values['ferry-name']] : [])].filter((name) => starters.has(name));

const rows: Row[] = workloads.map((workload) => ({ workload, results: new Map<string, Measurement[]>() }));
for (const name of selected) {
  const target = await starters.get(name)!();
  out(`== ${name} (pid ${target.pid}, port ${target.port})`);
  // The peers serve the bench account (files must be its own); Ferry's gateway writes as itself.
  const owner = peerNames.has(name) ? user : undefined;
  await seedServerRoot(target.root, fixtures, scale.listEntries, owner);
  try {
    for (const row of rows) {
      const results: Measurement[] = [];
      for (let i = 0; i < runs; i++) {
        await resetUploads(target.root, join(scratch, 'downloads'), owner);
        try {
          results.push(await row.workload.run(target));
        } catch (error) {
          out(`   ${row.workload.name}: failed: ${(error as Error).message}`);
          break;
        }
      }
      row.results.set(name, results);
      out(`   ${row.workload.name}: ${results.map((r) => r.value.toFixed(1)).join(', ')} ${row.workload.unit}`);
    }
  } finally {
    await target.stop();
  }
}

const limits = values['no-limits'] ? undefined : await measureLimits(scratch);
const report = renderReport(rows, selected, selected[0] ?? 'vsftpd', limits, runs);
const file = values.out ?? join(workspace, 'bench', 'results', `ftp-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}.md`);
await mkdir(join(file, '..'), { recursive: true });
await writeFile(file, report);
out('');
out(report);
out(`written to ${file}`);
await rm(join(scratch, 'downloads'), { recursive: true, force: true });
