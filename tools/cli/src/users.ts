import { callApi } from './api-client.js';
import { userDetails, userTable, type AuditEntry, type UserView } from './format.js';
import { wholeNumber, profileFields } from './options.js';
import { choosePassword } from './password-input.js';
import type { CommandContext, CommandSpec } from './command.js';
import { UsageError } from './errors.js';

interface WriteResult {
  readonly username: string;
  readonly version: number;
  readonly changed: boolean;
  readonly generatedPassword?: string;
}

const profileOptions = {
  home: { type: 'string' },
  'max-sessions': { type: 'string' },
  'allow-cidr': { type: 'string', multiple: true },
  perm: { type: 'string' },
  'quota-bytes': { type: 'string' },
  'quota-files': { type: 'string' },
} as const;
const passwordOptions = { 'password-stdin': { type: 'boolean' }, 'generate-password': { type: 'boolean' } } as const;
const ifVersion = { 'if-version': { type: 'string' } } as const;

const PROFILE_HELP = `  --home DIR            home folder under the storage root (default: the user name)
  --max-sessions N      concurrent sessions allowed (default 10)
  --allow-cidr CIDR     allow logins only from this network; repeat or comma-separate (default: any address)
  --perm LIST           permissions: comma-separated read,write,delete,mkdir,rename, or none (default: all)
  --quota-bytes N       storage quota in bytes (recorded for later use)
  --quota-files N       file count quota (recorded for later use)`;
const PASSWORD_HELP = `  --password-stdin      read the password from the first line of stdin
  --generate-password   generate a random password and print it once
  (neither: prompt twice without echo when stdin is a terminal)`;
const IF_VERSION_HELP = '  --if-version N        fail with a conflict if the user changed since version N (from `ferry users show`)';

const path = (name: string, suffix = '') => `/v1/users/${encodeURIComponent(name)}${suffix}`;
const versionOf = (ctx: CommandContext) => wholeNumber('if-version', ctx.string('if-version'));

function printWrite(ctx: CommandContext, result: WriteResult, done: string, unchanged: string): void {
  if (ctx.json) return ctx.print(JSON.stringify(result, null, 2));
  ctx.print(result.changed ? `${done} (version ${result.version})` : unchanged);
  if (result.generatedPassword !== undefined) ctx.print(`password for ${result.username} (shown once, store it now): ${result.generatedPassword}`);
}

async function passwordBody(ctx: CommandContext, name: string): Promise<Record<string, unknown>> {
  const source = await choosePassword({ passwordStdin: ctx.boolean('password-stdin'), generatePassword: ctx.boolean('generate-password') }, ctx.io, name);
  return source.kind === 'generate' ? { generatePassword: true } : { password: source.password };
}

