import { z } from 'zod';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export const accept = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const reject = (problem: string): Parsed<never> => ({ ok: false, problem });

/**
 * A zod schema over one environment string: trims it, runs `parse`, and turns a
 * rejection into a zod issue. Problems never quote the value: the error
 * formatter decides whether it may be shown (it is hidden for secrets).
 */
export function fromEnvString<T>(expected: string, parse: (raw: string) => Parsed<T>) {
  return z
    .string()
    .trim()
    .transform((raw, ctx) => {
      const result = parse(raw);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    })
    .describe(expected);
}

const INTEGER = /^-?\d+$/;

/** A base-10 integer within bounds; no exponents, no fractions, no hex. */
export function parseInteger(raw: string, min: number, max: number): Parsed<number> {
  if (!INTEGER.test(raw)) return reject('is not a whole number');
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) return reject('is too large');
  if (value < min || value > max) return reject(`must be between ${min} and ${max}`);
  return accept(value);
}
