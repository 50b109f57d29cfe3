import { parseArgs } from 'node:util';
import type { CommandContext, CommandSpec } from './command.js';
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { locateTarget, type Target } from './locate.js';
import { userCommands } from './users.js';

const GLOBAL_OPTIONS = {
  api: { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = `Options for every command:
  --api URL             the auth admin API (default: $FERRY_API_URL, else .ferry/stack.json of the local stack)
  --token-file FILE     a file holding the admin token (default: $FERRY_ADMIN_TOKEN, else .ferry/secrets.json)
  --json                print the API's JSON answer instead of text
  -h, --help            this help

Exit codes: 0 ok, 1 failure, 64 usage error.`;

const TOP_HELP = `ferry: administer a Ferry FTP platform

Usage: ferry users <command> [options]

Commands:
${userCommands.map((command) => `  users ${command.name.padEnd(9)} ${command.summary}`).join('\n')}

Run \`ferry users <command> --help\` for a command's options.

${GLOBAL_HELP}
`;

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`ferry: ${error.message}\n`);
      if (error instanceof UsageError) io.stderr.write('Run `ferry --help` for usage.\n');
      return error.exitCode;
    }
    io.stderr.write(`ferry: unexpected error: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [group, commandName, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    io.stdout.write(TOP_HELP);
    return group === undefined ? 64 : EXIT_OK;
  }
  if (group !== 'users') throw new UsageError(`unknown command "${group}"; the commands are under \`ferry users\``);
  if (commandName === undefined || commandName === '--help' || commandName === '-h') {
    io.stdout.write(TOP_HELP);
    return commandName === undefined ? 64 : EXIT_OK;
  }
  const command = userCommands.find((candidate) => candidate.name === commandName);
  if (command === undefined) throw new UsageError(`unknown command "users ${commandName}"; expected one of ${userCommands.map((c) => c.name).join(', ')}`);
  return runCommand(command, rest, io);
}

async function runCommand(command: CommandSpec, args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(command, args);
  if (parsed.values.help === true) {
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  const name = parsed.positionals[0];
  if (command.takesName && name === undefined) throw new UsageError(`missing the user name: ${command.usage}`);
  if (parsed.positionals.length > (command.takesName ? 1 : 0)) throw new UsageError(`unexpected argument "${parsed.positionals.at(-1)}": ${command.usage}`);
  let target: Promise<Target> | undefined;
  const values = parsed.values as Readonly<Record<string, string | boolean | string[] | undefined>>;
  const ctx: CommandContext = {
    io,
    values,
    json: values.json === true,
    string: (key) => {
      const value = values[key];
      return typeof value === 'string' ? value : undefined;
    },
    boolean: (key) => {
      const value = values[key];
      return typeof value === 'boolean' ? value : undefined;
    },
    print: (text) => io.stdout.write(`${text}\n`),
    target: () => (target ??= locateTarget({ api: ctx.string('api'), tokenFile: ctx.string('token-file') }, io)),
  };
  await command.run(ctx, name ?? '');
  return EXIT_OK;
}

function parse(command: CommandSpec, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`users ${command.name}: ${(error as Error).message.split('. To specify')[0]}`);
  }
}

function commandHelp(command: CommandSpec): string {
  return `Usage: ${command.usage}\n\n${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.\n${command.help === '' ? '' : `\n${command.help}\n`}\n${GLOBAL_HELP}\n`;
}
