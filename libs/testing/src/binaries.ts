import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { envValue, searchPath } from './env.js';
import { MissingBinaryError } from './errors.js';

export type BinaryName = 'nats-server' | 'redis-server' | 'haproxy';

export interface BinarySpec {
  readonly name: BinaryName;
  /** Environment variable that overrides the path (or name) of the local binary. */
  readonly envVar: string;
  readonly installCommand: string;
  /** The image that runs the same server when the runtime is `container`. */
  readonly image: string;
}

export const BINARIES: Readonly<Record<BinaryName, BinarySpec>> = {
  'nats-server': {
    name: 'nats-server',
    envVar: 'FERRY_NATS_SERVER_BIN',
    installCommand: 'apt-get install -y nats-server',
    image: 'nats:2.10-alpine',
  },
  'redis-server': {
    name: 'redis-server',
    envVar: 'FERRY_REDIS_SERVER_BIN',
    installCommand: 'apt-get install -y redis-server',
    image: 'redis:7-alpine',
  },
  haproxy: {
    name: 'haproxy',
    envVar: 'FERRY_HAPROXY_BIN',
    installCommand: 'apt-get install -y haproxy',
    image: 'haproxy:2.6-alpine',
  },
};

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of a local server binary, or a MissingBinaryError that says how to install it. */
export async function resolveBinary(name: BinaryName): Promise<string> {
  const spec = BINARIES[name];
  const override = envValue(spec.envVar);
  const wanted = override ?? spec.name;
  if (wanted.includes('/')) {
    if (await isExecutable(wanted)) return wanted;
    throw new MissingBinaryError(spec.name, `at ${wanted} (from ${spec.envVar})`, spec.installCommand);
  }
  for (const dir of searchPath()) {
    const candidate = join(dir, wanted);
    if (await isExecutable(candidate)) return candidate;
  }
  const where = override === undefined ? 'on PATH' : `on PATH as ${wanted} (from ${spec.envVar})`;
  throw new MissingBinaryError(spec.name, where, spec.installCommand);
}
