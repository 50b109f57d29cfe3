import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getFreePorts, isAlive } from '@ferry/testing';
import { makeLocalFixtures, resetUploads, seedServerRoot } from './fixtures.js';
import { measureLimits } from './limits.js';
import type { FtpTarget } from './peers/peer.js';
import { startFerry, type FerryPlatform } from './peers/ferry.js';
import { startPureFtpd } from './peers/pure-ftpd.js';
import { startVsftpd, type PeerOptions } from './peers/vsftpd.js';
import { renderReport, type Row } from './report.js';
import { aptInstall, ensureBenchUsers, run } from './system.js';
import type { Measurement, Workload } from './workloads/measure.js';
import { bigRetr, bigStor, listing, smallRetr, smallStor } from './workloads/transfers.js';
import { distinctLogins, idleSessions, logins } from './workloads/sessions.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const workspace = new URL('../../../', import.meta.url).pathname;

const FERRY_TARGETS = ['ferry', 'ferry+haproxy', 'ferry+tls'] as const;
type FerryTarget = (typeof FERRY_TARGETS)[number];
const isFerry = (name: string): name is FerryTarget => (FERRY_TARGETS as readonly string[]).includes(name);

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    servers: { type: 'string', default: 'vsftpd,pure-ftpd,ferry,ferry+haproxy,vsftpd+tls,pure-ftpd+tls,ferry+tls' },
    idle: { type: 'string' },
    only: { type: 'string' },
    'no-limits': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

if (process.getuid?.() !== 0) {
  out('bench: run as root (the peers serve local system accounts the harness creates)');
  process.exit(64);
}
const runs = Number(values.runs);
const quick = values.quick;
const scale = { bigBytes: (quick ? 64 : 1024) * 2 ** 20, smallCount: quick ? 200 : 2000, listEntries: quick ? 1000 : 10_000, loginSeconds: quick ? 2 : 5, distinctPerRun: quick ? 16 : 50 };
const idleCounts = (values.idle ?? (quick ? '100' : '1000,5000,10000')).split(',').map(Number);
const maxIdle = Math.max(0, ...idleCounts);

await aptInstall(['curl', 'lftp', 'openssl', 'libwrap0', 'libsodium23']);
const scratch = existsSync('/dev/shm') ? '/dev/shm/ferry-bench' : '/tmp/ferry-bench';
const cacheDir = join(workspace, 'bench', '.cache');
await mkdir(cacheDir, { recursive: true });
await mkdir(scratch, { recursive: true });
// One run at a time: runs share the scratch folder, the system accounts (their passwords change) and the ports.
const lock = join(scratch, 'bench.pid');
const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
if (holder > 0 && holder !== process.pid && isAlive(holder)) {
  out(`bench: another run (pid ${holder}) is using ${scratch}; wait for it or stop it`);
  process.exit(75);
}
await writeFile(lock, String(process.pid));
const selected = values.servers.split(',');
// The transfer account first, then the accounts of the first-login workload: a fresh slice for every run
// against every target (Ferry's targets share one platform, the peers share the system accounts).
const firstLoginTargets = selected.filter((name) => !name.endsWith('+tls')).length;
const userCount = 1 + runs * scale.distinctPerRun * Math.max(firstLoginTargets, 1);
const users = Array.from({ length: userCount }, (_, i) => ({ user: i === 0 ? 'ferrybench' : `fb${String(i).padStart(5, '0')}`, password: randomBytes(18).toString('base64url') }));
const home = join(scratch, 'home');
await ensureBenchUsers(users, home);
await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(scratch, 'key.pem'), '-out', join(scratch, 'cert.pem')]);
const tls = { cert: join(scratch, 'cert.pem'), key: join(scratch, 'key.pem') };
const fixtures = await makeLocalFixtures(join(scratch, 'local'), scale.bigBytes, scale.smallCount);
const names = { bigRemote: 'big.bin', bigLocal: fixtures.bigLocal, bigBytes: scale.bigBytes, smallLocalDir: fixtures.smallLocalDir, smallCount: scale.smallCount, parallel: 8 };

const allWorkloads: Workload[] = [
  bigRetr(names),
  bigStor(names),
  smallStor(names),
  smallRetr(names, join(scratch, 'downloads')),
  logins(8, scale.loginSeconds),
  distinctLogins(8, scale.distinctPerRun),
  listing('LIST', scale.listEntries),
  listing('MLSD', scale.listEntries),
  ...idleCounts.map((n) => idleSessions(n)),
];
// `--only big,small` keeps the workloads whose name contains one of the words.
const only = values.only?.split(',').map((word) => word.trim().toLowerCase());
const workloads = only ? allWorkloads.filter((w) => only.some((word) => w.name.toLowerCase().includes(word))) : allWorkloads;
// FTPS changes the cost of moving bytes and of the handshake; idle sessions and first logins are measured in plain FTP only.
const appliesTo = (workload: Workload, target: string) => !(target.endsWith('+tls') && (workload.name.includes('idle') || workload.name.includes('first logins')));

