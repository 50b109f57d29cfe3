import { isAbsolute, join, resolve } from 'node:path';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';

export interface Target {
  readonly apiUrl: string;
  readonly token: string;
  /** Where the token came from, for error messages ("--token-file ./t", "FERRY_ADMIN_TOKEN", ".ferry/secrets.json"). */
  readonly tokenSource: string;
  readonly apiSource: string;
}

export interface TargetOptions {
  readonly api?: string | undefined;
  readonly tokenFile?: string | undefined;
}

const STACK_FILE = join('.ferry', 'stack.json');
const SECRETS_FILE = join('.ferry', 'secrets.json');

/**
 * Where the admin API is and which token to send: --api / --token-file first,
 * then FERRY_API_URL / FERRY_ADMIN_TOKEN, then the local stack started by
 * `npm start` in the current directory (.ferry/stack.json, .ferry/secrets.json).
 */
export async function locateTarget(options: TargetOptions, io: CliIo): Promise<Target> {
  const stack = await readJson(io, resolve(io.cwd, STACK_FILE));
  const api = findApi(options, io, stack);
  const token = await findToken(options, io, stack);
  return { ...api, ...token };
}

function findApi(options: TargetOptions, io: CliIo, stack: unknown): { apiUrl: string; apiSource: string } {
  const candidates: Array<[string | undefined, string]> = [
    [options.api, '--api'],
    [io.env.FERRY_API_URL, 'FERRY_API_URL'],
    [pick(stack, ['services', 'auth', 'apiUrl']), STACK_FILE],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined || value.trim() === '') continue;
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw new CliError(`${source}: "${value}" is not a URL; expected something like http://127.0.0.1:9202`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${source}: expected an http:// or https:// URL, got ${url.protocol}`);
    return { apiUrl: url.toString().replace(/\/+$/, ''), apiSource: source };
  }
  throw new CliError(
    'no auth admin API to talk to: pass --api http://HOST:PORT, set FERRY_API_URL, or run ferry in the folder where `npm start` runs the local stack (it writes .ferry/stack.json)',
  );
}

async function findToken(options: TargetOptions, io: CliIo, stack: unknown): Promise<{ token: string; tokenSource: string }> {
  if (options.tokenFile !== undefined) {
    const path = resolve(io.cwd, options.tokenFile);
    const text = await io.readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`--token-file ${options.tokenFile}: cannot read it (${error.code ?? error.message})`);
    });
    const token = text.trim();
    if (token === '') throw new CliError(`--token-file ${options.tokenFile}: the file is empty`);
    return { token, tokenSource: `--token-file ${options.tokenFile}` };
  }
  const fromEnv = io.env.FERRY_ADMIN_TOKEN?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, tokenSource: 'FERRY_ADMIN_TOKEN' };
  const stackSecrets = pick(stack, ['secrets']);
  const secretsPath = stackSecrets === undefined ? resolve(io.cwd, SECRETS_FILE) : isAbsolute(stackSecrets) ? stackSecrets : resolve(io.cwd, stackSecrets);
  const token = pick(await readJson(io, secretsPath), ['adminToken']);
  if (token !== undefined && token.trim() !== '') return { token: token.trim(), tokenSource: secretsPath };
  throw new CliError('no admin token: pass --token-file FILE, set FERRY_ADMIN_TOKEN, or run ferry in the folder of the local stack (.ferry/secrets.json)');
}

async function readJson(io: CliIo, path: string): Promise<unknown> {
  try {
    return JSON.parse(await io.readFile(path)) as unknown;
  } catch {
    return undefined;
  }
}

function pick(value: unknown, path: readonly string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}
