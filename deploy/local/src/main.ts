import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE, UsageError } from './options.js';
import { writeLocalAlertConfig } from './alert-config.js';
import { pickPort, planStack, type PlatformService } from './plan.js';
import { checkBackupFolder, restoreBackupInto } from './restore.js';
import { startWebhookSink } from './webhook-sink.js';
import { provisionDemoUser } from './demo-user.js';
import { loadOrCreateSecrets } from './secrets.js';
import { liveRunner, removeStackFile, stackFilePath, writeStackFile, type StackFile } from './stack-file.js';
import { SupervisedProcess, type ProcessSpec, type SupervisorEvents } from './supervised-process.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const workspace = fileURLToPath(new URL('../../../', import.meta.url));

const events: SupervisorEvents = {
  crashed: (name, code, signal, willRestart) => {
    // Exit 0 is a clean stop someone else asked for (a rolling restart's SIGTERM), not a crash.
    const what = code === 0 ? `${name} stopped (exit 0)` : `✖ ${name} exited (${code ?? signal})`;
    err(`${what}; ${willRestart ? 'restarting' : 'stopped too often within a minute, left down'} — see its log in ${relative(process.cwd(), join(options.dataDir, 'logs'))}/`);
  },
  restarted: (name, pid) => {
    out(`↻ ${name} restarted (pid ${pid})`);
    // Scripts and tests find the new pid in stack.json.
    if (stackWritten) void writeStackFile(options.dataDir, stackFile()).catch((error: unknown) => err(`ferry start: could not update stack.json: ${(error as Error).message}`));
  },
  restartFailed: (name, error) => err(`✖ ${name} could not be restarted: ${error.message}`),
};

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2), process.cwd());
} catch (error) {
  err(error instanceof UsageError ? `ferry start: ${error.message}` : String(error));
  process.exit(64);
}
if (options.help) {
  out(USAGE);
  process.exit(0);
}

if (options.restoreFrom !== undefined) {
  await checkBackupFolder(options.restoreFrom).catch((error: unknown) => {
    err(`ferry start: ${(error as Error).message}`);
    process.exit(64);
  });
}

const running = await liveRunner(options.dataDir);
if (running !== undefined) {
  err(`ferry start: a stack is already running from ${options.dataDir} (pid ${running}); stop it with Ctrl-C in its terminal or \`kill ${running}\``);
  process.exit(1);
}
await Promise.all(['logs', 'data/nats', 'data/redis', 'storage'].map((dir) => mkdir(join(options.dataDir, dir), { recursive: true })));
const secrets = await loadOrCreateSecrets(options.dataDir);
const sinkMoves: string[] = [];
const sink = await startWebhookSink(await pickPort(options, 'alert webhook sink', 9299, sinkMoves), (line) => out(line));
const plan = await planStack(options, workspace, secrets, await writeLocalAlertConfig(options.dataDir, sink.url));
plan.movedPorts.push(...sinkMoves);
const started: SupervisedProcess[] = [];
let stopping = false;
let stackWritten = false;

async function stopAll(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    out('stopping Ferry…');
    started.forEach((p) => p.markStopping());
    // HAProxy first (no new connections), then gateways and services (they drain), then Redis and NATS.
    const stage = (specs: readonly ProcessSpec[]) => started.filter((p) => specs.includes(p.spec));
    await Promise.all(stage(plan.edge).map((p) => p.stop()));
    await Promise.all(stage(plan.services).map((p) => p.stop()));
    for (const p of stage(plan.infrastructure).reverse()) await p.stop();
    await removeStackFile(options.dataDir);
    await sink.close();
    out('stopped');
  }
  process.exit(exitCode);
}
process.once('SIGINT', () => void stopAll(0));
process.once('exit', () => started.forEach((p) => p.killNow()));
process.once('SIGTERM', () => void stopAll(0));

