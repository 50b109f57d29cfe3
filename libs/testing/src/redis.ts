import { ManagedServer, type Recipe, type ServerLifecycle } from './managed-server.js';
import { getFreePort } from './ports.js';
import { makeTempDir } from './temp-dir.js';
import { probeRedisPing } from './wait.js';

const HOST = '127.0.0.1';

export interface RedisServerHandle extends ServerLifecycle {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

export interface StartRedisOptions {
  /** Extra command-line arguments, appended after the defaults (so they can override them). */
  readonly args?: readonly string[];
}

interface RedisRecipe extends Recipe {
  readonly port: number;
}

class RedisServer implements RedisServerHandle {
  readonly host = HOST;
  readonly port: number;
  readonly url: string;

  constructor(private readonly server: ManagedServer<RedisRecipe>) {
    this.port = server.recipe.port;
    this.url = `redis://${HOST}:${this.port}`;
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

/** Starts a redis-server on a free loopback port, without persistence, its dir a temp dir. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServerHandle> {
  const dir = await makeTempDir('redis');
  const server = await ManagedServer.start<RedisRecipe>({
    binary: 'redis-server',
    dirs: [dir],
    attempts: 4,
    readyTimeoutMs: 20_000,
    recipe: async () => {
      const port = await getFreePort(HOST);
      return {
        port,
        args: [
          ...['--port', String(port), '--bind', HOST, '--dir', dir],
          ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
          ...(opts.args ?? []),
        ],
        ready: () => probeRedisPing(HOST, port),
      };
    },
  });
  return new RedisServer(server);
}
