import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Reply {
  readonly code: number;
  readonly text: string;
}

/** A control connection driven byte by byte, for what a polite client never sends. */
export class RawFtp {
  private buffer = '';
  private readonly replies: Reply[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(public socket: Socket) {
    this.listen(socket);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.parse();
    });
  }

  /** AUTH TLS, then PBSZ 0 and PROT P; returns the TLS session for data connections that resume it. */
  async startTls(): Promise<TLSSocket> {
    const reply = await this.command('AUTH TLS');
    if (reply.code !== 234) throw new Error(`AUTH TLS: ${reply.text}`);
    this.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.listen(secure);
    secure.on('error', () => undefined);
    return secure;
  }

  /** `localAddress`: another loopback address (127.0.0.2…) to connect from, so the gateway sees another client. */
  static async open(port: number, preamble?: Buffer, localAddress?: string): Promise<RawFtp> {
    const socket = connect({ host: '127.0.0.1', port, ...(localAddress === undefined ? {} : { localAddress }) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (preamble) socket.write(preamble);
    return new RawFtp(socket);
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.next();
  }

  /** The next complete reply (multi-line replies joined with \n). */
  async next(timeoutMs = 10_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.closed) throw new Error('connection closed before a reply');
      if (Date.now() > deadline) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.replies.shift()!;
  }

  async login(user = 'alice', password = 'alice-secret'): Promise<void> {
    await this.next();
    const u = await this.command(`USER ${user}`);
    if (u.code !== 331) throw new Error(`USER: ${u.code} ${u.text}`);
    const p = await this.command(`PASS ${password}`);
    if (p.code !== 230) throw new Error(`PASS: ${p.code} ${p.text}`);
  }

  /** Opens a passive data connection (EPSV) and returns its socket once connected. */
  async epsv(): Promise<Socket> {
    const reply = await this.command('EPSV');
    const port = Number(/\|\|\|(\d+)\|/.exec(reply.text)?.[1]);
    const data = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      data.once('connect', resolve);
      data.once('error', reject);
    });
    return data;
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const lines = this.buffer.split('\r\n');
      let end = -1;
      const first = lines[0] ?? '';
      const code = first.slice(0, 3);
      if (lines.length < 2) return;
      if (first[3] === '-') {
        end = lines.findIndex((line, i) => i > 0 && line.startsWith(`${code} `));
        if (end === -1) return;
      } else end = 0;
      const text = lines.slice(0, end + 1).join('\n');
      this.buffer = lines.slice(end + 1).join('\r\n');
      this.replies.push({ code: Number(code), text });
      this.wake();
    }
  }

  private wake(): void {
    this.waiters.splice(0).forEach((resolve) => resolve());
  }
}

export function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', () => undefined);
  });
}
