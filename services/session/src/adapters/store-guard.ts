import { FerryError } from '@ferry/contracts';
import { SessionStoreUnavailableError } from '../errors.js';

/**
 * Every Redis call goes through here: a typed Ferry error passes unchanged, any
 * other failure (connection refused or closed, command timeout, a replica that
 * is read-only during a failover) means the store is unavailable.
 */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof FerryError) throw error;
    throw new SessionStoreUnavailableError(error);
  }
}

export const KEY_PREFIX = 'ferry:session:';

export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
