import { expect } from 'vitest';
import { RawFtp, type Reply } from './raw-ftp.js';

export interface AttemptOptions {
  /** Another loopback address to connect from (127.0.0.2…), so the gateway sees another client. */
  readonly from?: string;
}

/** USER + PASS on a new control connection; the PASS reply. The connection stays open for the caller. */
export async function attempt(port: number, user: string, password: string, options: AttemptOptions = {}): Promise<{ ftp: RawFtp; reply: Reply }> {
  const ftp = await RawFtp.open(port, undefined, options.from);
  expect((await ftp.next()).code).toBe(220);
  expect((await ftp.command(`USER ${user}`)).code).toBe(331);
  return { ftp, reply: await ftp.command(`PASS ${password}`) };
}

/** The PASS reply code of a login attempt; the connection is closed afterwards. */
export async function loginCode(port: number, user: string, password: string, options: AttemptOptions = {}): Promise<number> {
  const { ftp, reply } = await attempt(port, user, password, options);
  ftp.close();
  return reply.code;
}
