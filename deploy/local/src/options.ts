import { resolve } from 'node:path';
import { z } from 'zod';

export const USAGE = `Usage: npm start -- [options]

Starts the Ferry platform on this machine as supervised child processes.

Options:
  --data-dir DIR      where data, logs and stack.json live (default: .ferry)
  --gateways N        how many FTP gateways behind HAProxy (default: 2, at most 50)
  --ephemeral-ports   use free ports for everything instead of the usual ones
  --from-source       run the services from TypeScript sources (no build needed)
  --help              show this text
`;

const Options = z.object({
  dataDir: z.string().min(1),
  gateways: z.number().int().min(1).max(50),
  ephemeralPorts: z.boolean(),
  fromSource: z.boolean(),
  help: z.boolean(),
});
export type StackOptions = z.infer<typeof Options>;

export class UsageError extends Error {
  readonly code = 'STACK_USAGE';
  override readonly name = 'UsageError';
}

/** Parses the command line; an unknown option is an error that names it. */
export function parseOptions(argv: readonly string[], cwd: string): StackOptions {
  const options = { dataDir: '.ferry', gateways: 2, ephemeralPorts: false, fromSource: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
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
  return Options.parse({ ...options, dataDir: resolve(cwd, options.dataDir) });
}
