import { resolve } from 'node:path';
import { z } from 'zod';

export const USAGE = `Usage: npm start -- [options]

Starts the Ferry platform on this machine as supervised child processes.

Options:
  --data-dir DIR      where data, logs and stack.json live (default: .ferry)
  --gateways N        how many FTP gateways behind HAProxy (default: 2, at most 50)
  --ephemeral-ports   use free ports for everything instead of the usual ones
  --from-source       run the services from TypeScript sources (no build needed)
  --nats-url URLS     use this NATS (JetStream) instead of starting one: one URL per
                      node of a cluster, separated by commas, e.g.
                      nats://10.0.0.1:4222,nats://10.0.0.2:4222,nats://10.0.0.3:4222
  --stream-replicas N replicas of every stream, 1 to 5 (default: 1 with the local
                      nats-server; with --nats-url, the number of URLs, at most 3)
  --restore-from DIR  restore a backup (npm run backup -- create) into this new,
                      empty stack before the services start (runbooks/RECOVERY.md)
  --cpu-prof DIR      performance work: each gateway writes a V8 CPU profile
                      (node --cpu-prof) into DIR when it stops
  --help              show this text
`;

const Options = z.object({
  dataDir: z.string().min(1),
  gateways: z.number().int().min(1).max(50),
  ephemeralPorts: z.boolean(),
  fromSource: z.boolean(),
  help: z.boolean(),
  /** An external NATS (cluster); undefined: the runner starts its own nats-server. */
  natsUrls: z.array(z.string()).min(1).optional(),
  streamReplicas: z.number().int().min(1).max(5),
  restoreFrom: z.string().min(1).optional(),
  /** Where gateways write V8 CPU profiles when they stop; undefined: no profiling. */
  cpuProfDir: z.string().min(1).optional(),
});
export type StackOptions = z.infer<typeof Options>;

export class UsageError extends Error {
  readonly code = 'STACK_USAGE';
  override readonly name = 'UsageError';
}

/** Parses the command line; an unknown option is an error that names it. */
export function parseOptions(argv: readonly string[], cwd: string): StackOptions {
  const options = { dataDir: '.ferry', gateways: 2, ephemeralPorts: false, fromSource: false, help: false };
  let natsUrls: string[] | undefined;
  let streamReplicas: number | undefined;
  let restoreFrom: string | undefined;
  let cpuProfDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--nats-url':
        natsUrls = parseNatsUrls(argv[++i]);
        break;
      case '--stream-replicas': {
        const value = Number(argv[++i]);
        if (!Number.isInteger(value) || value < 1 || value > 5) throw new UsageError('--stream-replicas needs a number from 1 to 5, e.g. --stream-replicas 3');
        streamReplicas = value;
        break;
      }
      case '--restore-from': {
        const value = argv[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError('--restore-from needs the folder of a backup, e.g. --restore-from /backups/ferry-20261122');
        restoreFrom = resolve(cwd, value);
        break;
      }
      case '--cpu-prof': {
        const value = argv[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError('--cpu-prof needs the folder the profiles go to, e.g. --cpu-prof /tmp/ferry-profiles');
        cpuProfDir = resolve(cwd, value);
        break;
      }
      case '--data-dir': {
        const value = argv[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError('--data-dir needs a directory, e.g. --data-dir /var/lib/ferry');
        options.dataDir = value;
        break;
      }
      case '--gateways': {
        const value = Number(argv[++i]);
        if (!Number.isInteger(value) || value < 1 || value > 50) throw new UsageError('--gateways needs a number from 1 to 50, e.g. --gateways 3');
        options.gateways = value;
        break;
      }
      case '--ephemeral-ports':
        options.ephemeralPorts = true;
        break;
      case '--from-source':
        options.fromSource = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}: see --help`);
    }
  }
  if (natsUrls === undefined && streamReplicas !== undefined && streamReplicas > 1) {
    throw new UsageError(`--stream-replicas ${streamReplicas} needs --nats-url with a NATS cluster: the local nats-server is one node and holds 1 replica`);
  }
  return Options.parse({
    ...options,
    dataDir: resolve(cwd, options.dataDir),
    natsUrls,
    streamReplicas: streamReplicas ?? Math.min(natsUrls?.length ?? 1, 3),
    restoreFrom,
    cpuProfDir,
  });
}

/** `nats://host:port[,…]`: every URL names its host and port, so a typo fails here and not in five services. */
function parseNatsUrls(value: string | undefined): string[] {
  const example = 'e.g. --nats-url nats://10.0.0.1:4222,nats://10.0.0.2:4222,nats://10.0.0.3:4222';
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--nats-url needs one or more NATS URLs separated by commas, ${example}`);
  return value.split(',').map((text) => {
    const url = URL.canParse(text.trim()) ? new URL(text.trim()) : undefined;
    if (url === undefined || !['nats:', 'tls:'].includes(url.protocol) || url.hostname === '' || url.port === '') {
      throw new UsageError(`--nats-url: "${text}" is not a NATS URL with a host and port (nats://HOST:PORT or tls://HOST:PORT), ${example}`);
    }
    return text.trim();
  });
}
