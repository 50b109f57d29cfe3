import { randomBytes } from 'node:crypto';
import { startNatsNode, type NatsServerHandle } from './nats.js';
import { getFreePorts, looksLikePortConflict } from './ports.js';
import { registerHandle, unregisterHandle, type Stoppable } from './registry.js';
import { fetchJson, pollUntil } from './wait.js';

const HOST = '127.0.0.1';
const LEADER_TIMEOUT_MS = 30_000;
const ATTEMPTS = 3;

export interface NatsClusterHandle {
  readonly nodes: NatsServerHandle[];
  /** The client URLs of every node, in node order. */
  readonly urls: string[];
  /** Stops every node and removes their temp dirs. Idempotent. */
  stop(): Promise<void>;
}

export interface StartNatsClusterOptions {
  /** Number of nodes. Default 3. */
  readonly size?: number;
}

class NatsCluster implements NatsClusterHandle, Stoppable {
  readonly urls: string[];
  private stopping: Promise<void> | undefined;

  constructor(readonly nodes: NatsServerHandle[]) {
    this.urls = nodes.map((node) => node.url);
    registerHandle(this);
  }

  stop(): Promise<void> {
    this.stopping ??= stopNodes(this.nodes).finally(() => unregisterHandle(this));
    return this.stopping;
  }
}

async function stopNodes(nodes: readonly NatsServerHandle[]): Promise<void> {
  const results = await Promise.allSettled(nodes.map((node) => node.stop()));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

function metaLeader(jsz: unknown): string | undefined {
  if (typeof jsz !== 'object' || jsz === null) return undefined;
  const meta = (jsz as { meta_cluster?: { leader?: unknown } }).meta_cluster;
  return typeof meta?.leader === 'string' && meta.leader !== '' ? meta.leader : undefined;
}

/** Resolves once every node reports the same JetStream meta leader on its monitor `/jsz`. */
async function waitForMetaLeader(nodes: readonly NatsServerHandle[]): Promise<void> {
  await pollUntil(`a JetStream meta leader in a ${nodes.length}-node cluster`, LEADER_TIMEOUT_MS, async () => {
    const leaders = await Promise.all(nodes.map(async (node) => metaLeader(await fetchJson(`${node.monitorUrl}/jsz`))));
    return leaders.every((leader) => leader !== undefined && leader === leaders[0]);
  });
}

async function startNodes(size: number, clusterName: string): Promise<NatsServerHandle[]> {
  const ports = await getFreePorts(size * 3);
  const clusterPorts = ports.slice(size * 2);
  const routes = clusterPorts.map((port) => `nats://${HOST}:${port}`).join(',');
  const started = await Promise.allSettled(
    clusterPorts.map((clusterPort, i) =>
      startNatsNode({
        serverName: `${clusterName}-n${i + 1}`,
        ports: { client: ports[i * 2] ?? 0, monitor: ports[i * 2 + 1] ?? 0 },
        clusterArgs: ['--cluster', `nats://${HOST}:${clusterPort}`, '--cluster_name', clusterName, '--routes', routes],
        healthPath: '/healthz?js-enabled-only=true',
      }),
    ),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure === undefined) return nodes;
  await stopNodes(nodes);
  throw failure.reason;
}

function isPortConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && looksLikePortConflict(String((error as { output?: unknown }).output));
}

/**
 * Starts a JetStream cluster of `size` nodes on loopback (each with `-js`, `--cluster`,
 * `--routes`, a server name and the cluster name) and waits until a meta leader exists.
 */
export async function startNatsCluster(opts: StartNatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const size = opts.size ?? 3;
  const clusterName = `ferry-${randomBytes(3).toString('hex')}`;
  for (let attempt = 1; ; attempt += 1) {
    let nodes: NatsServerHandle[];
    try {
      nodes = await startNodes(size, clusterName);
    } catch (error) {
      if (attempt < ATTEMPTS && isPortConflict(error)) continue;
      throw error;
    }
    const cluster = new NatsCluster(nodes);
    try {
      await waitForMetaLeader(nodes);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }
}
