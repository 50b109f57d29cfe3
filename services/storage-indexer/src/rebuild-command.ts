import { hostname } from 'node:os';
import { z } from 'zod';
import { commonServiceEnv, defaultInstanceId, loadConfigOrExit, type Env } from '@ferry/config';
import { connectBus, type Bus } from '@ferry/bus';
import { rebuild } from './adapters/rebuild.js';
import { StoreFiles } from './adapters/store-files.js';

const RebuildEnv = z.object({
  NATS_URL: commonServiceEnv.NATS_URL,
  FERRY_NATS_CONNECT_TIMEOUT: commonServiceEnv.FERRY_NATS_CONNECT_TIMEOUT,
  FERRY_STATE_DIR: z.string().trim().min(1).describe('the indexer\'s folder of projection database files'),
});

export interface CommandIo {
  readonly env: Env;
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly exit: (code: number) => void;
}

/**
 * `storage-indexer rebuild`: replays FERRY_ACTIVITY into a fresh projection file in
 * FERRY_STATE_DIR with a progress bar, then points CURRENT at it; a running indexer
 * swaps it in without stopping its query API. Exit 0 when done, 69 when NATS is away.
 */
export async function runRebuildCommand(io: CommandIo): Promise<void> {
  const config = loadConfigOrExit(RebuildEnv, io.env, { exit: io.exit });
  let bus: Bus;
  try {
    bus = await connectBus({ servers: [...config.NATS_URL], name: `storage-indexer/rebuild-${defaultInstanceId(hostname(), process.pid)}`, connectTimeoutMs: config.FERRY_NATS_CONNECT_TIMEOUT });
  } catch (error) {
    io.stderr.write(`rebuild: ${(error as Error).message}\n`);
    return io.exit(69);
  }
  let code = 0;
  try {
    const tty = io.stderr.isTTY === true;
    const result = await rebuild(bus, {
      files: new StoreFiles(config.FERRY_STATE_DIR),
      progress: (line, final) => io.stderr.write(tty ? `\r${line}${final ? '\n' : ''}` : `${line}\n`),
      progressEveryMs: tty ? 250 : 2_000,
    });
    io.stderr.write(`rebuild: ${result.events} events replayed up to sequence ${result.lastSeq} into ${result.file}; CURRENT now points at it\n`);
  } catch (error) {
    io.stderr.write(`rebuild failed: ${(error as Error).message}\n`);
    code = 1;
  }
  await bus.close().catch(() => undefined);
  io.exit(code);
}
