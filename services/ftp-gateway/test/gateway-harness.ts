import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { runService, type RunningService } from '@ferry/service';
import { getFreePorts } from '@ferry/testing';
import { ftpGatewayService } from '../src/service.js';

export interface Gateway {
  readonly running: RunningService;
  readonly ftpPort: number;
  readonly storageRoot: string;
  readonly gatewayId: string;
  readonly signals: EventEmitter;
  readonly exits: number[];
  stop(): Promise<void>;
}

let counter = 0;

/** Runs the real gateway service in-process (runService, real NATS), on free ports and a temp storage root. */
export async function startGateway(natsUrl: string, env: Record<string, string> = {}): Promise<Gateway> {
  const [ftpPort = 0, passiveBase = 0] = await getFreePorts(2);
  const storageRoot = await mkdtemp(join(tmpdir(), 'ferry-gw-'));
  counter += 1;
  const gatewayId = env['GATEWAY_ID'] ?? `gw-${process.pid}-${counter}`;
  const signals = new EventEmitter();
  const exits: number[] = [];
  const passive = Math.min(passiveBase, 65000);
  const running = await runService(ftpGatewayService, {
    env: {
      NATS_URL: natsUrl,
      LOG_LEVEL: 'silent',
      FERRY_STORAGE_ROOT: storageRoot,
      GATEWAY_FTP_PORT: String(ftpPort),
      GATEWAY_PASSIVE_PORTS: `${passive}-${passive + 199}`,
      GATEWAY_SESSION_HEARTBEAT_INTERVAL: '200ms',
      GATEWAY_DRAIN_GRACE: '5s',
      // No HAProxy reads the agent here: a stop need not wait for it to notice.
      GATEWAY_DRAIN_NOTICE: '0s',
      ...env,
      GATEWAY_ID: gatewayId,
    },
    signals,
    exit: (code) => void exits.push(code),
  });
  return {
    running,
    ftpPort: Number(env['GATEWAY_FTP_PORT'] ?? ftpPort),
    storageRoot,
    gatewayId,
    signals,
    exits,
    stop: async () => {
      await running.shutdown('test over');
      await rm(storageRoot, { recursive: true, force: true });
    },
  };
}

export async function connectClient(port: number, user = 'alice', password = 'alice-secret', secure = false): Promise<Client> {
  const client = new Client(10_000);
  await client.access({ host: '127.0.0.1', port, user, password, secure, ...(secure ? { secureOptions: { rejectUnauthorized: false } } : {}) });
  return client;
}
