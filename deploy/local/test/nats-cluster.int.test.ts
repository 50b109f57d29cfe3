import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '@ferry/bus';
import { streamNames } from '@ferry/contracts';
import { pollUntil, startNatsCluster, type NatsClusterHandle } from '@ferry/testing';
import { curlUpload, type FtpAccount } from './ftp-client.js';
import { completedUploads } from './indexer-client.js';
import { startStack, workspace, type RunningStack } from './run-stack.js';

let cluster: NatsClusterHandle;
let running: RunningStack;
let bus: Bus;
let demo: FtpAccount;

beforeAll(async () => {
  cluster = await startNatsCluster({ size: 3 });
  // No --stream-replicas: three URLs give three replicas.
  running = await startStack(['--gateways', '2', '--nats-url', cluster.urls.join(',')]);
  demo = { port: running.stack.ftp.port, ...running.stack.demoUser };
  bus = await connectBus({ servers: cluster.urls, name: 'nats-cluster-test' });
});

afterAll(async () => {
  await bus?.close();
  await running?.stop();
  await cluster?.stop();
});

describe('the stack on a 3-node NATS cluster (--nats-url)', () => {
  it('runs every service on the cluster with every stream replicated 3 times', async () => {
    expect(running.stack.nats).toMatchObject({ url: cluster.urls.join(','), external: true, streamReplicas: 3 });
    for (const name of Object.values(streamNames)) expect((await bus.jsm.streams.info(name)).config.num_replicas, name).toBe(3);
  });

  it('loses no event when the activity stream leader is killed during a burst of uploads: the indexer counts exactly the completed ones', async () => {
    const file = join(running.dataDir, 'burst.bin');
    await writeFile(file, randomBytes(64 * 1024));
    const completed: string[] = [];
    const failed: string[] = [];
    // Four clients upload in parallel; an upload refused or cut during the election counts as not completed.
    const client = async (c: number) => {
      for (let i = 0; i < 15; i++) {
        const path = `/burst/c${c}-${i}.bin`;
        await curlUpload(demo, file, path).then(
          () => completed.push(path),
          (error: Error) => failed.push(`${path}: ${error.message}`),
        );
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));

    await pollUntil('the first uploads of the burst', 60_000, () => Promise.resolve(completed.length >= 12));
    const leader = (await bus.jsm.streams.info(streamNames.activity)).cluster?.leader;
    const victim = cluster.nodes.find((_, i) => leader?.endsWith(`-n${i + 1}`));
    expect(victim, `leader ${leader}`).toBeDefined();
    const completedBeforeKill = completed.length;
    await victim!.kill(); // SIGKILL
    await clients;

    expect(completed.length, `failed: ${failed.join('; ')}`).toBeGreaterThan(completedBeforeKill);
    const indexed = async () => (await completedUploads(running.stack, '/burst/', { user: 'demo' })).map((t) => t.path).sort();
    await pollUntil('the indexer to show every completed upload', 60_000, async () => (await indexed()).length >= completed.length);
    expect(await indexed()).toEqual(completed.sort());
    // Sixty uploads and a JetStream leader election (a few seconds) on a shared CI machine.
  }, 150_000);

  it('refuses a --nats-url that is not a list of NATS URLs, naming the bad one, before starting anything', async () => {
    const runner = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', 'deploy/local/src/main.ts', '--nats-url', `${cluster.urls[0]},127.0.0.1:4223`], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    runner.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(runner, 'exit')) as [number | null];
    expect(code).toBe(64);
    expect(stderr).toContain('--nats-url: "127.0.0.1:4223" is not a NATS URL with a host and port (nats://HOST:PORT or tls://HOST:PORT)');
  });
});
