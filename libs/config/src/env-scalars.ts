import { z } from 'zod';
import { secretSchemas } from './schema-walk.js';
import { accept, fromEnvString, parseInteger, reject } from './parse-string.js';

export interface IntBounds {
  readonly min?: number;
  readonly max?: number;
}

function boundsText(min: number, max: number): string {
  if (min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER) return '';
  if (max === Number.MAX_SAFE_INTEGER) return ` >= ${min}`;
  if (min === Number.MIN_SAFE_INTEGER) return ` <= ${max}`;
  return ` from ${min} to ${max}`;
}

/** A whole number, optionally bounded (inclusive). */
export function envInt({ min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER }: IntBounds = {}) {
  return fromEnvString(`a whole number${boundsText(min, max)}`, (raw) => parseInteger(raw, min, max));
}

/** A TCP port, 1-65535; `allowZero` admits 0 for "let the OS pick a free port". */
export function envPort({ allowZero = false }: { readonly allowZero?: boolean } = {}) {
  const min = allowZero ? 0 : 1;
  const expected = allowZero ? 'a TCP port from 0 to 65535 (0 picks a free port)' : 'a TCP port from 1 to 65535';
  return fromEnvString(expected, (raw) => parseInteger(raw, min, 65535));
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** true/false, 1/0, yes/no (any case). Anything else is an error, never silently false. */
export function envBool() {
  return fromEnvString('true/false, 1/0 or yes/no', (raw) => {
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return accept(true);
    if (FALSE_WORDS.has(word)) return accept(false);
    return reject('is not a boolean');
  });
}

const MS_PER_UNIT = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)?$/;

export interface DurationBounds {
  /** Smallest accepted duration in milliseconds. */
  readonly minMs?: number;
  /** Largest accepted duration in milliseconds. */
  readonly maxMs?: number;
}

/** `500ms`, `5s`, `2m`, `1h`, `7d` or plain milliseconds; parses to milliseconds. */
export function envDuration({ minMs = 0, maxMs = Number.MAX_SAFE_INTEGER }: DurationBounds = {}) {
  return fromEnvString('a duration such as 500ms, 5s, 2m, 1h, 7d or a number of milliseconds', (raw) => {
    const match = DURATION.exec(raw);
    if (match === null) return reject('is not a duration');
    const unit = (match[2] ?? 'ms') as keyof typeof MS_PER_UNIT;
    const ms = Number(match[1]) * MS_PER_UNIT[unit];
    if (!Number.isSafeInteger(ms)) return reject('is too long');
    if (ms < minMs || ms > maxMs) return reject(`must be between ${minMs}ms and ${maxMs}ms`);
    return accept(ms);
  });
}

/** One of a fixed set of words, compared exactly after trimming. */
export function envEnum<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z
    .string()
    .trim()
    .pipe(z.enum(values, { error: 'is not one of the allowed values' }))
    .describe(`one of ${values.join(', ')}`);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino level name, any case. */
export function envLogLevel() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: 'is not a log level' }))
    .describe(`a log level: ${LOG_LEVELS.join(', ')}`);
}

/**
 * A secret (password, key, token). Not trimmed: whitespace may be part of it.
 * Marked so that no error ever prints it, whatever the variable is called.
 */
export function envSecret({ minLength = 1 }: { readonly minLength?: number } = {}) {
  return z
    .string()
    .min(minLength, { error: `must be at least ${minLength} characters long` })
    .describe(`a secret of at least ${minLength} characters`)
    .register(secretSchemas, { secret: true });
}
