import { UsageError } from './errors.js';

/** Turning option values into API fields; a bad value is a usage error naming the option. */

const PERMISSIONS = ['read', 'write', 'delete', 'mkdir', 'rename'] as const;

export function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) throw new UsageError(`--${option}: expected a whole number, got "${value}"`);
  return Number(value.trim());
}

/** "read,write" → all five permissions, the named ones true; "none" → all false. */
export function permissions(value: string | undefined): Record<(typeof PERMISSIONS)[number], boolean> | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const wanted = new Set(names.filter((name) => name !== 'none'));
  for (const name of wanted) {
    if (!(PERMISSIONS as readonly string[]).includes(name)) throw new UsageError(`--perm: unknown permission "${name}"; expected a comma-separated list of ${PERMISSIONS.join(', ')} (or none)`);
  }
  if (names.length === 0) throw new UsageError(`--perm: expected a comma-separated list of ${PERMISSIONS.join(', ')} (or none)`);
  return Object.fromEntries(PERMISSIONS.map((name) => [name, wanted.has(name)])) as Record<(typeof PERMISSIONS)[number], boolean>;
}

/** --allow-cidr may repeat and may hold a comma-separated list; the server checks each CIDR. */
export function cidrs(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.flatMap((value) => value.split(',')).map((cidr) => cidr.trim()).filter((cidr) => cidr !== '');
}

export interface ProfileFlags {
  readonly home?: string | undefined;
  readonly 'max-sessions'?: string | undefined;
  readonly 'allow-cidr'?: string[] | undefined;
  readonly 'any-address'?: boolean | undefined;
  readonly perm?: string | undefined;
  readonly 'quota-bytes'?: string | undefined;
  readonly 'quota-files'?: string | undefined;
}

/** The profile fields set on the command line, as the API names them. */
export function profileFields(flags: ProfileFlags): Record<string, unknown> {
  if (flags['any-address'] === true && flags['allow-cidr'] !== undefined) throw new UsageError('pass either --allow-cidr or --any-address, not both');
  const fields: Record<string, unknown> = {
    home: flags.home,
    maxSessions: wholeNumber('max-sessions', flags['max-sessions']),
    allowedCidrs: flags['any-address'] === true ? [] : cidrs(flags['allow-cidr']),
    permissions: permissions(flags.perm),
    quotaBytes: wholeNumber('quota-bytes', flags['quota-bytes']),
    quotaFiles: wholeNumber('quota-files', flags['quota-files']),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