try {
  for (const line of plan.movedPorts) out(`note: ${line}`);
  await writeFile(plan.haproxyConfig.path, plan.haproxyConfig.text);
  const startAll = async (specs: readonly ProcessSpec[]) => {
    for (const spec of specs) {
      out(`starting ${spec.name}…`);
      const child = new SupervisedProcess(spec, events);
      started.push(child);
      await child.start();
    }
  };
  await startAll(plan.infrastructure);
  if (options.restoreFrom !== undefined) {
    out(`restoring ${options.restoreFrom}…`);
    const target = { from: options.restoreFrom, natsUrl: plan.natsUrl, storageRoot: join(options.dataDir, 'storage'), streamReplicas: options.streamReplicas, fromSource: options.fromSource };
    await restoreBackupInto(target, workspace, out);
  }
  await startAll([...plan.services, ...plan.edge]);
} catch (error) {
  err(`ferry start: ${(error as Error).message}`);
  await stopAll(1);
}

const demo = await provisionDemoUser(plan.apiUrls.auth, secrets.adminToken).catch((error: unknown) => {
  err(`ferry start: ${(error as Error).message}`);
  return stopAll(1);
});

const logs = join(options.dataDir, 'logs');
const pidOf = (name: string) => started.find((p) => p.spec.name === name)?.pid;
/** stack.json as of now: pids change when a child is restarted. */
const stackFile = (): StackFile => ({
  runnerPid: process.pid,
  startedAt: new Date().toISOString(),
  nats: {
    url: plan.natsUrl,
    ...(plan.natsMonitorUrl === undefined ? {} : { monitorUrl: plan.natsMonitorUrl, pid: pidOf('nats-server') }),
    external: options.natsUrls !== undefined,
    streamReplicas: options.streamReplicas,
  },
  redis: { url: plan.redisUrl, pid: pidOf('redis-server') },
  ftp: { host: '127.0.0.1', port: plan.ftpPort, url: `ftp://127.0.0.1:${plan.ftpPort}` },
  haproxy: { statsUrl: plan.haproxyStatsUrl, statsUser: 'ops', adminSocket: join(options.dataDir, 'haproxy.sock'), config: plan.haproxyConfig.path, pid: pidOf('haproxy') },
  services: Object.fromEntries(
    started
      .filter((p) => plan.services.includes(p.spec))
      .map((p) => {
        const service = p.spec.name as PlatformService;
        const gateway = plan.gateways.find((g) => g.id === p.spec.name);
        return [p.spec.name, { opsUrl: gateway?.opsUrl ?? plan.opsUrls[service], ...(gateway ? {} : { apiUrl: plan.apiUrls[service] }), pid: p.pid, log: p.spec.logFile }];
      }),
  ),
  gateways: plan.gateways.map((g) => ({ id: g.id, address: g.address ?? '127.0.0.1', ftpPort: g.ftpPort, passive: [g.passive[0], g.passive[1]], agentPort: g.agentPort })),
  secrets: join(options.dataDir, 'secrets.json'),
  alertSink: sink.url,
  demoUser: demo,
  logs,
});
await writeStackFile(options.dataDir, stackFile());
stackWritten = true;

out();
out('Ferry is running. Ctrl-C stops everything.');
out(`  FTP                ftp://127.0.0.1:${plan.ftpPort}  (HAProxy → ${plan.gateways.map((g) => g.id).join(', ')}; passive mode, plain or explicit FTPS)`);
out(`  demo user          ${demo.username} / ${demo.password}   (a new random password at every start)`);
out(`  HAProxy stats      ${plan.haproxyStatsUrl}  (user ops, password haproxyStatsPassword in secrets.json)`);
out(`  NATS (JetStream)   ${plan.natsUrl}    ${plan.natsMonitorUrl === undefined ? 'external' : `monitoring ${plan.natsMonitorUrl}`}, streams with ${options.streamReplicas} replica(s)`);
out(`  Redis              ${plan.redisUrl}`);
for (const [name, url] of Object.entries(plan.opsUrls)) out(`  ${name.padEnd(18)} ${url}/readyz  API ${plan.apiUrls[name as PlatformService]}`);
for (const g of plan.gateways) out(`  ${g.id.padEnd(18)} ${g.opsUrl}/readyz  FTP ${g.address}:${g.ftpPort}  passive ${g.passive[0]}-${g.passive[1]}`);
out(`  admin token        in ${join(options.dataDir, 'secrets.json')} (adminToken; queryToken for the query API)`);
out(`  alerts             printed here as they reach the local webhook sink (${sink.url})`);
out(`  logs               ${logs}/`);
out(`  machine-readable   ${stackFilePath(options.dataDir)}`);
