import { connect, type Socket } from 'node:net';

/**
 * A minimal FTP control connection for the login and idle-session workloads:
 * cheap enough on the client side that the server is what gets measured.
 */
export class RawFtp {
  private buffer = '';
  private waiting: ((line: string) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.deliver();
    });
  }

  static async open(host: string, port: number): Promise<RawFtp> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const ftp = new RawFtp(socket);
    socket.on('error', () => undefined);
    await ftp.expect(220);
    return ftp;
  }

  /** Reads one final reply (skipping multi-line continuations) and checks its code. */
  async expect(code: number): Promise<string> {
    for (;;) {
      const line = await this.nextLine();
      if (/^\d{3} /.test(line)) {
        if (!line.startsWith(String(code))) throw new Error(`expected ${code}, got "${line}"`);
        return line;
      }
    }
  }

  async send(command: string, code: number): Promise<string> {
    this.socket.write(`${command}\r\n`);
    return this.expect(code);
  }

  async login(user: string, password: string): Promise<void> {
    await this.send(`USER ${user}`, 331);
    await this.send(`PASS ${password}`, 230);
  }

  async quit(): Promise<void> {
    await this.send('QUIT', 221).catch(() => undefined);
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next reply line; a server that stays silent for 30 s is an error, not a hang. */
  private nextLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.socket.destroy();
        reject(new Error('no reply from the server within 30 s'));
      }, 30_000);
      this.waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.deliver();
    });
  }

  private deliver(): void {
    const end = this.buffer.indexOf('\r\n');
    if (end === -1 || this.waiting === undefined) return;
    const line = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end + 2);
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve(line);
  }
}
