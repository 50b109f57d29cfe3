import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { curlDownload, curlUpload, type FtpAccount } from './ftp-client.js';
import { completedUploads } from './indexer-client.js';
import { startStack, type RunningStack } from './run-stack.js';
import type { StackFile } from '../src/stack-file.js';

const CLIENTS = 8;
let running: RunningStack;
let account: FtpAccount;

beforeAll(async () => {
  // The notice stays above twice HAProxy's 2 s agent-inter (as the default); the transfers are small, so a short grace fits them.
  running = await startStack(['--gateways', '2'], { GATEWAY_DRAIN_NOTICE: '5s', GATEWAY_DRAIN_GRACE: '15s' });
  account = { port: running.stack.ftp.port, username: running.stack.demoUser.username, password: running.stack.demoUser.password };
});

afterAll(async () => {
  await running?.stop();
});

interface Outcome {
  readonly client: number;
  readonly path: string;
  readonly error?: string;
}

/**
 * One client as a script runs it: a new connection per transfer (curl), upload
 * a few hundred KB, download it, compare; again and again until told to stop.
 */
async function client(index: number, prefix: () => string, stopped: () => boolean, outcomes: Outcome[]): Promise<void> {
  for (let round = 0; !stopped(); round++) {
    const data = randomBytes(200 * 1024 + index * 1024 + round);
    const local = join(running.dataDir, `client-${index}.bin`);
    const back = join(running.dataDir, `client-${index}.back`);
    const path = `${prefix()}c${index}-${round}.bin`;
    await writeFile(local, data);
    try {
      await curlUpload(account, local, path);
      await curlDownload(account, path, back);
      const same = (await readFile(back)).equals(data);
      outcomes.push(same ? { client: index, path } : { client: index, path, error: 'downloaded bytes differ' });
    } catch (error) {
      // The time lines a failure up with the gateways' and HAProxy's logs.
      outcomes.push({ client: index, path, error: `${new Date().toISOString()} ${(error as Error).message}` });
    }
  }
}

/** HAProxy's view of a gateway in the control backend: UP, DRAIN, DOWN… (stats CSV field 17). */
async function haproxyStatus(gateway: string): Promise<string | undefined> {
  const { haproxyStatsPassword } = JSON.parse(await readFile(running.stack.secrets, 'utf8')) as { haproxyStatsPassword: string };
  const auth = `Basic ${Buffer.from(`${running.stack.haproxy.statsUser}:${haproxyStatsPassword}`).toString('base64')}`;
  const csv = await (await fetch(`${running.stack.haproxy.statsUrl};csv`, { headers: { authorization: auth } })).text();
  return csv.split('\n').find((line) => line.startsWith(`ftp_gateways,${gateway},`))?.split(',')[17];
}

/** The pid the runner reported for `gateway`'s restart after `since` characters of its output. */
function restartedPid(gateway: string, since: number): number | undefined {
  const match = new RegExp(`↻ ${gateway} restarted \\(pid (\\d+)\\)`).exec(running.output().slice(since));
  return match === null ? undefined : Number(match[1]);
}

describe('a rolling restart behind HAProxy', () => {
  it('SIGTERMs and restarts each gateway in turn while 8 clients transfer: no transfer fails, and both gateways serve again', { timeout: 300_000 }, async () => {
    const outcomes: Outcome[] = [];
    let phase = 'during';
    let stopped = false;
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i, () => `/rolling/${phase}/`, () => stopped, outcomes));
    try {
      await pollUntil('every client to complete a transfer', 60_000, () => Promise.resolve(new Set(outcomes.map((o) => o.client)).size === CLIENTS));

      const pids: Record<string, { before: number; after: number }> = {};
      for (const gateway of running.stack.gateways.map((g) => g.id)) {
        const before = running.stack.services[gateway]!.pid!;
        const since = running.output().length;
        process.kill(before, 'SIGTERM');
        await pollUntil(`${gateway} to be restarted by the runner`, 90_000, () => Promise.resolve(restartedPid(gateway, since) !== undefined));
        pids[gateway] = { before, after: restartedPid(gateway, since)! };
        // Only once HAProxy sends it clients again may the next gateway go: otherwise nobody would take them.
        await pollUntil(`HAProxy to see ${gateway} UP again`, 60_000, async () => (await haproxyStatus(gateway)) === 'UP');
      }

      phase = 'after';
      for (const gateway of Object.keys(pids)) {
        await pollUntil(`${gateway} to complete uploads after its restart`, 60_000, async () => (await completedUploads(running.stack, '/rolling/after/', { gateway })).length > 0);
      }
      for (const [gateway, { before, after }] of Object.entries(pids)) expect(after, gateway).not.toBe(before);
      // stack.json follows the restarts, so scripts find the gateways' new pids.
      const current = JSON.parse(await readFile(join(running.dataDir, 'stack.json'), 'utf8')) as StackFile;
      for (const [gateway, { after }] of Object.entries(pids)) expect(current.services[gateway]?.pid, gateway).toBe(after);
    } finally {
      stopped = true;
      await Promise.all(clients);
    }
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.path.startsWith('/rolling/during/')).length).toBeGreaterThan(CLIENTS);
  });
});
