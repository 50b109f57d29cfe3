import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { StartTimeoutError } from './errors.js';

export { sleep };

const POLL_MS = 50;

/** One attempt: does `host:port` accept a TCP connection within `timeoutMs`? */
export function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** One attempt: the status of a GET, or undefined when nothing answered. */
export async function probeHttp(url: string, timeoutMs = 1000): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

/** One attempt: GET a JSON document, or undefined when it is not available. */
export async function fetchJson(url: string, timeoutMs = 1000): Promise<unknown> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return await response.json();
  } catch {
    return undefined;
  }
}

/** One attempt: send `PING` on a raw socket and expect `+PONG` (Redis inline protocol). */
export function probeRedisPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n')) done(received.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Polls `check` until it returns true; throws StartTimeoutError naming `what` after `timeoutMs`. */
export async function pollUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new StartTimeoutError(what, timeoutMs, '');
    await sleep(POLL_MS);
  }
}

/** Resolves once `host:port` accepts TCP connections. */
export async function waitForTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  await pollUntil(`TCP ${host}:${port}`, timeoutMs, () => probeTcp(host, port));
}

/** Resolves once a GET of `url` answers with a status that `accept` likes (2xx by default). */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  accept: (status: number) => boolean = (status) => status >= 200 && status < 300,
): Promise<void> {
  let last = 'no answer';
  try {
    await pollUntil(`HTTP ${url}`, timeoutMs, async () => {
      const status = await probeHttp(url);
      if (status !== undefined) last = `status ${status}`;
      return status !== undefined && accept(status);
    });
  } catch (error) {
    if (error instanceof StartTimeoutError) throw new StartTimeoutError(`HTTP ${url} (last: ${last})`, timeoutMs, '');
    throw error;
  }
}