export const userCommands: readonly CommandSpec[] = [
  {
    name: 'create',
    usage: 'ferry users create <name> [--home DIR] [--max-sessions N] [--allow-cidr CIDR]... [--perm LIST] [--password-stdin | --generate-password]',
    summary: 'create a user',
    help: `${PROFILE_HELP}\n${PASSWORD_HELP}`,
    options: { ...profileOptions, ...passwordOptions },
    takesName: true,
    run: async (ctx, name) => {
      const fields = profileFields(ctx.values);
      const body = { username: name, ...fields, ...(await passwordBody(ctx, name)) };
      const result = await callApi<WriteResult>(ctx.io, await ctx.target(), { method: 'POST', path: '/v1/users', body });
      printWrite(ctx, result, `created user ${name}`, `user ${name} unchanged`);
    },
  },
  {
    name: 'passwd',
    usage: 'ferry users passwd <name> [--password-stdin | --generate-password] [--if-version N]',
    summary: "set a user's password",
    help: `${PASSWORD_HELP}\n${IF_VERSION_HELP}`,
    options: { ...passwordOptions, ...ifVersion },
    takesName: true,
    run: async (ctx, name) => {
      const body = await passwordBody(ctx, name);
      const result = await callApi<WriteResult>(ctx.io, await ctx.target(), { method: 'PUT', path: path(name, '/password'), body, ifVersion: versionOf(ctx) });
      printWrite(ctx, result, `password of ${name} changed`, `password of ${name} unchanged`);
    },
  },
  {
    name: 'set',
    usage: 'ferry users set <name> [--home DIR] [--max-sessions N] [--allow-cidr CIDR]... [--any-address] [--perm LIST] [--if-version N]',
    summary: "change a user's profile",
    help: `${PROFILE_HELP}\n  --any-address         remove the address restriction\n${IF_VERSION_HELP}`,
    options: { ...profileOptions, 'any-address': { type: 'boolean' }, ...ifVersion },
    takesName: true,
    run: async (ctx, name) => {
      const changes = profileFields(ctx.values);
      if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: pass at least one of --home, --max-sessions, --allow-cidr, --any-address, --perm, --quota-bytes, --quota-files');
      const result = await callApi<WriteResult>(ctx.io, await ctx.target(), { method: 'PATCH', path: path(name), body: changes, ifVersion: versionOf(ctx) });
      printWrite(ctx, result, `profile of ${name} changed`, `nothing changed: ${name} already has that profile`);
    },
  },
  {
    name: 'disable',
    usage: 'ferry users disable <name> [--reason TEXT] [--if-version N]',
    summary: 'refuse logins of a user until it is enabled again',
    help: `  --reason TEXT         why, for the audit trail\n${IF_VERSION_HELP}`,
    options: { reason: { type: 'string' }, ...ifVersion },
    takesName: true,
    run: async (ctx, name) => {
      const reason = ctx.string('reason');
      const result = await callApi<WriteResult>(ctx.io, await ctx.target(), { method: 'POST', path: path(name, '/disable'), body: reason === undefined ? {} : { reason }, ifVersion: versionOf(ctx) });
      printWrite(ctx, result, `${name} disabled`, `${name} was already disabled`);
    },
  },
  writeCommand('enable', 'allow logins of a disabled user again', 'POST', '/enable', (name) => [`${name} enabled`, `${name} was already enabled`]),
  writeCommand('delete', 'delete a user (the name can be created again later)', 'DELETE', '', (name) => [`${name} deleted`, `${name} unchanged`]),
  {
    name: 'list',
    usage: 'ferry users list',
    summary: 'list users',
    help: '',
    options: {},
    takesName: false,
    run: async (ctx) => {
      const { users } = await callApi<{ users: UserView[] }>(ctx.io, await ctx.target(), { method: 'GET', path: '/v1/users' });
      ctx.print(ctx.json ? JSON.stringify({ users }, null, 2) : userTable(users).trimEnd());
    },
  },
  {
    name: 'show',
    usage: 'ferry users show <name> [--events N]',
    summary: 'show a user and its latest events (audit trail)',
    help: '  --events N            how many of the latest events to show (default 20, at most 1000)',
    options: { events: { type: 'string' } },
    takesName: true,
    run: async (ctx, name) => {
      const events = wholeNumber('events', ctx.string('events'));
      const shown = await callApi<{ user: UserView; events: AuditEntry[] }>(ctx.io, await ctx.target(), { method: 'GET', path: `${path(name)}${events === undefined ? '' : `?events=${events}`}` });
      ctx.print(ctx.json ? JSON.stringify(shown, null, 2) : userDetails(shown.user, shown.events).trimEnd());
    },
  },
];

function writeCommand(name: string, summary: string, method: 'POST' | 'DELETE', suffix: string, messages: (user: string) => [string, string]): CommandSpec {
  return {
    name,
    usage: `ferry users ${name} <name> [--if-version N]`,
    summary,
    help: IF_VERSION_HELP,
    options: { ...ifVersion },
    takesName: true,
    run: async (ctx, user) => {
      const result = await callApi<WriteResult>(ctx.io, await ctx.target(), { method, path: path(user, suffix), ifVersion: versionOf(ctx) });
      const [done, unchanged] = messages(user);
      printWrite(ctx, result, done, unchanged);
    },
  };
}
