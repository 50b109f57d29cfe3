import { ManagedServer, type Recipe, type ServerLifecycle } from './managed-server.js';
import { getFreePorts } from './ports.js';
import { makeTempDir } from './temp-dir.js';
import { probeHttp, probeTcp } from './wait.js';

const HOST = '127.0.0.1';

export interface NatsServerHandle extends ServerLifecycle {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:MPORT`, the monitoring endpoint (`/varz`, `/jsz`, `/healthz`). */
  readonly monitorUrl: string;
  /** The JetStream store directory (a temp dir), kept across pause/kill/resume. */
  readonly storeDir: string;
}

export interface StartNatsOptions {
  /** Enable JetStream (`-js`). Default true. */
  readonly jetstream?: boolean;
  /** Extra command-line arguments for nats-server. */
  readonly args?: readonly string[];
  readonly serverName?: string;
}

/** Internal: what a cluster needs on top of the public options. */
export interface NatsNodeOptions extends StartNatsOptions {
  /** Fixed ports; without them ports are chosen and a lost port race is retried. */
  readonly ports?: { readonly client: number; readonly monitor: number };
  readonly clusterArgs?: readonly string[];
  /** Readiness endpoint; a clustered node cannot be fully healthy before the others start. */
  readonly healthPath?: string;
}

interface NatsRecipe extends Recipe {
  readonly port: number;
  readonly monitorPort: number;
}

class NatsServer implements NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly monitorUrl: string;

  constructor(
    private readonly server: ManagedServer<NatsRecipe>,
    readonly storeDir: string,
  ) {
    this.port = server.recipe.port;
    this.url = `nats://${HOST}:${this.port}`;
    this.monitorUrl = `http://${HOST}:${server.recipe.monitorPort}`;
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  pause(): Promise<void> {
    return this.server.pause();
  }

  resume(): Promise<void> {
    return this.server.resume();
  }

  kill(): Promise<void> {
    return this.server.kill();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

function natsArgs(opts: NatsNodeOptions, storeDir: string, port: number, monitorPort: number): string[] {
  return [
    ...['-a', HOST, '-p', String(port), '-m', String(monitorPort)],
    ...(opts.jetstream === false ? [] : ['-js', '-sd', storeDir]),
    ...(opts.serverName === undefined ? [] : ['--server_name', opts.serverName]),
    ...(opts.clusterArgs ?? []),
    ...(opts.args ?? []),
  ];
}

/** Starts one nats-server; public startNats and startNatsCluster both go through here. */
export async function startNatsNode(opts: NatsNodeOptions = {}): Promise<NatsServerHandle> {
  const storeDir = await makeTempDir('nats');
  const healthPath = opts.healthPath ?? '/healthz';
  const server = await ManagedServer.start<NatsRecipe>({
    binary: 'nats-server',
    dirs: [storeDir],
    attempts: opts.ports === undefined ? 4 : 1,
    readyTimeoutMs: 20_000,
    recipe: async () => {
      const [port = 0, monitorPort = 0] =
        opts.ports === undefined ? await getFreePorts(2) : [opts.ports.client, opts.ports.monitor];
      return {
        port,
        monitorPort,
        args: natsArgs(opts, storeDir, port, monitorPort),
        ready: async () =>
          (await probeTcp(HOST, port)) && (await probeHttp(`http://${HOST}:${monitorPort}${healthPath}`)) === 200,
      };
    },
  });
  return new NatsServer(server, storeDir);
}

/** Starts a nats-server on free loopback ports, with JetStream in a temp store dir unless told otherwise. */
export function startNats(opts: StartNatsOptions = {}): Promise<NatsServerHandle> {
  return startNatsNode({ jetstream: opts.jetstream, args: opts.args, serverName: opts.serverName });
}
