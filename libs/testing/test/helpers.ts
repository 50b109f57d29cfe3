// Raw-socket helpers for the tests: no client libraries, only what the servers say on the wire.
import { readdir } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';

const HOST = '127.0.0.1';

/** Connects and resolves with everything received once `done(received)` is true. */
export function converse(port: number, send: string, done: (received: string) => boolean, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let received = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`timeout on port ${port}; received so far: ${JSON.stringify(received)}`));
    });
    socket.once('connect', () => {
      if (send !== '') socket.write(send);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (done(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.once('error', reject);
  });
}

export async function firstLine(port: number): Promise<string> {
  const text = await converse(port, '', (r) => r.includes('\r\n'));
  return text.slice(0, text.indexOf('\r\n'));
}

/** Resolves with the error code of a refused connection, or 'connected'. */
export function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** A JetStream API request over the raw NATS protocol; resolves with the JSON reply. */
export async function jetstreamRequest(port: number, subject: string, body: object): Promise<Record<string, unknown>> {
  const payload = JSON.stringify(body);
  const send =
    'CONNECT {"verbose":false,"pedantic":false}\r\n' +
    'SUB _INBOX.test 1\r\n' +
    `PUB ${subject} _INBOX.test ${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
  const header = /MSG _INBOX\.test 1 (\d+)\r\n/;
  const reply = (r: string): string | undefined => {
    const match = header.exec(r);
    if (match === null) return undefined;
    const start = match.index + match[0].length;
    const body = r.slice(start, start + Number(match[1]));
    return body.length === Number(match[1]) ? body : undefined;
  };
  const text = await converse(port, send, (r) => reply(r) !== undefined);
  return JSON.parse(reply(text)!) as Record<string, unknown>;
}

export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A TCP echo server on a free loopback port. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('echo server has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A client connection kept open, sending lines and reading their echo. */
export async function openEchoClient(port: number): Promise<{ echo(text: string): Promise<string>; close(): void }> {
  const socket = connect({ host: HOST, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    echo: (text) =>
      new Promise((resolve, reject) => {
        let received = '';
        const onData = (chunk: Buffer): void => {
          received += chunk.toString('utf8');
          if (received.length >= text.length) {
            socket.off('data', onData);
            resolve(received);
          }
        };
        socket.on('data', onData);
        socket.once('error', reject);
        socket.write(text);
      }),
    close: () => socket.destroy(),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * The PIDs still alive after up to `timeoutMs`. Grandchildren that are killed when their
 * parent dies are reaped by init a moment later; until then `kill(pid, 0)` still finds them.
 */
export async function stillAliveAfter(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** The temp dirs this test process created through @ferry/testing and that still exist. */
export async function ownTempDirs(): Promise<string[]> {
  const entries = await readdir(tmpdir());
  return entries.filter((name) => name.startsWith(`ferry-test-${process.pid}-`)).sort();
}

/** The parts of nats-server's monitoring documents that the tests read. */
export interface Varz {
  port: number;
  server_name: string;
  jetstream?: { config?: { store_dir: string } };
}
export interface Jsz {
  meta_cluster: { leader?: string };
}
export interface Routez {
  num_routes: number;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}
