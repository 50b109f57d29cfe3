import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { BusUnavailableError } from './errors.js';
import { silentLogger, type BusLogger } from './logger.js';

export interface BusOptions {
  /** nats:// URLs; several for a cluster. */
  readonly servers: readonly string[];
  /** Connection name shown in the server's monitoring (service/instance). */
  readonly name: string;
  readonly logger?: BusLogger;
  /** How long to keep trying the first connection before giving up with a clear error. */
  readonly connectTimeoutMs?: number;
}

export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly logger: BusLogger;
  /** True while the client holds a live connection to a server. */
  isConnected(): boolean;
  /** Flushes pending publishes and subscriptions, then closes. */
  close(): Promise<void>;
}

/**
 * Connects with unlimited reconnects (a NATS restart or a cluster election must
 * never kill a service); only the first connection is bounded by a deadline,
 * so that a misconfigured NATS_URL fails fast with a message that says so.
 */
export async function connectBus(options: BusOptions): Promise<Bus> {
  const logger = options.logger ?? silentLogger;
  const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      const nc = await connect({
        servers: [...options.servers],
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        reconnectJitter: 250,
        pingInterval: 10_000,
        timeout: Math.max(500, Math.min(5_000, deadline - Date.now())),
        // The client otherwise captures a stack trace for every request and publish (a measurable
        // share of a login's CPU, issue 7); our errors name the subject and the operation instead.
        noAsyncTraces: true,
      });
      return await wrap(nc, logger);
    } catch (error) {
      lastError = error;
      if (Date.now() >= deadline) break;
      logger.debug({ attempt, err: error }, 'NATS not reachable yet, retrying');
      await sleep(Math.min(1_000, 100 * attempt));
    }
  }
  throw new BusUnavailableError(
    `NATS is unreachable at ${options.servers.join(', ')} (${describe(lastError)}): start nats-server with JetStream (-js) or set NATS_URL to a reachable server`,
    lastError,
  );
}

async function wrap(nc: NatsConnection, logger: BusLogger): Promise<Bus> {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          connected = false;
          logger.warn({ server: status.server }, 'NATS connection lost, reconnecting');
          break;
        case 'reconnect':
          connected = true;
          logger.info({ server: status.server }, 'NATS connection restored');
          break;
        case 'error':
          logger.error({ err: status.error }, 'NATS connection error');
          break;
        default:
          break;
      }
    }
  })();
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  return {
    nc,
    js: jetstream(nc),
    jsm,
    logger,
    isConnected: () => connected && !nc.isClosed(),
    close: async () => {
      if (nc.isClosed()) return;
      await nc.drain();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