const peer = async (withTls: boolean): Promise<PeerOptions> => {
  const [port, low] = await getFreePorts(2);
  // 4,000 passive ports: every file of the small-file workloads takes one, and a server that binds
  // them without SO_REUSEADDR (pure-ftpd) cannot reuse one in TIME_WAIT: 200 stalled it after ~950 files.
  const first = 20_000 + (low! % 8_000);
  return { cacheDir, workDir: scratch, port: port!, passive: [first, first + 3_999], users, home, ...(withTls ? { tls } : {}) };
};
let ferry: Promise<FerryPlatform> | undefined;
const ferryTarget = async (name: FerryTarget): Promise<FtpTarget> => {
    const ferryFirstLoginTargets = selected.filter((target) => isFerry(target) && !target.endsWith('+tls')).length;
  ferry ??= startFerry({ workspace, workDir: scratch, tls, users: 1 + runs * scale.distinctPerRun * Math.max(ferryFirstLoginTargets, 1), maxSessions: maxIdle + 100 });
  const platform = await ferry;
  return { ferry: platform.direct, 'ferry+haproxy': platform.viaHaproxy, 'ferry+tls': platform.directTls }[name];
};
const starters = new Map<string, () => Promise<FtpTarget>>([
  ['vsftpd', async () => startVsftpd(await peer(false))],
  ['pure-ftpd', async () => startPureFtpd(await peer(false))],
  ['vsftpd+tls', async () => startVsftpd(await peer(true))],
  ['pure-ftpd+tls', async () => startPureFtpd(await peer(true))],
  ...FERRY_TARGETS.map((name) => [name, () => ferryTarget(name)] as const),
]);
const unknown = selected.filter((name) => !starters.has(name));
if (unknown.length > 0) {
  out(`bench: unknown server(s) ${unknown.join(', ')}; known: ${[...starters.keys()].join(', ')}`);
  process.exit(64);
}

const rows: Row[] = workloads.map((workload) => ({ workload, results: new Map<string, Measurement[]>() }));
try {
  for (const name of selected) {
    const target = await starters.get(name)!();
    out(`== ${name} (${target.processes.map((p) => `${p.label} ${p.pid}`).join(', ')}; port ${target.port})`);
    // The peers serve the bench account (files must be its own); Ferry's gateway writes as itself.
    const owner = isFerry(name) ? undefined : users[0]!.user;
    await seedServerRoot(target.root, fixtures, scale.listEntries, owner);
    try {
      for (const row of rows.filter((r) => appliesTo(r.workload, name))) {
        const results: Measurement[] = [];
        for (let i = 0; i < Math.min(runs, row.workload.maxRuns ?? runs); i++) {
          await resetUploads(target.root, join(scratch, 'downloads'), owner);
          try {
            results.push(await row.workload.run(target));
          } catch (error) {
            // curl's message quotes the URL: the account's password stays out of the log.
            out(`   ${row.workload.name}: failed: ${(error as Error).message.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@')}`);
            break;
          }
        }
        row.results.set(name, results);
        const cpu = (r: Measurement) => Object.entries(r.cpuByProcess ?? {}).map(([label, s]) => `${label} ${s.toFixed(2)}`).join(' ');
        out(`   ${row.workload.name}: ${results.map((r) => `${r.value.toFixed(1)} ${row.workload.unit}${r.detail ? ` (${r.detail})` : ''} [CPU s: ${cpu(r)}; client ${r.clientCpuS.toFixed(2)}]`).join(' | ')}`);
      }
    } finally {
      await target.stop();
    }
  }
} finally {
  await (await ferry?.catch(() => undefined))?.stop();
}

// The figures are measured already: a failure here is reported, not a reason to lose them.
const limits = values['no-limits']
  ? undefined
  : await measureLimits(scratch).catch((error: unknown) => {
      out(`machine limits not measured: ${(error as Error).message}`);
      return undefined;
    });
const report = renderReport(rows, selected, selected[0] ?? 'vsftpd', limits, runs);
const file = values.out ?? join(workspace, 'bench', 'results', `ftp-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}.md`);
await mkdir(join(file, '..'), { recursive: true });
await writeFile(file, report);
out('');
out(report);
out(`written to ${file}`);
await rm(join(scratch, 'downloads'), { recursive: true, force: true });
await rm(lock, { force: true });
