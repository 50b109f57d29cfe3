import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when the Authorization header carries `Bearer <token>`. Both sides are
 * hashed first, so the comparison takes the same time whatever the length or
 * content of what was sent.
 */
export function hasAdminToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  const sent = match?.[1] ?? '';
  const same = timingSafeEqual(digest(sent), digest(token));
  return same && match !== null;
}
