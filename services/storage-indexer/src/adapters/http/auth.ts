import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** A bearer-token check that takes the same time whatever the candidate is (hashes first, so lengths never leak). */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
    const candidate = digest(match?.[1] ?? '');
    return timingSafeEqual(candidate, expected) && match !== null;
  };
}
