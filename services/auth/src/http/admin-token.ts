import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` in constant time: both sides are hashed
 * first, so neither the content nor the length of the expected token leaks.
 */
export function bearerTokenChecker(expected: string): (authorization: string | undefined) => boolean {
  const want = digest(expected);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const given = digest(match?.[1] ?? '');
    return timingSafeEqual(want, given) && match !== null;
  };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
